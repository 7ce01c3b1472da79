package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/resp"
	"github.com/stretchr/testify/require"
)

// startServer runs the server with cfg on a free loopback port until the
// test ends, and returns its address.
func startServer(t *testing.T, cfg config) string {
	_, addr := startServerOf(t, cfg)
	return addr
}

// startServerOf is startServer that also returns the server, whose loops'
// counters a test may read (Stats is safe from any goroutine).
func startServerOf(t *testing.T, cfg config) (*server, string) {
	testkit.CheckLeaks(t)
	cfg.addr = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan net.Addr, 1)
	done := make(chan error, 1)
	var srv *server
	go func() {
		done <- run(ctx, cfg, func(s *server, a net.Addr) {
			srv = s
			addrs <- a
		})
	}()
	var addr net.Addr
	select {
	case addr = <-addrs:
	case err := <-done:
		cancel()
		t.Fatalf("the server returned before listening: %v", err)
	case <-time.After(testkit.Limit):
		cancel()
		t.Fatal("the server did not listen")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(testkit.Limit):
			t.Fatal("the server did not stop")
		}
	})
	return srv, addr.String()
}

// defaults returns the configuration of the command with no flags but
// -loops.
func defaults(loops int) config {
	return config{loops: loops, limits: resp.DefaultLimits()}
}

// client is a test's connection: raw RESP out, whole replies in.
type testConn struct {
	net.Conn
	r *bufio.Reader
}

// dial connects to the server, with a deadline on everything it does;
// the connection closes when the test ends.
func dial(t *testing.T, addr string) *testConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.SetDeadline(time.Now().Add(testkit.Limit)))
	return &testConn{Conn: c, r: bufio.NewReader(c)}
}

// send writes raw bytes.
func (c *testConn) send(t *testing.T, raw string) {
	t.Helper()
	_, err := io.WriteString(c, raw)
	require.NoError(t, err)
}

// reply reads one whole reply and returns it as it came, with its CRLFs.
func (c *testConn) reply(t *testing.T) string {
	t.Helper()
	s, err := readReply(c.r)
	require.NoError(t, err)
	return s
}

// do sends a command as a RESP array and returns its reply.
func (c *testConn) do(t *testing.T, args ...string) string {
	t.Helper()
	c.send(t, command(args...))
	return c.reply(t)
}

// eof requires the server to have closed the connection, with nothing
// more to read.
func (c *testConn) eof(t *testing.T) {
	t.Helper()
	rest, err := io.ReadAll(c.r)
	require.NoError(t, err)
	require.Empty(t, string(rest))
}

// command encodes a request as a RESP array of bulk strings.
func command(args ...string) string {
	b := resp.AppendArray(nil, len(args))
	for _, a := range args {
		b = resp.AppendBulk(b, a)
	}
	return string(b)
}

// readReply reads one RESP2 reply.
func readReply(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return line, err
	}
	if len(line) < 3 || !strings.HasSuffix(line, "\r\n") {
		return line, fmt.Errorf("bad reply line %q", line)
	}
	switch line[0] {
	case '+', '-', ':':
		return line, nil
	case '$', '*':
		n, err := strconv.Atoi(line[1 : len(line)-2])
		if err != nil || n < 0 {
			return line, err
		}
		out := line
		if line[0] == '$' {
			body := make([]byte, n+2)
			_, err = io.ReadFull(r, body)
			return out + string(body), err
		}
		for range n {
			el, err := readReply(r)
			out += el
			if err != nil {
				return out, err
			}
		}
		return out, nil
	}
	return line, fmt.Errorf("bad reply type in %q", line)
}

// bulk is the wire form of a bulk string.
func bulk(s string) string { return string(resp.AppendBulk(nil, s)) }

// homeLoop returns the loop that serves the test's only connection: the
// one whose counters show an open connection.
func homeLoop(t *testing.T, srv *server) int {
	t.Helper()
	home := 0
	testkit.WaitUntil(t, "one loop with the connection", func() bool {
		n := 0
		for i, s := range srv.shards {
			if s.loop.Stats().Conns > 0 {
				home, n = i, n+1
			}
		}
		return n == 1
	})
	return home
}

// queued returns the bytes of replies waiting in the connections' queues
// of every shard (forward.go), now and at their most, as each loop's
// goroutine sees them.
func (srv *server) queued(t *testing.T) (now, peak int) {
	t.Helper()
	for _, s := range srv.shards {
		got := make(chan [2]int, 1)
		require.NoError(t, s.loop.Post(func() { got <- [2]int{s.queued, s.peakQueued} }))
		select {
		case q := <-got:
			now, peak = now+q[0], peak+q[1]
		case <-time.After(testkit.Limit):
			t.Fatal("a loop did not run a posted function")
		}
	}
	return now, peak
}
