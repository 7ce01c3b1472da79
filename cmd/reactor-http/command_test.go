package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

// The command's own tests: its routes, its flags, the bytes the
// benchmark's peers match. The protocol (pipelining, limits, bodies,
// timeouts, streaming, upgrades) is proto/http1's, tested there.

const get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"

// helloAnswer is the answer to get, as it must be to the byte, but for the
// date.
const helloAnswer = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n" +
	"Date: Mon, 02 Jan 2006 15:04:05 GMT\r\nContent-Length: 13\r\n\r\nHello, World!"

// httpDate is the layout of the Date field.
const httpDate = "Mon, 02 Jan 2006 15:04:05 GMT"

// TestHelloBytes: the answer to GET / is the bytes the peers of the
// benchmark send (bench/peers/cmd/peer-http), but for the date.
func TestHelloBytes(t *testing.T) {
	s := start(t, testConfig())
	c, _ := s.dial(t)
	testkit.SendRaw(t, c, get)
	got := make([]byte, len(helloAnswer))
	_, err := io.ReadFull(c, got)
	require.NoError(t, err)
	date := strings.Index(helloAnswer, "Mon, ")
	copy(got[date:], helloAnswer[date:date+len(httpDate)])
	require.Equal(t, helloAnswer, string(got))
}

// newClient returns a net/http client of its own (no connection shared
// with another test), whose idle connections close when the test ends.
func newClient(t *testing.T) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: testkit.Limit}
}

// TestClientRoutes: GET and HEAD of / say hello, POST /echo echoes, other
// paths get 404, other methods 405 with Allow, and the connection stays
// open after each.
func TestClientRoutes(t *testing.T) {
	s := start(t, testConfig())
	cl := newClient(t)
	base := "http://" + s.addr
	for _, c := range []struct {
		method, path string
		status       int
		allow        string
		body         string
	}{
		{"GET", "/", 200, "", hello},
		{"HEAD", "/", 200, "", ""},
		{"GET", "/?a=b", 200, "", hello},
		{"POST", "/echo", 200, "", "sent"},
		{"GET", "/nope", 404, "", "not found\n"},
		{"POST", "/echo/", 404, "", "not found\n"},
		{"DELETE", "/nope", 404, "", "not found\n"},
		{"DELETE", "/", 405, "GET, HEAD", "method not allowed\n"},
		{"POST", "/", 405, "GET, HEAD", "method not allowed\n"},
		{"GET", "/echo", 405, "POST", "method not allowed\n"},
		{"PUT", "/echo", 405, "POST", "method not allowed\n"},
	} {
		req, err := http.NewRequest(c.method, base+c.path, strings.NewReader("sent"))
		require.NoError(t, err)
		resp, err := cl.Do(req)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		what := c.method + " " + c.path
		require.Equal(t, c.status, resp.StatusCode, what)
		require.Equal(t, c.allow, resp.Header.Get("Allow"), what)
		require.Equal(t, c.body, string(body), what)
		require.False(t, resp.Close, what)
	}
	require.EqualValues(t, 1, s.stats().Accepted, "one connection for all")
}

// TestLoops: with -loops 2, connections are spread over the two loops,
// and each loop's handler answers its own (a Date field each).
func TestLoops(t *testing.T) {
	cfg := testConfig()
	cfg.loops = 2
	s := start(t, cfg)
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()
			cl := &http.Client{Transport: tr, Timeout: testkit.Limit}
			for range 5 {
				resp, err := cl.Get("http://" + s.addr + "/")
				if err != nil {
					errs <- err
					return
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err == nil && (string(body) != hello || resp.Header.Get("Date") == "") {
					err = fmt.Errorf("answer %q, Date %q", body, resp.Header.Get("Date"))
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		require.NoError(t, testkit.Receive(t, errs, "a client's end"))
	}
	sum, each := s.g.Stats()
	require.EqualValues(t, 8, sum.Accepted)
	require.Len(t, each, 2)
}

// TestLimitFlags: the limits of the flags reach the server: a body one
// byte over -max-body gets 413, one at it is echoed.
func TestLimitFlags(t *testing.T) {
	cfg := testConfig()
	cfg.lim.MaxBody = 100
	s := start(t, cfg)
	conn, br := s.dial(t)
	body := strings.Repeat("b", 100)
	testkit.SendRaw(t, conn, fmt.Sprintf("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", len(body), body))
	resp, got := testkit.ReadResponse(t, br, "POST")
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, body, got)
	testkit.SendRaw(t, conn, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n")
	resp, _ = testkit.ReadResponse(t, br, "POST")
	require.Equal(t, 413, resp.StatusCode)
	testkit.RequireEOF(t, br)
}

// TestIdleTimeout: a connection that sends nothing for -idle-timeout is
// closed.
func TestIdleTimeout(t *testing.T) {
	cfg := testConfig()
	cfg.idle = 50 * time.Millisecond
	s := start(t, cfg)
	conn, br := s.dial(t)
	testkit.SendRaw(t, conn, get)
	resp, body := testkit.ReadResponse(t, br, "GET")
	requireHello(t, resp, body, false)
	testkit.RequireEOF(t, br)
}

// TestHeaderTimeoutFlag: a head not whole within -header-timeout gets 408.
func TestHeaderTimeoutFlag(t *testing.T) {
	cfg := testConfig()
	cfg.headerTimeout = 50 * time.Millisecond
	s := start(t, cfg)
	conn, br := s.dial(t)
	testkit.SendRaw(t, conn, "GET / HTTP/1.1\r\nHost:")
	resp, _ := testkit.ReadResponse(t, br, "GET")
	require.Equal(t, 408, resp.StatusCode)
	testkit.RequireEOF(t, br)
}

// TestBadFlags: a limit or a timeout out of range stops the server before
// it listens.
func TestBadFlags(t *testing.T) {
	cfg := testConfig()
	cfg.lim.MaxHeaders = 0
	err := serve(t.Context(), cfg, nil)
	require.ErrorContains(t, err, "MaxHeaders 0")
	cfg = testConfig()
	cfg.lim.MaxChunkOverhead = 0
	require.ErrorContains(t, serve(t.Context(), cfg, nil), "MaxChunkOverhead 0")
	cfg = testConfig()
	cfg.idle = -time.Second
	require.ErrorContains(t, serve(t.Context(), cfg, nil), "WithIdleTimeout(-1s)")
	cfg = testConfig()
	cfg.loops = 0
	require.Error(t, serve(t.Context(), cfg, nil))
}

// TestEchoChunked: POST /echo with a chunked body answers its data, sized.
func TestEchoChunked(t *testing.T) {
	s := start(t, testConfig())
	conn, br := s.dial(t)
	testkit.SendRaw(t, conn, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7\r\n, chunk\r\n0\r\n\r\n")
	resp, body := testkit.ReadResponse(t, br, "POST")
	require.Equal(t, int64(len("hello, chunk")), resp.ContentLength)
	require.True(t, bytes.Equal([]byte("hello, chunk"), []byte(body)))
}
