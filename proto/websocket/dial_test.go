package websocket

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/http1"
	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

// dialOn dials url from loop l with r as the Handler, on the loop's
// goroutine, and fails the test if Dial itself fails.
func dialOn(t *testing.T, l *reactor.Loop, url string, r *recorder, opts ...DialOption) {
	t.Helper()
	errs := make(chan error, 1)
	l.Post(func() {
		_, err := Dial(l, url, r, opts...)
		errs <- err
	})
	require.NoError(t, testkit.Receive(t, errs, "Dial"))
}

// TestDialTLS: a client on a loop of its own talks wss to the server, with
// a subprotocol both know, and closes.
func TestDialTLS(t *testing.T) {
	e := newEcho()
	s := startServerWith(t, e, serverSetup{tls: true, opts: []Option{WithSubprotocols("v2", "v1")}})
	l := startClientLoop(t)
	r := newRecorder()
	r.onOpen = func(c *Conn) { c.WriteText([]byte("over TLS")) }
	dialOn(t, l, "wss://"+s.addr+"/", r, WithTLSConfig(testkit.ClientTLS(t)), WithClientSubprotocols("v1", "v2"),
		WithHeader("X-Test", "yes"))
	c := testkit.Receive(t, r.opened, "OnOpen")
	require.Equal(t, "v2", c.Subprotocol())
	require.Equal(t, "text over TLS", testkit.Receive(t, r.messages, "the echo"))
	state, ok := c.NetConn().ConnectionState()
	require.True(t, ok)
	require.True(t, state.HandshakeComplete)
	l.Post(func() { c.Close(CloseNormal, "") })
	require.Equal(t, closed{CloseNormal, nil}, testkit.Receive(t, r.closed, "OnClose"))
	e.wantClosed(t, CloseNormal, nil)
}

// TestDialServerCloses: the server closes; the client answers with its
// code and reports it, orderly.
func TestDialServerCloses(t *testing.T) {
	h := &closer{newEcho(), make(chan [2]error, 2)}
	s := startServer(t, h)
	l := startClientLoop(t)
	r := newRecorder()
	r.onOpen = func(c *Conn) { c.WriteText([]byte("close")) }
	dialOn(t, l, "ws://"+s.addr+"/", r)
	require.Equal(t, closed{4000, nil}, testkit.Receive(t, r.closed, "OnClose"))
	h.wantClosed(t, 4000, nil)
}

// TestDialFails: a refused connect, a server that does not switch, and a
// URL Dial cannot dial are reported, the first two to OnClose without
// OnOpen.
func TestDialFails(t *testing.T) {
	s := startHTTP(t, http1.HandlerFunc(http1.NotFound))
	l := startClientLoop(t)
	t.Run("refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		ln.Close()
		r := newRecorder()
		dialOn(t, l, "ws://"+addr+"/", r)
		got := testkit.Receive(t, r.closed, "OnClose")
		require.Equal(t, uint16(CloseAbnormal), got.code)
		require.ErrorIs(t, got.err, syscall.ECONNREFUSED)
		require.Empty(t, r.opened)
	})
	t.Run("404", func(t *testing.T) {
		r := newRecorder()
		dialOn(t, l, "ws://"+s.addr+"/", r)
		got := testkit.Receive(t, r.closed, "OnClose")
		require.Equal(t, uint16(CloseAbnormal), got.code)
		require.ErrorIs(t, got.err, ErrHandshake)
		require.Contains(t, got.err.Error(), "status 404")
	})
	t.Run("URL", func(t *testing.T) {
		for _, u := range []string{"http://127.0.0.1/", "ws:///path", "::"} {
			_, err := Dial(l, u, newRecorder())
			require.ErrorIs(t, err, ErrURL, u)
		}
	})
}

