package http1_test

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/http1"
	"github.com/stretchr/testify/require"
)

// TestServeDoesNotAllocate: in steady state a request costs no allocation
// anywhere in the process, alone or 16 pipelined: the loop reads it, the
// server parses it in the loop's buffer, the router finds its handler,
// the handler reads the request (a query value decoded, a chunked body
// decoded) and writes its response (a Connection field among its
// fields), the server gathers the responses and the loop sends them; this
// test's client writes and reads with buffers of its own.
func TestServeDoesNotAllocate(t *testing.T) {
	query := func(w *http1.ResponseWriter, r *http1.Request) {
		w.HeaderBytes("X-Name", r.QueryValue("name"))
		w.Header("Connection", "keep-alive") // a list the server reads
		w.Write(r.Header("user-agent"))
	}
	s := start(t, routes(t, map[string]http1.HandlerFunc{"/q": query}))
	c, br := s.dial(t)
	const body = "0123456789abcdef0123456789abcdef"
	for _, cs := range []struct{ name, request string }{
		{"GET /", get},
		{"POST /echo", fmt.Sprintf("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", len(body), body)},
		{"POST /echo chunked", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n" + body[:16] + "\r\n10\r\n" + body[16:] + "\r\n0\r\n\r\n"},
		{"GET /q", "GET /q?name=a%20b HTTP/1.1\r\nHost: x\r\nUser-Agent: test\r\n\r\n"},
	} {
		// The length of the answer, which is the same every time (the
		// Date field's is fixed).
		testkit.SendRaw(t, c, cs.request)
		resp, _ := testkit.ReadResponse(t, br, "GET")
		require.Equal(t, 200, resp.StatusCode)
		answer := make([]byte, answerLength(t, s, cs.request))
		for _, depth := range []int{1, 16} {
			req := []byte(strings.Repeat(cs.request, depth))
			answers := make([]byte, depth*len(answer))
			round := func() {
				if _, err := c.Write(req); err != nil {
					panic(err)
				}
				if _, err := io.ReadFull(br, answers); err != nil {
					panic(err)
				}
			}
			for range 100 { // the buffers, the Head and the rings reach their size
				round()
			}
			require.Zero(t, testing.AllocsPerRun(1000, round), "%s, depth %d", cs.name, depth)
		}
	}
}

// answerLength returns the length, in bytes, of the answer to request.
func answerLength(t *testing.T, s *testServer, request string) int {
	c, _ := s.dial(t)
	testkit.SendRaw(t, c, request+"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	all, err := io.ReadAll(c)
	require.NoError(t, err)
	return strings.LastIndex(string(all), "HTTP/1.1 200 OK\r\n")
}
