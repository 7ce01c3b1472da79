package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

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

// TestWebSocketSIGTERM: on SIGTERM every open WebSocket gets a close frame
// with 1001 (going away), and the server exits at once with status 0,
// without waiting for the clients' answers or the grace period.
func TestWebSocketSIGTERM(t *testing.T) {
	s := startServer(t, "-addr 127.0.0.1:0 -loops 2 -websocket -grace 30s", noRaceExitSleep)
	const n = 100
	var conns []net.Conn
	for range n {
		c := s.dial(t)
		_, err := c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"))
		require.NoError(t, err)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		require.NoError(t, err)
		require.Equal(t, 101, resp.StatusCode)
		conns = append(conns, c)
	}
	start := time.Now()
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	for range s.lines {
	}
	require.NoError(t, s.cmd.Wait(), "exit status")
	require.Less(t, time.Since(start), 2*time.Second, "the exit waited neither for the answers nor for the grace period")
	for i, c := range conns {
		got, err := io.ReadAll(c)
		require.NoError(t, err, "client %d: EOF, not a reset", i)
		require.Equal(t, []byte{0x88, 0x02, 0x03, 0xe9}, got, "client %d: a close frame with 1001, then EOF", i)
	}
}
