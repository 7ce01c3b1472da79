package main

import (
	"context"
	"net"

	"github.com/goreactor/reactor/reactor"
)

// reactorEcho writes back whatever arrives, as cmd/reactor-echo does.
type reactorEcho struct{}

func (reactorEcho) OnOpen(*reactor.Conn) {}

func (reactorEcho) OnData(c *reactor.Conn) {
	p, _ := c.Next(0)
	if _, err := c.Write(p); err != nil {
		c.Close() // output limit reached: the client does not read
	}
}

func (reactorEcho) OnClose(*reactor.Conn, error) {}

// serveReactor runs one goreactor loop with its default 64 KiB read buffer.
func serveReactor(ctx context.Context, addr string, ready func(net.Addr)) error {
	return runReactor(ctx, ready, func(l *reactor.Loop) (net.Addr, error) { return l.Listen("tcp", addr) })
}

// serveReactorTLS is serveReactor over TLS, with the same handler: the
// loop runs the handshakes (OnOpen comes after) and the records, and the
// handler sees plaintext.
func serveReactorTLS(ctx context.Context, addr string, kp *keyPair, ready func(net.Addr)) error {
	cfg, err := kp.stdConfig()
	if err != nil {
		return err
	}
	return runReactor(ctx, ready, func(l *reactor.Loop) (net.Addr, error) { return l.ListenTLS("tcp", addr, cfg) })
}

// runReactor makes the loop, has listen add its listener, and runs it.
func runReactor(ctx context.Context, ready func(net.Addr), listen func(*reactor.Loop) (net.Addr, error)) error {
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
	return l.Run(ctx)
}
