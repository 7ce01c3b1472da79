package main

import (
	"context"
	"net"

	"github.com/lesismal/nbio"
	"github.com/lesismal/nbio/logging"
)

// serveNbio runs nbio with one poller; OnData runs on the poller goroutine
// (no AsyncReadInPoller, so no goroutine pool in the data path). nbio
// accepts on a goroutine of its own, through the standard library.
func serveNbio(ctx context.Context, addr string, ready func(net.Addr)) error {
	logging.SetLevel(logging.LevelError)
	g := nbio.NewEngine(nbio.Config{
		Network:        "tcp",
		Addrs:          []string{addr},
		NPoller:        1,
		ReadBufferSize: readBufferSize,
	})
	g.OnData(func(c *nbio.Conn, data []byte) {
		if _, err := c.Write(data); err != nil {
			c.Close()
		}
	})
	if err := g.Start(); err != nil {
		return err
	}
	bound, err := net.ResolveTCPAddr("tcp", g.Addrs[0])
	if err != nil {
		g.Stop()
		return err
	}
	ready(bound)
	<-ctx.Done()
	g.Stop()
	return nil
}
