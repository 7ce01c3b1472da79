package main

import (
	"context"
	"net"
	"syscall"
	"time"

	"github.com/panjf2000/gnet/v2"
	"github.com/panjf2000/gnet/v2/pkg/logging"
)

// gnetEcho is gnet's echo: take everything buffered, write it back.
type gnetEcho struct {
	gnet.BuiltinEventEngine
	ready func(net.Addr)
	addr  func(syscall.Sockaddr) net.Addr // tcpAddr or udpAddr
	eng   chan gnet.Engine
}

func newGnetEcho(ready func(net.Addr), addr func(syscall.Sockaddr) net.Addr) *gnetEcho {
	return &gnetEcho{ready: ready, addr: addr, eng: make(chan gnet.Engine, 1)}
}

func (e *gnetEcho) OnBoot(eng gnet.Engine) gnet.Action {
	// The listener is bound and listening by now; ask it for its port in
	// case the caller passed port 0.
	if fd, err := eng.Dup(); err == nil {
		if sa, err := syscall.Getsockname(fd); err == nil {
			e.ready(e.addr(sa))
		}
		syscall.Close(fd)
	}
	e.eng <- eng
	return gnet.None
}

func (e *gnetEcho) OnTraffic(c gnet.Conn) gnet.Action {
	buf, _ := c.Next(-1)
	if _, err := c.Write(buf); err != nil {
		return gnet.Close
	}
	return gnet.None
}

// gnetUDPEcho is gnet's echo of datagrams: OnTraffic is called once per
// datagram, with a Conn for its sender whose Write sends the reply at once
// (a sendto).
type gnetUDPEcho struct {
	*gnetEcho
}

func (e gnetUDPEcho) OnTraffic(c gnet.Conn) gnet.Action {
	buf, _ := c.Next(-1)
	// A reply the system refuses is lost, as it would be on the wire;
	// and gnet heeds no action but Shutdown after a datagram.
	_, _ = c.Write(buf)
	return gnet.None
}

// serveGnet runs gnet v2 with one event loop (no multicore).
func serveGnet(ctx context.Context, addr string, ready func(net.Addr)) error {
	h := newGnetEcho(ready, tcpAddr)
	return runGnet(ctx, h, h.eng, "tcp://"+addr)
}

// serveGnetUDP is serveGnet over UDP: gnet reads one datagram per
// readiness report (a recvfrom) on its loop.
func serveGnetUDP(ctx context.Context, addr string, ready func(net.Addr)) error {
	h := newGnetEcho(ready, udpAddr)
	return runGnet(ctx, gnetUDPEcho{h}, h.eng, "udp://"+addr)
}

// runGnet runs h on protoAddr until ctx is done; eng delivers the engine
// once it has booted.
func runGnet(ctx context.Context, h gnet.EventHandler, eng <-chan gnet.Engine, protoAddr string) error {
	go func() {
		eng := <-eng // a signal before boot is handled once booted
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = eng.Stop(sctx)
	}()
	return gnet.Run(h, protoAddr,
		gnet.WithMulticore(false),
		gnet.WithNumEventLoop(1),
		gnet.WithReadBufferCap(readBufferSize),
		gnet.WithLogLevel(logging.ErrorLevel),
	)
}
