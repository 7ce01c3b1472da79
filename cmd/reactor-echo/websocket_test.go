package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"strings"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/websocket"
	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

// wsClient is a WebSocket client's Handler that reports what it gets.
type wsClient struct {
	opened   chan *websocket.Conn
	messages chan string
	closed   chan uint16
}

func newWSClient() *wsClient {
	return &wsClient{opened: make(chan *websocket.Conn, 1), messages: make(chan string, 100), closed: make(chan uint16, 1)}
}

func (h *wsClient) OnOpen(c *websocket.Conn) { h.opened <- c }

func (h *wsClient) OnMessage(c *websocket.Conn, op websocket.Opcode, data []byte) {
	h.messages <- fmt.Sprintf("%v %s", op, data)
}

func (h *wsClient) OnClose(c *websocket.Conn, code uint16, err error) { h.closed <- code }

// nobody is the Handler of the client's loop, which only dials.
type nobody struct{}

func (nobody) OnOpen(*reactor.Conn)         {}
func (nobody) OnData(*reactor.Conn)         {}
func (nobody) OnClose(*reactor.Conn, error) {}

// wsEchoes dials url with this package's client from a loop of the test,
// and checks that text, binary and a large compressible message come back
// as sent, then closes.
func wsEchoes(t *testing.T, url string, opts ...websocket.DialOption) {
	l, err := reactor.New(nobody{})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- l.Run(context.Background()) }()
	defer func() {
		l.Stop()
		require.NoError(t, testkit.Receive(t, done, "the client loop's Run"))
	}()
	h := newWSClient()
	errs := make(chan error, 1)
	l.Post(func() {
		_, err := websocket.Dial(l, url, h, opts...)
		errs <- err
	})
	require.NoError(t, testkit.Receive(t, errs, "Dial"))
	c := testkit.Receive(t, h.opened, "OnOpen")
	big := strings.Repeat("echo me ", 10000)
	l.Post(func() {
		c.WriteText([]byte("hello, websocket"))
		c.WriteBinary([]byte{0, 1, 2, 0xff})
		c.WriteText([]byte(big))
	})
	require.Equal(t, "text hello, websocket", testkit.Receive(t, h.messages, "the text echo"))
	require.Equal(t, "binary \x00\x01\x02\xff", testkit.Receive(t, h.messages, "the binary echo"))
	require.Equal(t, "text "+big, testkit.Receive(t, h.messages, "the large echo"))
	l.Post(func() { c.Close(websocket.CloseNormal, "bye") })
	require.Equal(t, uint16(websocket.CloseNormal), testkit.Receive(t, h.closed, "OnClose"))
}

// TestWebSocket: -websocket echoes messages at any path, on a group of
// loops, with permessage-deflate when asked.
func TestWebSocket(t *testing.T) {
	s := startServer(t, "-addr 127.0.0.1:0 -loops 2 -websocket -deflate")
	for _, path := range []string{"/", "/any/path?x=1"} {
		wsEchoes(t, "ws://"+s.addr+path)
		wsEchoes(t, "ws://"+s.addr+path, websocket.WithClientCompression(1))
	}
}

// TestWebSocketTLS: with -tls-self-signed it is wss.
func TestWebSocketTLS(t *testing.T) {
	s := startServer(t, "-addr 127.0.0.1:0 -websocket -tls-self-signed")
	s.next(t) // the certificate's line
	wsEchoes(t, "wss://"+s.addr+"/", websocket.WithTLSConfig(&tls.Config{InsecureSkipVerify: true}))
}
