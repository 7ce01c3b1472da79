package main

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/http1"
	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

// testConfig is one loop on a port the kernel picks, with the default
// limits.
func testConfig() config {
	return config{addr: "127.0.0.1:0", loops: 1, lim: http1.DefaultLimits(), headerTimeout: http1.DefaultHeaderTimeout}
}

// server is a running reactor-http, in this process.
type testServer struct {
	addr string
	g    *reactor.Group
}

// start runs the server with cfg until the test ends; then it stops it,
// checks that serve returned nil, and checks that no goroutine or fd the
// test opened is left.
func start(t testing.TB, cfg config) *testServer {
	t.Helper()
	testkit.CheckLeaks(t)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan *testServer, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, cfg, func(a net.Addr, g *reactor.Group) { ready <- &testServer{a.String(), g} })
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err, "serve")
		case <-time.After(testkit.Limit):
			t.Fatal("serve did not return")
		}
	})
	select {
	case s := <-ready:
		return s
	case err := <-done:
		t.Fatalf("serve returned before listening: %v", err)
	case <-time.After(testkit.Limit):
		t.Fatal("the server did not listen")
	}
	return nil
}

// stats returns the server's counters, summed over its loops.
func (s *testServer) stats() reactor.Stats {
	sum, _ := s.g.Stats()
	return sum
}

// dial connects to the server, with a deadline on every operation, and
// returns the connection and a reader of it; the connection is closed when
// the test ends.
func (s *testServer) dial(t *testing.T) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.DialTimeout("tcp", s.addr, testkit.Limit)
	require.NoError(t, err)
	require.NoError(t, c.SetDeadline(time.Now().Add(testkit.Limit)))
	t.Cleanup(func() { c.Close() })
	return c, bufio.NewReader(c)
}

// requireHello checks an answer to GET / or HEAD /.
func requireHello(t *testing.T, resp *http.Response, body string, head bool) {
	t.Helper()
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))
	require.Equal(t, int64(len(hello)), resp.ContentLength)
	date, err := http.ParseTime(resp.Header.Get("Date"))
	require.NoError(t, err)
	require.WithinDuration(t, time.Now(), date, 5*time.Second)
	if head {
		require.Empty(t, body)
	} else {
		require.Equal(t, hello, body)
	}
}
