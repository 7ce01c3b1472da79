package http1_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptrace"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/http1"
	"github.com/stretchr/testify/require"
)

// do sends a request and returns the response with its body read.
func do(t *testing.T, cl *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := cl.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body)
}

func newRequest(t *testing.T, method, url string, body io.Reader) *http.Request {
	req, err := http.NewRequest(method, url, body)
	require.NoError(t, err)
	return req
}

// transports runs f against a server started with s, over plain TCP, TLS
// and a Unix socket.
func transports(t *testing.T, s setup, f func(t *testing.T, srv *testServer)) {
	for _, tr := range []struct {
		name      string
		tls, unix bool
	}{{"tcp", false, false}, {"tls", true, false}, {"unix", false, true}} {
		t.Run(tr.name, func(t *testing.T) {
			s := s
			s.tls, s.unix = tr.tls, tr.unix
			f(t, startWith(t, s))
		})
	}
}

// TestClientKeepAlive: net/http's client sends its requests one after
// another on one connection, which the server keeps open; HEAD gets the
// head of GET's answer, Content-Length included, and no body.
func TestClientKeepAlive(t *testing.T) {
	transports(t, setup{h: routes(t, nil)}, func(t *testing.T, s *testServer) {
		cl := s.client(t)
		reused := 0
		for i := range 10 {
			req := newRequest(t, "GET", s.url("/"), nil)
			trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
				if info.Reused {
					reused++
				}
			}}
			resp, body := do(t, cl, req.WithContext(httptrace.WithClientTrace(req.Context(), trace)))
			requireHello(t, resp, body, false)
			require.False(t, resp.Close, "request %d: the connection stays open", i)
		}
		require.Equal(t, 9, reused, "every request after the first reuses the connection")

		resp, body := do(t, cl, newRequest(t, "HEAD", s.url("/"), nil))
		requireHello(t, resp, body, true)
		require.EqualValues(t, 1, s.stats().Accepted)
	})
}

// TestClientEcho: POST /echo with a Content-Length, with a chunked body
// (net/http chunks a body of unknown length), large enough (4 MiB) to
// arrive in many reads and leave in many writes, and empty; and with
// "Expect: 100-continue", which gets 100 Continue before the body is sent.
func TestClientEcho(t *testing.T) {
	lim := http1.DefaultLimits()
	lim.MaxBody = 4 << 20
	s := setup{h: routes(t, nil), opts: []http1.Option{http1.WithLimits(lim), http1.WithResponseRoom(lim.MaxBody + 4<<10)}}
	transports(t, s, func(t *testing.T, s *testServer) {
		cl := s.client(t)
		big := bytes.Repeat([]byte("0123456789abcdef"), lim.MaxBody/16)
		for _, c := range []struct {
			name   string
			body   []byte
			length bool // send a Content-Length, not chunks
			expect bool // with "Expect: 100-continue"
		}{
			{"length", []byte("hello, reactor"), true, false},
			{"chunked", []byte("hello, chunks"), false, false},
			{"length-large", big, true, false},
			{"chunked-large", big, false, false},
			{"empty", nil, true, false},
			{"length-expect", big, true, true},
			{"chunked-expect", big, false, true},
		} {
			var body io.Reader = bytes.NewReader(c.body)
			if !c.length {
				body = io.MultiReader(body) // hides the length: the client chunks
			}
			req := newRequest(t, "POST", s.url("/echo"), body)
			continued := false
			if c.expect {
				req.Header.Set("Expect", "100-continue")
				trace := &httptrace.ClientTrace{Got100Continue: func() { continued = true }}
				req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
			}
			resp, got := do(t, cl, req)
			require.Equal(t, 200, resp.StatusCode, c.name)
			require.Equal(t, "application/octet-stream", resp.Header.Get("Content-Type"), c.name)
			require.Equal(t, int64(len(c.body)), resp.ContentLength, c.name)
			require.True(t, string(c.body) == got, "%s: the echo differs from the %d bytes sent", c.name, len(c.body))
			require.Equal(t, c.expect, continued, "%s: 100 Continue", c.name)
		}
		require.EqualValues(t, 1, s.stats().Accepted, "one connection for all")
	})
}

// TestDateRefreshed: the Date field changes with the clock, by the loop's
// timer. The answers of one second share one formatted date, so this
// waits for the next second: a second at most.
func TestDateRefreshed(t *testing.T) {
	s := start(t, routes(t, nil))
	c, br := s.dial(t)
	date := func() string {
		testkit.SendRaw(t, c, get)
		resp, _ := testkit.ReadResponse(t, br, "GET")
		return resp.Header.Get("Date")
	}
	first := date()
	testkit.WaitUntil(t, "the Date field to change from "+first, func() bool { return date() != first })
	d, err := http.ParseTime(date())
	require.NoError(t, err)
	require.WithinDuration(t, time.Now(), d, 2*time.Second)
}
