package main

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"

	"github.com/gorilla/websocket"

	"github.com/goreactor/reactor/bench/peers/internal/keypair"
)

// gorillaServer is gorilla/websocket on net/http: net/http's goroutine for
// each connection upgrades it and then echoes on it until it fails. Once
// hijacked, a connection is no longer net/http's to close, so the server
// keeps the upgraded ones, to close them when it stops.
type gorillaServer struct {
	up    websocket.Upgrader
	mu    sync.Mutex
	conns map[*websocket.Conn]bool // nil once stopped
	wg    sync.WaitGroup
}

// serveGorilla runs gorilla's echo on net/http, over crypto/tls with kp.
func serveGorilla(ctx context.Context, addr string, kp *keypair.KeyPair, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	if kp != nil {
		cfg, err := kp.StdConfig()
		if err != nil {
			ln.Close()
			return err
		}
		ln = tls.NewListener(ln, cfg)
	}
	g := &gorillaServer{conns: map[*websocket.Conn]bool{}}
	srv := &http.Server{Handler: g}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	ready(ln.Addr())
	select {
	case <-ctx.Done():
	case err := <-served:
		return err
	}
	err = srv.Close() // the listener, and the connections not hijacked
	<-served
	g.closeAll()
	return err
}

// ServeHTTP upgrades the request, whatever its path, and echoes.
func (g *gorillaServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := g.up.Upgrade(w, r, nil) // it has answered the error
	if err != nil {
		return
	}
	if !g.track(c) {
		c.Close()
		return
	}
	defer g.wg.Done()
	defer g.untrack(c)
	echoGorilla(c)
}

// echoGorilla reads each message with NextReader into a buffer the
// connection keeps (grown to the longest message, never shrunk) and writes
// it back with WriteMessage, in one frame, until the connection fails or
// closes. gorilla answers pings and closes itself, inside NextReader.
func echoGorilla(c *websocket.Conn) {
	var buf []byte
	for {
		op, r, err := c.NextReader()
		if err != nil {
			return
		}
		if buf, err = readAll(r, buf[:0]); err != nil {
			return
		}
		if err := c.WriteMessage(op, buf); err != nil {
			return
		}
	}
}

// readAll appends what r holds to buf, as io.ReadAll does but into the
// caller's buffer.
func readAll(r io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// track adds an upgraded connection, unless the server has stopped.
func (g *gorillaServer) track(c *websocket.Conn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.conns == nil {
		return false
	}
	g.conns[c] = true
	g.wg.Add(1)
	return true
}

func (g *gorillaServer) untrack(c *websocket.Conn) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.conns != nil {
		delete(g.conns, c)
	}
	c.Close()
}

// closeAll closes the upgraded connections and waits for their goroutines.
func (g *gorillaServer) closeAll() {
	g.mu.Lock()
	for c := range g.conns {
		c.Close()
	}
	g.conns = nil
	g.mu.Unlock()
	g.wg.Wait()
}
