package main

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"time"

	"github.com/goreactor/reactor/bench/peers/internal/keypair"
)

// serveNet is the standard library's way: a goroutine per connection,
// blocking Read and Write on the runtime's netpoller. The buffer is 64 KiB
// rather than the usual 4 KiB so the bulk workload compares like with like.
// On shutdown it stops accepting and returns; the process exit closes the
// connections.
func serveNet(ctx context.Context, addr string, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return acceptNet(ctx, ln, ready)
}

// serveNetTLS is serveNet over crypto/tls: tls.NewListener wraps each
// connection, whose goroutine runs the handshake on its first Read.
func serveNetTLS(ctx context.Context, addr string, kp *keypair.KeyPair, ready func(net.Addr)) error {
	cfg, err := kp.StdConfig()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return acceptNet(ctx, tls.NewListener(ln, cfg), ready)
}

// acceptNet runs a goroutine of echoConn for each connection ln accepts,
// until ctx is done.
func acceptNet(ctx context.Context, ln net.Listener, ready func(net.Addr)) error {
	context.AfterFunc(ctx, func() { ln.Close() })
	ready(ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			// EMFILE and the like: back off instead of spinning.
			time.Sleep(5 * time.Millisecond)
			continue
		}
		go echoConn(c)
	}
}

func echoConn(c net.Conn) {
	defer c.Close()
	buf := make([]byte, readBufferSize)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// serveNetUDP is the standard library's way with datagrams: one goroutine
// reads a datagram and writes it back to its sender, a system call each,
// blocking on the runtime's netpoller. One goroutine is what a socket
// wants: its datagrams come through one receive queue, in order, and more
// readers would only take turns at it.
func serveNetUDP(ctx context.Context, addr string, ready func(net.Addr)) error {
	la, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return err
	}
	c, err := net.ListenUDP("udp", la)
	if err != nil {
		return err
	}
	context.AfterFunc(ctx, func() { c.Close() })
	ready(c.LocalAddr())
	buf := make([]byte, readBufferSize)
	for {
		n, from, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		// A reply the system refuses is lost, as it would be on the wire.
		_, _ = c.WriteToUDPAddrPort(buf[:n], from)
	}
}