// rawServer answers one connection's upgrade request with answer, in
// which %s is the right Sec-WebSocket-Accept, then sends then, and
// reports the request; it reads until the client closes.
func rawServer(t *testing.T, answer string, then []byte) (addr string, requests <-chan *http.Request) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	reqs := make(chan *http.Request, 1)
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(testkit.Limit))
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			return
		}
		reqs <- req
		if answer != "" {
			fmt.Fprintf(c, answer, AcceptKey([]byte(req.Header.Get("Sec-WebSocket-Key"))))
			c.Write(then)
		}
		io.Copy(io.Discard, c)
	}()
	return ln.Addr().String(), reqs
}

// TestDialBadServers: the client fails the connection when the server's
// answer is not a switch to WebSocket it can take, or when the server
// sends a masked frame (1002), and gives up on a server that does not
// answer (the dial timeout).
func TestDialBadServers(t *testing.T) {
	l := startClientLoop(t)
	const ok = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
	for _, tc := range []struct {
		name, answer string
		then         []byte
		opts         []DialOption
		err          error
		code         uint16
		why          string
	}{
		{"wrong accept", "HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x%.0s\r\n\r\n", nil, nil, ErrHandshake, CloseAbnormal, "Sec-WebSocket-Accept"},
		{"no upgrade", "HTTP/1.1 101 OK\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", nil, nil, ErrHandshake, CloseAbnormal, "Upgrade"},
		{"extension not offered", ok + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n", nil, nil, ErrHandshake, CloseAbnormal, "extension"},
		{"context takeover", ok + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n", nil, []DialOption{WithClientCompression(1)}, ErrHandshake, CloseAbnormal, "Extensions"},
		{"subprotocol not offered", ok + "Sec-WebSocket-Protocol: x\r\n\r\n", nil, nil, ErrHandshake, CloseAbnormal, "subprotocol"},
		{"masked frame", ok + "\r\n", AppendHeader(nil, true, false, Text, 0, &[4]byte{1, 2, 3, 4}), nil, ErrMasked, CloseProtocolError, ""},
		{"no answer", "", nil, []DialOption{WithDialTimeout(100 * time.Millisecond)}, ErrHandshakeTimeout, CloseAbnormal, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr, reqs := rawServer(t, tc.answer, tc.then)
			r := newRecorder()
			dialOn(t, l, "ws://"+addr+"/path?q=1", r, tc.opts...)
			req := testkit.Receive(t, reqs, "the request")
			require.Equal(t, "/path?q=1", req.RequestURI)
			require.Equal(t, "13", req.Header.Get("Sec-WebSocket-Version"))
			got := testkit.Receive(t, r.closed, "OnClose")
			require.Equal(t, tc.code, got.code)
			require.ErrorIs(t, got.err, tc.err)
			require.Contains(t, got.err.Error(), tc.why)
		})
	}
}

// TestDialCompressed: a client with permessage-deflate on a loop of its
// own: messages of its go compressed and come back compressed, and its
// close handshake is orderly on both sides.
func TestDialCompressed(t *testing.T) {
	e := newEcho()
	s := startServer(t, e, WithCompression(1))
	l := startClientLoop(t)
	r := newRecorder()
	compressed := make(chan bool, 1)
	r.onOpen = func(c *Conn) {
		compressed <- c.Compressed()
		c.WriteText([]byte("hello"))
		c.WriteBinary([]byte(strings.Repeat("compress me ", 100)))
	}
	l.Post(func() {
		_, err := Dial(l, "ws://"+s.addr+"/x", r, WithClientCompression(1))
		if err != nil {
			t.Error(err)
		}
	})
	c := testkit.Receive(t, r.opened, "OnOpen")
	require.True(t, <-compressed)
	require.Equal(t, "text hello", testkit.Receive(t, r.messages, "a message"))
	require.Equal(t, "binary "+strings.Repeat("compress me ", 100), testkit.Receive(t, r.messages, "a message"))
	l.Post(func() { c.Close(CloseNormal, "bye") })
	got := testkit.Receive(t, r.closed, "OnClose")
	require.Equal(t, closed{CloseNormal, nil}, got)
	e.wantClosed(t, CloseNormal, nil)
}
