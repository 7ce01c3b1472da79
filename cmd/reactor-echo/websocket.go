package main

import (
	"compress/flate"
	"time"

	"github.com/goreactor/reactor/proto/http1"
	"github.com/goreactor/reactor/proto/websocket"
	"github.com/goreactor/reactor/reactor"
)

// wsEcho is the WebSocket echo: every message comes back as it came.
type wsEcho struct{}

func (wsEcho) OnOpen(*websocket.Conn) {}

func (wsEcho) OnMessage(c *websocket.Conn, op websocket.Opcode, data []byte) {
	if err := c.WriteMessage(op, data); err != nil {
		c.Close(websocket.CloseTryAgainLater, "") // the output limit: the client does not read
	}
}

func (wsEcho) OnClose(*websocket.Conn, uint16, error) {}

// websocketEcho returns the handler maker of -websocket: an HTTP/1.1
// server whose every path upgrades to the WebSocket echo, shared by every
// loop, and adds the loop options the HTTP server needs to opts. With an
// idle timeout, a WebSocket that sends nothing for that long is closed
// with 1001, and a connection that sends no request for that long is
// closed by the HTTP server.
func websocketEcho(maxMessage int, deflate bool, idle time.Duration, opts *[]reactor.Option) (func(int) reactor.Handler, error) {
	wsOpts := []websocket.Option{websocket.WithMaxMessage(maxMessage)}
	if deflate {
		wsOpts = append(wsOpts, websocket.WithCompression(flate.BestSpeed))
	}
	if idle > 0 {
		wsOpts = append(wsOpts, websocket.WithIdleTimeout(idle))
	}
	u, err := websocket.NewUpgrader(wsEcho{}, wsOpts...)
	if err != nil {
		return nil, err
	}
	// The HTTP server's idle timeout is the command's, off by default as
	// for the other modes: then a connection has no timer at all.
	srv, err := http1.NewServer(u, http1.WithIdleTimeout(idle))
	if err != nil {
		return nil, err
	}
	*opts = append(srv.LoopOptions(), *opts...)
	return func(int) reactor.Handler { return srv.Handler() }, nil
}
