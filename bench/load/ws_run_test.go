package load

import (
	"bytes"
	"context"
	"crypto/tls"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

// The WebSocket runs, against wsEcho (wsecho_test.go).

func wsQuick(addr string) Config {
	cfg := quick(addr)
	cfg.WebSocket = true
	if runtime.GOOS == "linux" {
		cfg.ServerPID = os.Getpid() // the server runs in this process
	}
	return cfg
}

func TestRunWebSocket(t *testing.T) {
	testkit.CheckLeaks(t)
	for _, tc := range []struct {
		name               string
		size, depth, frame int
	}{
		{"pingpong", 64, 1, 0},
		{"pipelined", 64, 8, 0},
		{"bulk cut at 32 KiB", 64 << 10, 1, 32 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := startWSEcho(t, &wsEcho{maxFrame: tc.frame}, nil)
			log := new(logBuffer)
			cfg := wsQuick(addr)
			cfg.Conns, cfg.Size, cfg.Depth, cfg.Path, cfg.Log = 10, tc.size, tc.depth, "/ws", log
			r, err := Run(context.Background(), cfg)
			require.NoError(t, err)
			checkSane(t, r, log)
			require.Equal(t, "/ws", r.WebSocket)
			require.Empty(t, r.TLS)
			require.Equal(t, runtime.GOOS == "linux", r.ServerMeasured)
			var out bytes.Buffer
			require.NoError(t, r.WriteSummary(&out))
			require.Contains(t, out.String(), "WebSocket /ws")
		})
	}
}

// TestRunWebSocketTLS: wss, on the loop's TLS.
func TestRunWebSocketTLS(t *testing.T) {
	testkit.CheckLeaks(t)
	addr := startWSEcho(t, &wsEcho{}, testkit.ServerTLS(t))
	log := new(logBuffer)
	cfg := wsQuick(addr)
	cfg.Conns, cfg.Depth, cfg.Log = 10, 2, log
	cfg.TLS = TLSClientConfig(tls.VersionTLS13, tls.X25519)
	r, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	checkSane(t, r, log)
	require.Contains(t, r.TLS, "TLS 1.3")
	require.Equal(t, "/", r.WebSocket)
}

func TestRunWebSocketOpenLoop(t *testing.T) {
	testkit.CheckLeaks(t)
	addr := startWSEcho(t, &wsEcho{}, nil)
	log := new(logBuffer)
	cfg := wsQuick(addr)
	cfg.Conns, cfg.Rate, cfg.Log = 10, 2000, log
	r, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	checkSane(t, r, log)
	require.NotNil(t, r.Open)
	require.Positive(t, r.Open.Sent)
}

// TestRunWebSocketPings: a server that pings every connection gets its
// pongs, and the run goes on.
func TestRunWebSocketPings(t *testing.T) {
	testkit.CheckLeaks(t)
	s := &wsEcho{ping: true}
	addr := startWSEcho(t, s, nil)
	log := new(logBuffer)
	cfg := wsQuick(addr)
	cfg.Log = log
	r, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	checkSane(t, r, log)
	testkit.WaitUntil(t, "a pong from every connection", func() bool { return s.pongs.Load() == int64(cfg.Conns) })
}

// TestRunWebSocketRefused: a server that does not upgrade fails every
// connection, and the run.
func TestRunWebSocketRefused(t *testing.T) {
	testkit.CheckLeaks(t)
	addr := startWSEcho(t, &wsEcho{refuse: true}, nil)
	log := new(logBuffer)
	cfg := wsQuick(addr)
	cfg.Conns, cfg.Log = 3, log
	r, err := Run(context.Background(), cfg)
	require.ErrorContains(t, err, "no connection")
	require.Equal(t, uint64(3), r.Errors)
	require.Contains(t, log.String(), `upgrade: the server answered "HTTP/1.1 404 Not Found"`)
}

// TestRunWebSocketCorruption: a changed byte in an echoed payload is
// caught on every connection.
func TestRunWebSocketCorruption(t *testing.T) {
	testkit.CheckLeaks(t)
	addr := startWSEcho(t, &wsEcho{corruptAt: 100}, nil)
	log := new(logBuffer)
	cfg := wsQuick(addr)
	cfg.Conns, cfg.Log = 5, log
	r, err := Run(context.Background(), cfg)
	require.NoError(t, err, "a bad server is a result, not a failure of the run")
	require.Equal(t, uint64(5), r.Errors)
	require.Contains(t, log.String(), "echo: message 1, byte 36: got")
}

func TestRunIdleWebSocket(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	testkit.CheckLeaks(t)
	for _, wss := range []bool{false, true} {
		var server, client *tls.Config
		if wss {
			server, client = testkit.ServerTLS(t), TLSClientConfig(tls.VersionTLS13, tls.X25519)
		}
		addr := startWSEcho(t, &wsEcho{}, server)
		log := new(logBuffer)
		r, err := RunIdle(context.Background(), Config{Addr: addr, Conns: 200, ServerPID: os.Getpid(), Log: log,
			WebSocket: true, TLS: client})
		require.NoError(t, err)
		require.Zero(t, r.Errors, "log:\n%s", log)
		require.Equal(t, 200, r.IdleConns)
		require.Positive(t, r.RSSAfter)
		require.Equal(t, "/", r.WebSocket)
		require.Equal(t, wss, strings.Contains(r.TLS, "TLS 1.3"), "wss %v: %q", wss, r.TLS)
		var out bytes.Buffer
		require.NoError(t, r.WriteSummary(&out))
		require.Contains(t, out.String(), "idle WebSocket (/)")
	}
}

func TestWebSocketConfig(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Path: "/x"}, "a path goes with WebSocket"},
		{Config{WebSocket: true, Path: "x"}, "must start with /"},
		{Config{WebSocket: true, Path: "/a b"}, "must start with /"},
		{Config{WebSocket: true, Path: "/a\r\nX: y"}, "must start with /"},
	} {
		_, err := tc.cfg.withDefaults()
		require.ErrorContains(t, err, tc.want, "%+v", tc.cfg)
	}
	cfg, err := Config{WebSocket: true, TLS: &tls.Config{}, Size: 1 << 20}.withDefaults()
	require.NoError(t, err, "wss is on the loop: no limit of the goroutines' TLS")
	require.Equal(t, "/", cfg.Path)
	_, err = RunHandshakes(context.Background(), Config{WebSocket: true})
	require.ErrorContains(t, err, "without WebSocket")
	_, err = RunUDP(context.Background(), Config{WebSocket: true})
	require.ErrorContains(t, err, "WebSocket")
}
