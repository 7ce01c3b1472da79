package main

import (
	"context"
	"net"
	"net/http"
	"time"

	ltls "github.com/lesismal/llib/std/crypto/tls"
	"github.com/lesismal/nbio/logging"
	"github.com/lesismal/nbio/nbhttp"
	"github.com/lesismal/nbio/nbhttp/websocket"

	"github.com/goreactor/reactor/bench/peers/internal/keypair"
)

// serveNbio runs nbio's WebSocket echo: nbhttp's engine in non-blocking
// mode, set up as nbio's own benchmark (lesismal/go-websocket-benchmark,
// frameworks/nbio_nonblocking) sets it up: IOModNonBlocking,
// ReleaseWebsocketPayload, the upgrader's OnMessage writing the message
// back, the read deadline cleared after the upgrade (else nbio closes a
// connection idle for 120 s), and nbhttp's default executor, a goroutine
// pool that runs each connection's handlers in order. Beyond that, one
// poller (NPoller 1, as peer-echo's nbio) and a 64 KiB read buffer (nbio's
// default, stated). With kp the listener is nbhttp's TLS one, on llib's
// fork of crypto/tls.
func serveNbio(ctx context.Context, addr string, kp *keypair.KeyPair, ready func(net.Addr)) error {
	logging.SetLevel(logging.LevelError)
	up := websocket.NewUpgrader()
	up.OnMessage(func(c *websocket.Conn, op websocket.MessageType, data []byte) {
		if err := c.WriteMessage(op, data); err != nil {
			c.Close()
		}
	})
	conf := nbhttp.Config{
		Network: "tcp",
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := up.Upgrade(w, r, nil) // it has answered the error
			if err != nil {
				return
			}
			_ = c.SetReadDeadline(time.Time{})
		}),
		IOMod:                   nbhttp.IOModNonBlocking,
		ReleaseWebsocketPayload: true,
		NPoller:                 1,
		ReadBufferSize:          readBufferSize,
	}
	if kp != nil {
		cert, err := ltls.X509KeyPair(kp.Cert, kp.Key)
		if err != nil {
			return err
		}
		conf.AddrsTLS = []string{addr}
		conf.TLSConfig = &ltls.Config{Certificates: []ltls.Certificate{cert}}
	} else {
		conf.Addrs = []string{addr}
	}
	e := nbhttp.NewEngine(conf)
	if err := e.Start(); err != nil {
		return err
	}
	bound := e.Addrs
	if kp != nil {
		bound = e.AddrsTLS
	}
	a, err := net.ResolveTCPAddr("tcp", bound[0]) // the port the listener got
	if err != nil {
		e.Stop()
		return err
	}
	ready(a)
	<-ctx.Done()
	e.Stop()
	return nil
}
