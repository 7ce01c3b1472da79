package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// newClient returns a net/http client of its own (no connection shared
// with another test), whose idle connections close when the test ends.
func newClient(t *testing.T) *http.Client {
	tr := &http.Transport{ExpectContinueTimeout: testLimit}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: testLimit}
}

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

// TestClientKeepAlive: net/http's client sends its requests one after
// another on one connection, which the server keeps open.
func TestClientKeepAlive(t *testing.T) {
	s := start(t, testConfig())
	cl := newClient(t)
	reused := 0
	for i := range 10 {
		req := newRequest(t, "GET", "http://"+s.addr+"/", nil)
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
	require.EqualValues(t, 1, s.stats().Accepted)

	resp, body := do(t, cl, newRequest(t, "HEAD", "http://"+s.addr+"/", nil))
	requireHello(t, resp, body, true)
}

// TestClientEcho: POST /echo with a Content-Length, with a chunked body
// (net/http chunks a body of unknown length), large enough to arrive in
// many reads, and empty; and with "Expect: 100-continue".
func TestClientEcho(t *testing.T) {
	s := start(t, testConfig())
	cl := newClient(t)
	url := "http://" + s.addr + "/echo"
	big := bytes.Repeat([]byte("0123456789abcdef"), 40<<10) // 640 KiB
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
		req := newRequest(t, "POST", url, body)
		if c.expect {
			req.Header.Set("Expect", "100-continue")
		}
		resp, got := do(t, cl, req)
		require.Equal(t, 200, resp.StatusCode, c.name)
		require.Equal(t, "application/octet-stream", resp.Header.Get("Content-Type"), c.name)
		require.Equal(t, int64(len(c.body)), resp.ContentLength, c.name)
		require.True(t, string(c.body) == got, "%s: the echo differs from the %d bytes sent", c.name, len(c.body))
	}
	require.EqualValues(t, 1, s.stats().Accepted, "one connection for all")
}

// TestClientRoutes: other paths get 404, other methods 405 with Allow, and
// the connection stays open after either.
func TestClientRoutes(t *testing.T) {
	s := start(t, testConfig())
	cl := newClient(t)
	base := "http://" + s.addr
	for _, c := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/nope", 404, ""},
		{"POST", "/echo/", 404, ""},
		{"DELETE", "/", 405, "GET, HEAD"},
		{"POST", "/", 405, "GET, HEAD"},
		{"GET", "/echo", 405, "POST"},
		{"PUT", "/echo", 405, "POST"},
		{"GET", "/?a=b", 200, ""},
	} {
		resp, body := do(t, cl, newRequest(t, c.method, base+c.path, strings.NewReader("ignored")))
		require.Equal(t, c.status, resp.StatusCode, "%s %s", c.method, c.path)
		require.Equal(t, c.allow, resp.Header.Get("Allow"), "%s %s", c.method, c.path)
		require.NotEmpty(t, body)
		require.False(t, resp.Close)
	}
	require.EqualValues(t, 1, s.stats().Accepted, "one connection for all")
}

// TestDateRefreshed: the Date field changes with the clock, by the loop's
// timer. The answers of one second share one formatted date, so this
// waits for the next second: a second at most.
func TestDateRefreshed(t *testing.T) {
	s := start(t, testConfig())
	c, br := s.dial(t)
	get := func() string {
		send(t, c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, _ := response(t, br, "GET")
		return resp.Header.Get("Date")
	}
	first := get()
	deadline := time.Now().Add(testLimit)
	for get() == first {
		require.True(t, time.Now().Before(deadline), "the Date field stays %s", first)
		time.Sleep(10 * time.Millisecond)
	}
	date, err := http.ParseTime(get())
	require.NoError(t, err)
	require.WithinDuration(t, time.Now(), date, 2*time.Second)
}

// TestLoops: with two loops, connections are spread over them, and each
// loop's handler answers its own (a Date field each).
func TestLoops(t *testing.T) {
	cfg := testConfig()
	cfg.loops = 2
	s := start(t, cfg)
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()
			cl := &http.Client{Transport: tr, Timeout: testLimit}
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
		require.NoError(t, <-errs)
	}
	sum, each := s.g.Stats()
	require.EqualValues(t, 8, sum.Accepted)
	require.Len(t, each, 2)
}
