package main

import (
	"context"
	"net"
	"os"

	"github.com/goreactor/reactor/bench/peers/internal/keypair"
	"github.com/goreactor/reactor/reactor"
)

// reactorEcho writes back whatever arrives, as cmd/reactor-echo does; on a
// packet socket, each datagram to its sender.
type reactorEcho struct{}

func (reactorEcho) OnOpen(*reactor.Conn) {}

func (reactorEcho) OnData(c *reactor.Conn) {
	p, _ := c.Next(0)
	if _, err := c.Write(p); err != nil {
		c.Close() // output limit reached: the client does not read
	}
}

func (reactorEcho) OnClose(*reactor.Conn, error) {}

// OnPacket sends each datagram back to its sender; the replies of one pass
// leave together at its end.
func (reactorEcho) OnPacket(pc *reactor.PacketConn, p *reactor.Packet) {
	if p.Truncated {
		return // larger than the read buffer: nothing to echo
	}
	// Reply refuses a datagram only if the send queue is full or the
	// socket closed; the datagram is lost then, as on the wire.
	_ = pc.Reply(p, p.Data)
}

func (reactorEcho) OnPacketError(*reactor.PacketConn, error) {}

// serveReactor runs one goreactor loop with its default 64 KiB read buffer.
func serveReactor(ctx context.Context, addr string, ready func(net.Addr)) error {
	return runReactor(ctx, ready, nil, func(l *reactor.Loop) (net.Addr, error) { return l.Listen("tcp", addr) })
}

// serveReactorTLS is serveReactor over TLS, with the same handler: the
// loop runs the handshakes (OnOpen comes after) and the records, and the
// handler sees plaintext.
func serveReactorTLS(ctx context.Context, addr string, kp *keypair.KeyPair, ready func(net.Addr)) error {
	cfg, err := kp.StdConfig()
	if err != nil {
		return err
	}
	return runReactor(ctx, ready, nil, func(l *reactor.Loop) (net.Addr, error) { return l.ListenTLS("tcp", addr, cfg) })
}

// serveReactorUDP runs one goreactor loop with one UDP socket, and at the
// end prints the loop's datagram counters on stdout (writePacketStats).
func serveReactorUDP(ctx context.Context, addr string, ready func(net.Addr)) error {
	return reactorUDP(ctx, addr, ready, func(st reactor.Stats) { writePacketStats(os.Stdout, st) })
}

// reactorUDP is serveReactorUDP with the counters handed to stopped, for
// the tests.
func reactorUDP(ctx context.Context, addr string, ready func(net.Addr), stopped func(reactor.Stats)) error {
	return runReactor(ctx, ready, stopped, func(l *reactor.Loop) (net.Addr, error) {
		pc, err := l.ListenPacket("udp", addr)
		if err != nil {
			return nil, err
		}
		return pc.LocalAddr(), nil
	})
}

// runReactor makes the loop, has listen add its listener, and runs it;
// then, if stopped is not nil, it hands it the loop's counters.
func runReactor(ctx context.Context, ready func(net.Addr), stopped func(reactor.Stats), listen func(*reactor.Loop) (net.Addr, error)) error {
	l, err := reactor.New(reactorEcho{}, reactor.WithReadBufferSize(readBufferSize))
	if err != nil {
		return err
	}
	bound, err := listen(l)
	if err != nil {
		l.Stop()
		_ = l.Run(ctx) // releases the poller
		return err
	}
	ready(bound)
	err = l.Run(ctx)
	if stopped != nil {
		stopped(l.Stats())
	}
	return err
}
