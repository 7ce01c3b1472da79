package main

import (
	"strings"
	"testing"

	"github.com/goreactor/reactor/proto/resp"
	"github.com/stretchr/testify/require"
)

// TestProtocolErrorsClose: a request over a limit, or one that breaks
// RESP, gets "-ERR Protocol error: ..." after the replies to the requests
// before it, then the connection closes; the server goes on serving the
// others. The limits are small here so that short inputs reach them.
func TestProtocolErrorsClose(t *testing.T) {
	cfg := defaults(1)
	cfg.limits = resp.Limits{MaxArgs: 8, MaxBulk: 1 << 10, MaxLine: 1 << 10, MaxRequest: 4 << 10}
	addr := startServer(t, cfg)
	value := strings.Repeat("v", 1<<10)
	for _, c := range []struct{ name, in, reply string }{
		{"bulk over -max-bulk", "*2\r\n$3\r\nGET\r\n$1025\r\n", "invalid bulk length"},
		{"negative bulk length", "*2\r\n$3\r\nGET\r\n$-1\r\n", "invalid bulk length"},
		{"too many arguments", "*9\r\n", "invalid multibulk length"},
		{"count not a number", "*two\r\n", "invalid multibulk length"},
		{"not a bulk string", "*1\r\n:1\r\n", "expected '$'"},
		{"no CRLF after the bulk", "*1\r\n$4\r\nPINGxx", "expected CRLF after bulk data"},
		{"inline line too long", strings.Repeat("x", 1<<10+2), "too big inline request or header"},
		{"unbalanced quotes", "SET k \"v\r\n", "unbalanced quotes in request"},
		{"request over -max-request", command("ECHO", value, value, value, value), "request larger than the server's limit"},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn := dial(t, addr)
			// A request before the bad one is answered first.
			conn.send(t, "PING\r\n"+c.in)
			require.Equal(t, "+PONG\r\n", conn.reply(t))
			require.Equal(t, "-ERR Protocol error: "+c.reply+"\r\n", conn.reply(t))
			conn.eof(t)
		})
	}
	require.Equal(t, "+PONG\r\n", dial(t, addr).do(t, "PING"), "the server serves on")
}

// TestLargestValue: a value of exactly -max-bulk bytes, in a request that
// arrives in many reads, is stored and returned whole.
func TestLargestValue(t *testing.T) {
	c := dial(t, startServer(t, defaults(1)))
	value := strings.Repeat("0123456789abcdef", resp.DefaultMaxBulk/16)
	require.Equal(t, "+OK\r\n", c.do(t, "SET", "big", value))
	require.Equal(t, bulk(value), c.do(t, "GET", "big"))
	require.Equal(t, ":1048576\r\n", c.do(t, "STRLEN", "big"))
}
