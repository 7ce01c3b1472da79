package main

import (
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

// TestExpiry: keys with an expiry vanish on the loop's timers, with no
// command looking at them (DBSIZE counts keys without looking at them);
// PERSIST and a later SET take the expiry away.
func TestExpiry(t *testing.T) {
	c := dial(t, startServer(t, defaults(1)))
	for _, cmd := range [][]string{
		{"SET", "a", "1", "PX", "20"},
		{"SET", "b", "1", "PX", "20"},
		{"SET", "c", "1", "PX", "20"},
		{"SET", "d", "1", "EX", "100"},
	} {
		require.Equal(t, "+OK\r\n", c.do(t, cmd...))
	}
	require.Equal(t, ":1\r\n", c.do(t, "PERSIST", "b"))
	require.Equal(t, "+OK\r\n", c.do(t, "SET", "c", "2"))
	require.Equal(t, ":1\r\n", c.do(t, "PEXPIRE", "d", "30"))
	testkit.WaitUntil(t, "keys left", func() bool { return c.do(t, "DBSIZE") == ":2\r\n" })
	require.Equal(t, "*4\r\n$-1\r\n"+bulk("1")+bulk("2")+"$-1\r\n", c.do(t, "MGET", "a", "b", "c", "d"))
	require.Equal(t, ":-1\r\n", c.do(t, "TTL", "b"))
	require.Equal(t, ":-2\r\n", c.do(t, "TTL", "a"))
}
