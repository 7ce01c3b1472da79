package http1_test

import (
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/http1"
	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

// trickle writes head to c a byte per interval, from a goroutine of its
// own, until it has all gone, a write fails, or the test ends.
func trickle(t *testing.T, c net.Conn, head string, interval time.Duration) {
	stop := make(chan struct{})
	done := make(chan struct{})
	t.Cleanup(func() { close(stop); <-done })
	go func() {
		defer close(done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for i := range len(head) {
			if _, err := c.Write([]byte{head[i]}); err != nil {
				return
			}
			select {
			case <-tick.C:
			case <-stop:
				return
			}
		}
	}()
}

// TestHeaderDeadline: a client that trickles its head a byte at a time,
// each byte well within any per-read timeout, gets 408 at the header
// deadline, counted from its first byte and not moved by the bytes after
// it, and the connection closes.
func TestHeaderDeadline(t *testing.T) {
	pollers(t, func(t *testing.T, opt reactor.Option) {
		const d = 200 * time.Millisecond
		s := startWith(t, setup{h: routes(t, nil), opts: []http1.Option{http1.WithHeaderTimeout(d)}, loopOpts: []reactor.Option{opt}})
		c, br := s.dial(t)
		head := "GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: " + strings.Repeat("a", 200) + "\r\n\r\n"
		began := time.Now()
		trickle(t, c, head, 10*time.Millisecond) // 2 s for the whole head
		resp, body := testkit.ReadResponse(t, br, "GET")
		took := time.Since(began)
		require.Equal(t, 408, resp.StatusCode)
		require.Equal(t, http1.ErrHeaderTimeout.Reason+"\n", body)
		require.True(t, resp.Close)
		require.GreaterOrEqual(t, took, d-10*time.Millisecond, "not before the deadline")
		require.Less(t, took, 4*d, "at the deadline, not when the head would have been whole")
		testkit.RequireEOF(t, br)
	})
}

// TestHeaderDeadlineEndsWithTheHead: a head that arrives in pieces within
// the deadline is answered, and the deadline stops with it: the
// connection, idle after its answer, outlives it, and so does a body that
// takes longer (the head deadline is the head's).
func TestHeaderDeadlineEndsWithTheHead(t *testing.T) {
	const d = 100 * time.Millisecond
	s := start(t, routes(t, nil), http1.WithHeaderTimeout(d), http1.WithIdleTimeout(0))
	c, br := s.dial(t)
	testkit.SendRaw(t, c, "GET / HTTP/1.1\r\n")
	testkit.SendRaw(t, c, "Host: x\r\n\r\n")
	resp, body := testkit.ReadResponse(t, br, "GET")
	requireHello(t, resp, body, false)
	testkit.SendRaw(t, c, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\na")
	requireSilentFor(t, c, 3*d)
	testkit.SendRaw(t, c, "b")
	_, body = testkit.ReadResponse(t, br, "POST")
	require.Equal(t, "ab", body)
	requireSilentFor(t, c, 3*d)
}

// requireSilentFor requires nothing to arrive on c for d: no byte, no
// close.
func requireSilentFor(t *testing.T, c net.Conn, d time.Duration) {
	t.Helper()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(d)))
	n, err := c.Read(make([]byte, 1))
	require.Zero(t, n)
	require.True(t, errors.Is(err, os.ErrDeadlineExceeded), "the connection stays open and silent, got %v", err)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(testkit.Limit)))
}

// TestIdleTimeout: a connection idle between requests for the idle
// timeout is closed without a word; one whose request stopped arriving
// gets 408 first.
func TestIdleTimeout(t *testing.T) {
	pollers(t, func(t *testing.T, opt reactor.Option) {
		s := startWith(t, setup{h: routes(t, nil), loopOpts: []reactor.Option{opt},
			opts: []http1.Option{http1.WithIdleTimeout(50 * time.Millisecond), http1.WithHeaderTimeout(0)}})
		c, br := s.dial(t)
		testkit.SendRaw(t, c, get)
		resp, body := testkit.ReadResponse(t, br, "GET")
		requireHello(t, resp, body, false)
		testkit.RequireEOF(t, br)

		c, br = s.dial(t)
		testkit.SendRaw(t, c, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\npart")
		resp, body = testkit.ReadResponse(t, br, "POST")
		require.Equal(t, 408, resp.StatusCode)
		require.Equal(t, http1.ErrRequestTimeout.Reason+"\n", body)
		testkit.RequireEOF(t, br)
	})
}
