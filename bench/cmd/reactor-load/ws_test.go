package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"runtime"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/http1"
	"github.com/goreactor/reactor/proto/websocket"
	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

// wsEcho echoes every message it gets, as it came (text as text).
type wsEcho struct{}

func (wsEcho) OnOpen(*websocket.Conn) {}

func (wsEcho) OnMessage(c *websocket.Conn, op websocket.Opcode, data []byte) {
	if c.WriteMessage(op, data) != nil {
		_ = c.Close(websocket.CloseInternalError, "")
	}
}

func (wsEcho) OnClose(*websocket.Conn, uint16, error) {}

// startWSEcho runs an echo on proto/websocket's Upgrader, on its own loop,
// until the test ends, over TLS with cfg if it is not nil.
func startWSEcho(t *testing.T, cfg *tls.Config) string {
	up, err := websocket.NewUpgrader(wsEcho{})
	require.NoError(t, err)
	srv, err := http1.NewServer(up)
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
		require.NoError(t, testkit.Receive(t, done, "the WebSocket echo server to stop"))
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
