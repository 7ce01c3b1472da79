package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/goreactor/reactor/bench/peers/internal/keypair"
	"github.com/goreactor/reactor/internal/testkit"
)

// startServer runs serve (with kp: wss) in this process until the test
// ends, and returns its address.
func startServer(t *testing.T, name string, kp *keypair.KeyPair) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- servers[name](ctx, "127.0.0.1:0", kp, func(a net.Addr) { addrs <- a }) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s returned %v", name, err)
			}
		case <-time.After(testkit.Limit):
			t.Errorf("%s did not stop", name)
		}
	})
	select {
	case a := <-addrs:
		return a.String()
	case err := <-done:
		t.Fatalf("%s returned before listening: %v", name, err)
	case <-time.After(testkit.Limit):
		t.Fatalf("%s did not report its address", name)
	}
	return ""
}

// dial opens a WebSocket to url with gorilla's client; with kp it trusts
// kp's certificate alone. writeBuf bounds the frames NextWriter writes.
func dial(t *testing.T, url string, kp *keypair.KeyPair, writeBuf int) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: testkit.Limit, WriteBufferSize: writeBuf}
	if kp != nil {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(kp.Cert) {
			t.Fatal("the certificate does not parse")
		}
		d.TLSClientConfig = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	}
	c, resp, err := d.Dial(url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	if resp.StatusCode != 101 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if ext := resp.Header.Get("Sec-WebSocket-Extensions"); ext != "" {
		t.Errorf("the server chose extensions %q, unoffered", ext)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// payload returns n bytes that differ with seed.
func payload(n int, seed byte) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = seed + byte(i*7+i>>8)
	}
	return p
}

// expect reads one message and checks its type and bytes.
func expect(t *testing.T, c *websocket.Conn, op int, want []byte) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(testkit.Limit))
	got, data, err := c.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	if got != op {
		t.Fatalf("echoed as type %d, sent as %d", got, op)
	}
	if !bytes.Equal(data, want) {
		t.Fatalf("echo of %d bytes differs from the %d sent", len(data), len(want))
	}
}

// checkEcho runs the round trips on one server: text, binary from 1 byte
// to 200 KiB (64 KiB among them), a message sent in fragments, and a burst of pipelined
// messages, then a clean close.
func checkEcho(t *testing.T, addr string, kp *keypair.KeyPair) {
	scheme := "ws"
	if kp != nil {
		scheme = "wss"
	}
	// Any path will do.
	c := dial(t, fmt.Sprintf("%s://%s/any/path?x=1", scheme, addr), kp, 512)
	c.SetWriteDeadline(time.Now().Add(testkit.Limit))

	text := "hello, world: ünïcödé"
	if err := c.WriteMessage(websocket.TextMessage, []byte(text)); err != nil {
		t.Fatal(err)
	}
	expect(t, c, websocket.TextMessage, []byte(text))

	// No empty message: nbio does not hand one to OnMessage, so its echo
	// never comes. The benchmarks send none.
	for _, n := range []int{1, 64, 125, 126, 65535, 64 << 10, 200 << 10} {
		p := payload(n, byte(n))
		if err := c.WriteMessage(websocket.BinaryMessage, p); err != nil {
			t.Fatal(err)
		}
		expect(t, c, websocket.BinaryMessage, p)
	}

	// With a 512-byte write buffer, NextWriter sends this in frames of
	// about 500 bytes: a fragmented message, echoed whole.
	p := payload(3000, 9)
	w, err := c.NextWriter(websocket.BinaryMessage)
	if err != nil {
		t.Fatal(err)
	}
	for q := p; len(q) > 0; q = q[min(len(q), 700):] {
		if _, err := w.Write(q[:min(len(q), 700)]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	expect(t, c, websocket.BinaryMessage, p)

	// Pipelined: 50 messages before the first echo is read.
	go func() {
		for i := range 50 {
			if c.WriteMessage(websocket.BinaryMessage, payload(64, byte(i))) != nil {
				return
			}
		}
	}()
	for i := range 50 {
		expect(t, c, websocket.BinaryMessage, payload(64, byte(i)))
	}

	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye")
	if err := c.WriteControl(websocket.CloseMessage, msg, time.Now().Add(testkit.Limit)); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(testkit.Limit))
	_, _, err = c.ReadMessage()
	if !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
		t.Fatalf("after a close: %v, want the server's close 1000", err)
	}
}

func TestEcho(t *testing.T) {
	for _, name := range []string{"reactor", "nbio", "gorilla"} {
		t.Run(name, func(t *testing.T) {
			checkEcho(t, startServer(t, name, nil), nil)
		})
	}
}

// TestEchoTLS: the same over wss, with the server's self-signed
// certificate, which the client verifies.
func TestEchoTLS(t *testing.T) {
	kp, err := keypair.SelfSigned("peer-ws")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"reactor", "nbio", "gorilla"} {
		t.Run(name, func(t *testing.T) {
			checkEcho(t, startServer(t, name, kp), kp)
		})
	}
}

// TestManyConns: each server keeps 100 connections at once, each echoing
// in turn.
func TestManyConns(t *testing.T) {
	for _, name := range []string{"reactor", "nbio", "gorilla"} {
		t.Run(name, func(t *testing.T) {
			addr := startServer(t, name, nil)
			var conns []*websocket.Conn
			for range 100 {
				conns = append(conns, dial(t, "ws://"+addr+"/", nil, 0))
			}
			for round := range 3 {
				for i, c := range conns {
					p := payload(64, byte(i+round))
					c.SetWriteDeadline(time.Now().Add(testkit.Limit))
					if err := c.WriteMessage(websocket.BinaryMessage, p); err != nil {
						t.Fatal(err)
					}
					expect(t, c, websocket.BinaryMessage, p)
				}
			}
		})
	}
}

func TestRunRefusals(t *testing.T) {
	for _, tc := range []struct{ name, addr, want string }{
		{"apache", "127.0.0.1:0", "unknown -server"},
		{"gorilla", "0.0.0.0:0", "loopback"},
		{"nbio", "10.1.2.3:80", "loopback"},
	} {
		err := run(context.Background(), tc.name, tc.addr, false, func(net.Addr) {})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v", tc, err)
		}
	}
}
