package main

import (
	"context"
	"net"

	ltls "github.com/lesismal/llib/std/crypto/tls"
	"github.com/lesismal/nbio"
	"github.com/lesismal/nbio/logging"
	"github.com/lesismal/nbio/mempool"

	"github.com/goreactor/reactor/bench/peers/internal/keypair"
)

// newNbio makes nbio's engine with one poller; OnData runs on the poller
// goroutine (no AsyncReadInPoller, so no goroutine pool in the data path).
// nbio accepts on a goroutine of its own, through the standard library.
func newNbio(addr string) *nbio.Engine {
	logging.SetLevel(logging.LevelError)
	return nbio.NewEngine(nbio.Config{
		Network:        "tcp",
		Addrs:          []string{addr},
		NPoller:        1,
		ReadBufferSize: readBufferSize,
	})
}

// serveNbio runs nbio's echo.
func serveNbio(ctx context.Context, addr string, ready func(net.Addr)) error {
	g := newNbio(addr)
	g.OnData(func(c *nbio.Conn, data []byte) {
		if _, err := c.Write(data); err != nil {
			c.Close()
		}
	})
	return runNbio(ctx, g, ready)
}

// serveNbioTLS is serveNbio over TLS with llib's crypto/tls, the fork that
// nbio's own HTTPS server uses, set up as that server sets it up: a
// non-blocking tls.Conn on each connection, fed in OnData with what the
// poller read, its buffers from nbio's memory pool and given back after
// each OnData that leaves no partial record.
func serveNbioTLS(ctx context.Context, addr string, kp *keypair.KeyPair, ready func(net.Addr)) error {
	cert, err := ltls.X509KeyPair(kp.Cert, kp.Key)
	if err != nil {
		return err
	}
	cfg := &ltls.Config{Certificates: []ltls.Certificate{cert}}
	g := newNbio(addr)
	// One poller: OnData runs on its goroutine only, so one plaintext
	// buffer does for every connection.
	plain := make([]byte, readBufferSize)
	g.OnData(func(c *nbio.Conn, data []byte) {
		// The tls.Conn is made here, at the first bytes, rather than in
		// OnOpen, which runs on the accepting goroutine: so only the
		// poller's goroutine ever touches it.
		tc, _ := c.Session().(*ltls.Conn)
		if tc == nil {
			const isClient, isNonBlock = false, true
			tc = ltls.NewConn(c, cfg, isClient, isNonBlock, mempool.DefaultMemPool)
			c.SetSession(tc)
		}
		defer tc.ResetOrFreeBuffer()
		// AppendAndRead takes the bytes, advances the handshake and
		// decrypts; it returns one record's plaintext at a time, and 0
		// when it needs more bytes.
		for in := data; ; in = nil {
			_, n, err := tc.AppendAndRead(in, plain)
			if err != nil {
				c.CloseWithError(err)
				return
			}
			if n == 0 {
				return
			}
			if _, err := tc.Write(plain[:n]); err != nil {
				c.Close()
				return
			}
		}
	})
	return runNbio(ctx, g, ready)
}

// runNbio starts the engine and stops it when ctx is done.
func runNbio(ctx context.Context, g *nbio.Engine, ready func(net.Addr)) error {
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
