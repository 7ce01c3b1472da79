package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"runtime"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/http1"
	"github.com/goreactor/reactor/proto/websocket"
	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

// wsEcho is a WebSocket echo server for these tests, until
// proto/websocket's connection layer (its Upgrader, branch ws-conn) is
// merged and replaces it, here and in package load's tests: an http1
// handler that upgrades by hand, then echoes every whole frame as it
// came.
type wsEcho struct{ fw websocket.FrameWriter }

func (s *wsEcho) ServeHTTP(w *http1.ResponseWriter, r *http1.Request) {
	key := r.Header("Sec-WebSocket-Key")
	if websocket.CheckKey(key) != nil {
		w.SetStatus(400)
		return
	}
	var accept [28]byte
	w.SetStatus(101)
	_ = w.Header("Upgrade", "websocket")
	_ = w.Header("Connection", "Upgrade")
	_ = w.HeaderBytes("Sec-WebSocket-Accept", websocket.AppendAcceptKey(accept[:0], key))
	w.TakeOver(s)
}

func (s *wsEcho) OnOpen(*reactor.Conn) {}

func (s *wsEcho) OnData(c *reactor.Conn) {
	for {
		p, _ := c.Peek(0)
		h, n, err := websocket.ParseHeader(p, 0)
		if err != nil {
			_ = c.Abort()
			return
		}
		if n == 0 || int64(len(p)-n) < h.Length {
			return
		}
		payload := p[n : n+int(h.Length)]
		websocket.MaskBytes(h.Mask, 0, payload)
		if s.fw.WriteFrame(c, h.Fin, false, h.Opcode, payload, nil) != nil {
			_ = c.Close()
			return
		}
		c.Discard(n + int(h.Length))
	}
}

func (s *wsEcho) OnClose(*reactor.Conn, error) {}

// startWSEcho runs wsEcho on its own loop until the test ends, over TLS
// with cfg if it is not nil.
func startWSEcho(t *testing.T, cfg *tls.Config) string {
	srv, err := http1.NewServer(&wsEcho{})
	require.NoError(t, err)
	l, err := reactor.New(srv.Handler(), srv.LoopOptions()...)
	require.NoError(t, err)
	var a interface{ String() string }
	if cfg != nil {
		a, err = l.ListenTLS("tcp", "127.0.0.1:0", cfg)
	} else {
		a, err = l.Listen("tcp", "127.0.0.1:0")
	}
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- l.Run(context.Background()) }()
	t.Cleanup(func() {
		l.Stop()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(testkit.Limit):
			t.Fatal("the WebSocket echo server did not stop")
		}
	})
	return a.String()
}

func TestWSJSON(t *testing.T) {
	addr := startWSEcho(t, nil)
	got, out := runJSON(t, append(pidArgs(), "-addr", addr, "-ws", "-path", "/echo",
		"-conns", "5", "-depth", "2", "-warmup", "0", "-duration", "200ms")...)
	require.Contains(t, out, "WebSocket /echo")
	require.Equal(t, "/echo", got["websocket"])
	require.Equal(t, 0.0, got["errors"])
	require.Positive(t, got["msgs"])
	require.NotContains(t, got, "tls")
	if runtime.GOOS == "linux" {
		require.NotNil(t, got["server_cpu_per_msg_ns"])
	}
}

// TestWSSJSON: wss, with a message size the goroutines' TLS would refuse.
func TestWSSJSON(t *testing.T) {
	addr := startWSEcho(t, testkit.ServerTLS(t))
	got, out := runJSON(t, append(pidArgs(), "-addr", addr, "-ws", "-tls", "-size", "200000",
		"-conns", "2", "-warmup", "0", "-duration", "200ms")...)
	require.Contains(t, out, "WebSocket /, TLS 1.3")
	require.Equal(t, "/", got["websocket"])
	require.Contains(t, got["tls"], "TLS 1.3")
	require.Equal(t, 0.0, got["errors"])
	require.Positive(t, got["msgs"])
}

func TestIdleWSJSON(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	for _, wss := range []bool{false, true} {
		var cfg *tls.Config
		args := append(pidArgs(), "-ws", "-idle", "50")
		if wss {
			cfg = testkit.ServerTLS(t)
			args = append(args, "-tls")
		}
		got, out := runJSON(t, append(args, "-addr", startWSEcho(t, cfg))...)
		require.Contains(t, out, "idle WebSocket (/)")
		require.Equal(t, 50.0, got["idle_conns"])
		require.Equal(t, "/", got["websocket"])
		require.Equal(t, wss, got["tls"] != nil)
	}
}

func TestBadWSFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-path", "/x"}, // without -ws
		{"-ws", "-path", "x"},
		{"-ws", "-path", "/a b"},
		{"-ws", "-handshakes"},
		{"-ws", "-udp"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, &stdout, &stderr)
		require.Equal(t, 2, code, "%q", args)
		require.NotEmpty(t, stderr.String(), "%q", args)
		require.Empty(t, stdout.String(), "%q", args)
	}
}
