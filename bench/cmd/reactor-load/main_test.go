package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

type echo struct{}

func (echo) OnOpen(*reactor.Conn) {}
func (echo) OnData(c *reactor.Conn) {
	p, _ := c.Next(0)
	c.Write(p)
}
func (echo) OnClose(*reactor.Conn, error) {}

// startEcho runs an echo server in this process until the test ends.
func startEcho(t *testing.T) string {
	l, err := reactor.New(echo{})
	require.NoError(t, err)
	a, err := l.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- l.Run(context.Background()) }()
	t.Cleanup(func() {
		l.Stop()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(testkit.Limit):
			t.Fatal("the echo server did not stop")
		}
	})
	return a.String()
}

// TestJSON runs the command and checks the fields the benchmark scripts
// read.
func TestJSON(t *testing.T) {
	addr := startEcho(t)
	path := filepath.Join(t.TempDir(), "out.json")
	args := []string{"-addr", addr, "-conns", "5", "-depth", "4", "-warmup", "0", "-duration", "200ms",
		"-progress", "0", "-server", "reactor", "-json", path}
	if runtime.GOOS == "linux" {
		args = append(args, "-pid", strconv.Itoa(os.Getpid()))
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	require.Equal(t, 0, code, "stderr:\n%s", &stderr)
	require.Contains(t, stdout.String(), "msgs/s")
	require.Contains(t, stdout.String(), "p99.9")

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.Unmarshal(data, &got))
	for _, k := range []string{"server", "conns", "size", "depth", "rate", "duration_s", "msgs", "msgs_per_s",
		"mb_per_s", "p50_ns", "p99_ns", "p999_ns", "max_ns", "server_cpu_s", "server_cpu_per_msg_ns",
		"client_cpu_per_msg_ns", "errors"} {
		require.Contains(t, got, k)
	}
	require.Equal(t, "reactor", got["server"])
	require.Equal(t, 5.0, got["conns"])
	require.Equal(t, 4.0, got["depth"])
	require.Equal(t, 0.0, got["errors"])
	require.Positive(t, got["msgs"])
	if runtime.GOOS == "linux" {
		require.NotNil(t, got["server_cpu_s"])
	}
}

// TestOpenLoopJSON checks the generator's account of an open-loop run, in
// the summary and the JSON.
func TestOpenLoopJSON(t *testing.T) {
	addr := startEcho(t)
	path := filepath.Join(t.TempDir(), "open.json")
	var stdout, stderr bytes.Buffer
	// The verdict itself is package load's to test: a busy test machine
	// may make this run generator-bound, and the command says so.
	code := run(context.Background(), []string{"-addr", addr, "-conns", "5", "-rate", "2000", "-warmup", "50ms",
		"-duration", "300ms", "-progress", "0", "-lag-limit", "1s", "-json", path}, &stdout, &stderr)
	require.Equal(t, 0, code, "stderr:\n%s", &stderr)
	for _, want := range []string{"open loop at 2000 msgs/s", "schedule", "send lag", "generator     "} {
		require.Contains(t, stdout.String(), want)
	}
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var got struct {
		Rate float64                    `json:"rate"`
		Open map[string]json.RawMessage `json:"open_loop"`
	}
	require.NoError(t, json.Unmarshal(data, &got))
	require.Equal(t, 2000.0, got.Rate)
	for _, k := range []string{"due", "issued", "sent", "sent_per_s", "held", "backlog", "lag_p50_ns", "lag_p99_ns",
		"lag_max_ns", "lag_limit_ns", "late", "max_send_lag_ns", "generator_bound"} {
		require.Contains(t, got.Open, k)
	}
	if string(got.Open["generator_bound"]) == "false" {
		require.Contains(t, stdout.String(), "kept its schedule")
		require.NotContains(t, got.Open, "generator_bound_why")
	} else {
		require.Contains(t, stdout.String(), "GENERATOR-BOUND: ")
		require.Contains(t, got.Open, "generator_bound_why")
	}
}

func TestIdleJSON(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	addr := startEcho(t)
	path := filepath.Join(t.TempDir(), "idle.json")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-addr", addr, "-idle", "50", "-pid", strconv.Itoa(os.Getpid()),
		"-json", path, "-server", "reactor"}, &stdout, &stderr)
	require.Equal(t, 0, code, "stderr:\n%s", &stderr)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.Unmarshal(data, &got))
	for _, k := range []string{"server", "idle_conns", "rss_before", "rss_after", "rss_per_conn_bytes"} {
		require.Contains(t, got, k)
	}
	require.Equal(t, 50.0, got["idle_conns"])
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-addr", "10.1.2.3:7777"},
		{"-addr", "example.com:7777"},
		{"-idle", "10"}, // no -pid
		{"-conns", "0"},
		{"-rate", "-5"},
		{"-lag-limit", "1ms"}, // without -rate
		{"-rate", "100", "-lag-limit", "0s"},
		{"-nonsense"},
		{"extra"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, &stdout, &stderr)
		require.Equal(t, 2, code, "%q", args)
		require.NotEmpty(t, stderr.String(), "%q", args)
		require.Empty(t, stdout.String(), "%q", args)
	}
}
