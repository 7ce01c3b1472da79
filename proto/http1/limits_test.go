package http1_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/http1"
	"github.com/stretchr/testify/require"
)

// smallLimits are limits a test reaches with a few bytes.
var smallLimits = http1.Limits{MaxRequestLine: 64, MaxHeaderBytes: 256, MaxHeaders: 5, MaxBody: 1024, MaxChunkOverhead: 4096}

// TestLimits: each limit, and each kind of malformed request, gets its
// status with "Connection: close", and then the server closes. Only the
// request up to where the error is told is sent: the answer must not wait
// for the rest (a body that would pass the limit, say).
func TestLimits(t *testing.T) {
	s := start(t, routes(t, nil), http1.WithLimits(smallLimits))
	const post = "POST /echo HTTP/1.1\r\nHost: x\r\n"
	longExt := ";" + strings.Repeat("e", 1000) + "\r\n"
	for _, c := range []struct {
		name    string
		request string
		status  int
	}{
		{"request line", "GET /" + strings.Repeat("a", 64) + " HTTP/1.1\r\n", 414},
		{"request line, not ended", "GET /" + strings.Repeat("a", 64), 414},
		{"header bytes", "GET / HTTP/1.1\r\nHost: x\r\nBig: " + strings.Repeat("b", 250) + "\r\n", 431},
		{"header count", "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n", 431},
		{"Content-Length", post + "Content-Length: 1025\r\n\r\n", 413},
		{"chunk size", post + "Transfer-Encoding: chunked\r\n\r\n200\r\n" + strings.Repeat("c", 512) + "\r\n201\r\n", 413},
		// Chunks of one byte, each with a kilobyte of extension, take the
		// framing past MaxChunkOverhead long before their data reaches
		// MaxBody.
		{"chunked encoding", post + "Transfer-Encoding: chunked\r\n\r\n" + strings.Repeat("1"+longExt+"x\r\n", 100), 413},
		{"not HTTP", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400},
		{"malformed field", "GET / HTTP/1.1\r\nHost: x\r\nNo colon\r\n\r\n", 400},
		{"no Host", "GET / HTTP/1.1\r\n\r\n", 400},
		{"both lengths", post + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
		{"bad chunk", post + "Transfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
		{"transfer coding", post + "Transfer-Encoding: gzip\r\n\r\n", 501},
		{"version", "GET / HTTP/2.0\r\n\r\n", 505},
	} {
		conn, br := s.dial(t)
		testkit.SendRaw(t, conn, get) // a good request first: the connection was in use
		resp, body := testkit.ReadResponse(t, br, "GET")
		requireHello(t, resp, body, false)
		testkit.SendRaw(t, conn, c.request)
		resp, body = testkit.ReadResponse(t, br, "GET")
		require.Equal(t, c.status, resp.StatusCode, c.name)
		require.True(t, resp.Close, "%s: Connection: close", c.name)
		require.NotEmpty(t, body, c.name)
		testkit.RequireEOF(t, br)
		conn.Close()
	}
}

// TestLimitsAtTheirValue: a request at every limit at once is answered.
func TestLimitsAtTheirValue(t *testing.T) {
	s := start(t, routes(t, nil), http1.WithLimits(smallLimits))
	conn, br := s.dial(t)
	line := "POST /echo?" + strings.Repeat("q", 64-len("POST /echo? HTTP/1.1")) + " HTTP/1.1\r\n"
	fields := "Host: x\r\nA: 1\r\nB: 2\r\nContent-Length: 1024\r\n"
	fields += "Pad: " + strings.Repeat("p", 256-len(fields)-len("Pad: \r\n")) + "\r\n"
	body := strings.Repeat("d", 1024)
	testkit.SendRaw(t, conn, line+fields+"\r\n"+body)
	resp, got := testkit.ReadResponse(t, br, "POST")
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, body, got)
}

// TestRefuseReason: the answer's body is the error's reason.
func TestRefuseReason(t *testing.T) {
	s := start(t, routes(t, nil))
	conn, br := s.dial(t)
	testkit.SendRaw(t, conn, "GET / HTTP/1.1\r\n\r\n")
	resp, body := testkit.ReadResponse(t, br, "GET")
	require.Equal(t, 400, resp.StatusCode)
	require.Equal(t, http1.ErrHost.Reason+"\n", body)
	require.Equal(t, fmt.Sprint(len(body)), resp.Header.Get("Content-Length"))
	testkit.RequireEOF(t, br)
}
