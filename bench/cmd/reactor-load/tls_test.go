package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

// startTLSEcho runs a crypto/tls echo server, a goroutine per connection,
// with the test certificate, until the test ends.
func startTLSEcho(t *testing.T) string {
	ln, err := tls.Listen("tcp", "127.0.0.1:0", testkit.ServerTLS(t))
	require.NoError(t, err)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns = map[net.Conn]bool{}
	)
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns[c] = true
			mu.Unlock()
			wg.Go(func() {
				io.Copy(c, c)
				c.Close()
				mu.Lock()
				delete(conns, c)
				mu.Unlock()
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// runJSON runs the command with args and -json, expects status 0, and
// returns the JSON it wrote and what it printed.
func runJSON(t *testing.T, args ...string) (map[string]any, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "out.json")
	args = append(args, "-progress", "0", "-server", "s", "-json", path)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	require.Equal(t, 0, code, "stderr:\n%s", &stderr)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.Unmarshal(data, &got))
	return got, stdout.String()
}

func pidArgs() []string {
	if runtime.GOOS == "linux" {
		return []string{"-pid", strconv.Itoa(os.Getpid())}
	}
	return nil
}

func TestTLSJSON(t *testing.T) {
	addr := startTLSEcho(t)
	for _, version := range []string{"1.3", "1.2"} {
		got, out := runJSON(t, append(pidArgs(), "-addr", addr, "-tls", "-tls-version", version,
			"-conns", "5", "-depth", "4", "-warmup", "0", "-duration", "200ms")...)
		require.Contains(t, out, "msgs/s")
		require.Contains(t, out, "TLS "+version)
		require.Equal(t, 0.0, got["errors"])
		require.Positive(t, got["msgs"])
		require.Contains(t, got["tls"], "TLS "+version)
		if runtime.GOOS == "linux" {
			require.NotNil(t, got["server_cpu_per_msg_ns"])
		}
	}
}

// TestTLSOpenLoopJSON: open loop over TLS gives the generator's account
// of its schedule, as on the loop.
func TestTLSOpenLoopJSON(t *testing.T) {
	addr := startTLSEcho(t)
	got, out := runJSON(t, append(pidArgs(), "-addr", addr, "-tls", "-rate", "2000",
		"-conns", "5", "-warmup", "50ms", "-duration", "300ms", "-lag-limit", "1s")...)
	require.Contains(t, out, "open loop at 2000 msgs/s, TLS 1.3")
	require.Contains(t, out, "generator     ")
	require.Equal(t, 0.0, got["errors"])
	open, ok := got["open_loop"].(map[string]any)
	require.True(t, ok, "open_loop: %v", got["open_loop"])
	require.IsType(t, false, open["generator_bound"])
	require.Positive(t, open["sent"])
	require.Equal(t, 1e9, open["lag_limit_ns"])
}

func TestHandshakesJSON(t *testing.T) {
	addr := startTLSEcho(t)
	got, out := runJSON(t, append(pidArgs(), "-addr", addr, "-tls", "-handshakes",
		"-conns", "2", "-warmup", "0", "-duration", "300ms")...)
	require.Contains(t, out, "handshakes/s")
	require.Contains(t, out, "full handshakes, TLS 1.3")
	for _, k := range []string{"server", "conns", "size", "tls", "duration_s", "handshakes", "handshakes_per_s",
		"p50_ns", "p99_ns", "max_ns", "server_cpu_s", "server_cpu_per_handshake_ns", "client_cpu_per_handshake_ns", "errors"} {
		require.Contains(t, got, k)
	}
	require.Equal(t, 0.0, got["errors"])
	require.Positive(t, got["handshakes"])
	require.Equal(t, "TLS 1.3 TLS_AES_128_GCM_SHA256 X25519 ECDSA-P-256", got["tls"])
	if runtime.GOOS == "linux" {
		require.Positive(t, got["server_cpu_per_handshake_ns"])
	}
}

func TestIdleTLSJSON(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	addr := startTLSEcho(t)
	got, out := runJSON(t, append(pidArgs(), "-addr", addr, "-tls", "-idle", "50")...)
	require.Contains(t, out, "idle TLS")
	require.Equal(t, 50.0, got["idle_conns"])
	require.Contains(t, got["tls"], "TLS 1.3")
}

func TestBadTLSFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-tls-version", "1.2"},
		{"-tls-group", "p256"},
		{"-tls", "-tls-version", "1.1"},
		{"-tls", "-tls-group", "secp999"},
		{"-tls", "-tls-version", "1.2", "-tls-group", "x25519mlkem768"},
		{"-tls", "-size", "1000000"},
		{"-handshakes", "-idle", "10", "-pid", "1"},
		{"-handshakes", "-rate", "10"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, &stdout, &stderr)
		require.Equal(t, 2, code, "%q", args)
		require.NotEmpty(t, stderr.String(), "%q", args)
		require.Empty(t, stdout.String(), "%q", args)
	}
}
