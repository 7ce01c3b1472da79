package main

import (
	"context"
	"net"
	"os/exec"
	"strings"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

// TestRedisCLI talks to the server with the real clients, when they are
// installed (bench/redis.sh installs them; the other tests need neither).
func TestRedisCLI(t *testing.T) {
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Skip("redis-cli is not on PATH (apt-get install redis-tools)")
	}
	addr := startServer(t, defaults(1))
	host, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Limit)
	defer cancel()
	redis := func(args ...string) string {
		out, err := exec.CommandContext(ctx, cli, append([]string{"-h", host, "-p", port}, args...)...).CombinedOutput()
		require.NoError(t, err, "%s", out)
		return strings.TrimSpace(string(out))
	}
	require.Equal(t, "PONG", redis("PING"))
	require.Equal(t, "OK", redis("SET", "greeting", "hello", "EX", "60"))
	require.Equal(t, "hello", redis("GET", "greeting"))
	require.Equal(t, "60", redis("TTL", "greeting"))
	require.Equal(t, "(error) ERR unknown command 'NOPE', with args beginning with: 'x'", redis("--no-raw", "NOPE", "x"))

	bench, err := exec.LookPath("redis-benchmark")
	if err != nil {
		t.Log("redis-benchmark is not on PATH: not run")
		return
	}
	// One loop, and two, where MSET's keys are on both shards.
	for _, loops := range []int{1, 2} {
		host, port, err := net.SplitHostPort(startServer(t, defaults(loops)))
		require.NoError(t, err)
		out, err := exec.CommandContext(ctx, bench, "-h", host, "-p", port, "-t", "ping,set,get,incr,mset",
			"-n", "2000", "-r", "1000", "-c", "4", "-P", "8", "-q").CombinedOutput()
		require.NoError(t, err, "%s", out)
		for _, test := range []string{"PING_MBULK: ", "SET: ", "GET: ", "INCR: ", "MSET (10 keys): "} {
			require.Contains(t, string(out), test, "-loops %d: %s", loops, out)
		}
		require.NotContains(t, string(out), "WARN", "%s", out)
	}
}
