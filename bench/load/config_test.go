package load

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckLoopback(t *testing.T) {
	ok := []struct{ network, addr string }{
		{"tcp", "127.0.0.1:7777"},
		{"tcp", "127.1.2.3:1"},
		{"tcp4", "127.0.0.1:0"},
		{"tcp", "[::1]:7777"},
		{"tcp6", "[::1]:7777"},
		{"tcp", "localhost:7777"},
		{"unix", "/tmp/echo.sock"},
		{"unix", "@abstract"},
		{"udp", "127.0.0.1:7777"},
		{"udp6", "[::1]:7777"},
	}
	for _, c := range ok {
		require.NoError(t, CheckLoopback(c.network, c.addr), "%s %s", c.network, c.addr)
	}
	refused := []struct{ network, addr string }{
		{"tcp", "10.0.0.1:7777"},
		{"tcp", "128.0.0.1:7777"},
		{"tcp", "0.0.0.0:7777"},
		{"tcp", ":7777"},
		{"tcp", "[::]:7777"},
		{"tcp", "[::2]:7777"},
		{"tcp", "example.com:80"},
		{"tcp", "localhost.example.com:80"},
		{"tcp", "8.8.8.8:53"},
		{"udp", "8.8.8.8:53"},
		{"udp4", "0.0.0.0:53"},
	}
	for _, c := range refused {
		require.ErrorIs(t, CheckLoopback(c.network, c.addr), ErrNotLoopback, "%s %s", c.network, c.addr)
	}
	require.Error(t, CheckLoopback("tcp", "127.0.0.1"), "no port")
	require.Error(t, CheckLoopback("sctp", "127.0.0.1:53"), "not a network of ours")
	require.Error(t, CheckLoopback("unix", ""), "no path")
}

// TestRunRefusesRemote makes sure nothing is dialed elsewhere.
func TestRunRefusesRemote(t *testing.T) {
	_, err := Run(context.Background(), Config{Addr: "192.0.2.1:7777"})
	require.ErrorIs(t, err, ErrNotLoopback)
	_, err = RunIdle(context.Background(), Config{Addr: "192.0.2.1:7777", ServerPID: 1})
	require.ErrorIs(t, err, ErrNotLoopback)
}

func TestConfigChecks(t *testing.T) {
	for _, c := range []Config{
		{Conns: -1},
		{Size: MaxSize + 1},
		{Depth: -2},
		{Size: 1 << 20, Depth: 1000},
		{Rate: -1},
		{Duration: -1},
	} {
		_, err := c.withDefaults()
		require.Error(t, err, "%+v", c)
	}
	c, err := Config{}.withDefaults()
	require.NoError(t, err)
	d := DefaultConfig()
	require.Equal(t, d.Conns, c.Conns)
	require.Equal(t, d.Addr, c.Addr)
	require.Zero(t, c.Warmup, "a zero warmup means none")
}
