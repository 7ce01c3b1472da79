package main

import (
	"context"
	"crypto/tls"
	"net"

	"github.com/goreactor/reactor/bench/peers/internal/keypair"
	"github.com/goreactor/reactor/proto/http1"
	"github.com/goreactor/reactor/proto/websocket"
	"github.com/goreactor/reactor/reactor"
)

// maxMessage is the longest message the reactor server takes: nbio's
// default (MessageLengthLimit, 4 MiB); the benchmark sends 64 KiB at most.
const maxMessage = 4 << 20

// reactorEcho writes every message back as it came: text as text, binary
// as binary. The connection layer answers pings and closes.
type reactorEcho struct{}

func (reactorEcho) OnOpen(*websocket.Conn) {}

func (reactorEcho) OnMessage(c *websocket.Conn, op websocket.Opcode, data []byte) {
	// An error means the connection is failing (its output is full: the
	// client does not read); the layer closes it.
	_ = c.WriteMessage(op, data)
}

func (reactorEcho) OnClose(*websocket.Conn, uint16, error) {}

// serveReactor runs proto/websocket's Upgrader, at every path, on a
// proto/http1 server on one reactor loop, with the loop options the
// server asks for and peer-echo's 64 KiB read buffer; with kp, over the
// loop's TLS (ListenTLS).
func serveReactor(ctx context.Context, addr string, kp *keypair.KeyPair, ready func(net.Addr)) error {
	up, err := websocket.NewUpgrader(reactorEcho{}, websocket.WithMaxMessage(maxMessage))
	if err != nil {
		return err
	}
	srv, err := http1.NewServer(up)
	if err != nil {
		return err
	}
	l, err := reactor.New(srv.Handler(), append(srv.LoopOptions(), reactor.WithReadBufferSize(readBufferSize))...)
	if err != nil {
		return err
	}
	var bound net.Addr
	if kp != nil {
		var cfg *tls.Config
		if cfg, err = kp.StdConfig(); err != nil {
			l.Close()
			return err
		}
		bound, err = l.ListenTLS("tcp", addr, cfg)
	} else {
		bound, err = l.Listen("tcp", addr)
	}
	if err != nil {
		l.Close()
		return err
	}
	ready(bound)
	return l.Run(ctx)
}
