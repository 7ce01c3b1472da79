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
	l, err := reactor.New(reactorEcho{}, reactor.WithReadBufferSize(readBufferSize))
	if err != nil {
		return err
	}
	bound, err := l.Listen("tcp", addr)
	if err != nil {
		l.Stop()
		_ = l.Run(ctx) // releases the poller
		return err
	}
	ready(bound)
	return l.Run(ctx)
}
