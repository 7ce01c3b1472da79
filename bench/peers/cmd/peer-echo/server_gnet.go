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
	eng   chan gnet.Engine
}

func (e *gnetEcho) OnBoot(eng gnet.Engine) gnet.Action {
	// The listener is bound and listening by now; ask it for its port in
	// case the caller passed port 0.
	if fd, err := eng.Dup(); err == nil {
		if sa, err := syscall.Getsockname(fd); err == nil {
			e.ready(tcpAddr(sa))
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

// serveGnet runs gnet v2 with one event loop (no multicore).
func serveGnet(ctx context.Context, addr string, ready func(net.Addr)) error {
	h := &gnetEcho{ready: ready, eng: make(chan gnet.Engine, 1)}
	go func() {
		eng := <-h.eng // a signal before boot is handled once booted
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = eng.Stop(sctx)
	}()
	return gnet.Run(h, "tcp://"+addr,
		gnet.WithMulticore(false),
		gnet.WithNumEventLoop(1),
		gnet.WithReadBufferCap(readBufferSize),
		gnet.WithLogLevel(logging.ErrorLevel),
	)
}
