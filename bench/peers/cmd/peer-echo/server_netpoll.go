package main

import (
	"context"
	"net"
	"time"

	"github.com/cloudwego/netpoll"
)

// serveNetpoll runs cloudwego/netpoll with one poller. OnRequest runs on
// netpoll's default goroutine pool, as its users run it.
func serveNetpoll(ctx context.Context, addr string, ready func(net.Addr)) error {
	if err := netpoll.Configure(netpoll.Config{PollerNum: 1}); err != nil {
		return err
	}
	ln, err := netpoll.CreateListener("tcp", addr)
	if err != nil {
		return err
	}
	loop, err := netpoll.NewEventLoop(netpollEcho)
	if err != nil {
		ln.Close()
		return err
	}
	context.AfterFunc(ctx, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = loop.Shutdown(sctx)
	})
	ready(ln.Addr())
	return loop.Serve(ln)
}

// netpollEcho writes back everything readable. Flush returns once the bytes
// are written, so the reader's buffer can be handed to the writer without a
// copy and released afterwards.
func netpollEcho(_ context.Context, c netpoll.Connection) error {
	r, w := c.Reader(), c.Writer()
	defer r.Release()
	p, err := r.Next(r.Len())
	if err != nil {
		return err
	}
	if _, err := w.WriteBinary(p); err != nil {
		return err
	}
	return w.Flush()
}
