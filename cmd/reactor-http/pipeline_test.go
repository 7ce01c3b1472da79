package main

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"

// helloAnswer is the answer to get, as it must be to the byte, but for the
// date.
const helloAnswer = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n" +
	"Date: Mon, 02 Jan 2006 15:04:05 GMT\r\nContent-Length: 13\r\n\r\nHello, World!"

// TestPipelined: 16 GETs in one write get 16 answers, which leave in as
// many writes as the server made reads (one per pass with input), not one
// per request.
func TestPipelined(t *testing.T) {
	s := start(t, testConfig())
	c, br := s.dial(t)
	send(t, c, get) // the connection is open and idle from here
	response(t, br, "GET")
	waitUntil(t, "the first answer counted", func() bool { return s.stats().Writes == 1 })
	before := s.stats()

	send(t, c, strings.Repeat(get, 16))
	for range 16 {
		resp, body := response(t, br, "GET")
		requireHello(t, resp, body, false)
	}
	waitUntil(t, "the answers counted", func() bool { return s.stats().BytesOut == before.BytesOut+uint64(16*len(helloAnswer)) })
	after := s.stats()
	writes, reads := after.Writes-before.Writes, after.Reads-before.Reads
	t.Logf("16 pipelined requests: %d read(s), %d write(s)", reads, writes)
	require.GreaterOrEqual(t, writes, uint64(1))
	require.LessOrEqual(t, writes, reads, "one write per pass at most")
}

// TestHelloBytes: the answer to GET / is the bytes the peers of the
// benchmark send (bench/peers/cmd/peer-http), but for the date.
func TestHelloBytes(t *testing.T) {
	s := start(t, testConfig())
	c, _ := s.dial(t)
	send(t, c, get)
	got := make([]byte, len(helloAnswer))
	_, err := io.ReadFull(c, got)
	require.NoError(t, err)
	date := strings.Index(helloAnswer, "Mon, ")
	copy(got[date:], helloAnswer[date:date+len(httpDate)])
	require.Equal(t, helloAnswer, string(got))
}

// TestPipelinedInOrder: different requests in one write, some with bodies,
// each answered in its turn.
func TestPipelinedInOrder(t *testing.T) {
	s := start(t, testConfig())
	c, br := s.dial(t)
	var reqs []string
	for i := range 16 {
		switch i % 4 {
		case 0:
			reqs = append(reqs, get)
		case 1:
			body := fmt.Sprint("body ", i)
			reqs = append(reqs, fmt.Sprintf("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", len(body), body))
		case 2:
			reqs = append(reqs, fmt.Sprintf("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nchunk\r\n%x\r\n %d\r\n0\r\n\r\n", len(fmt.Sprint(" ", i)), i))
		case 3:
			reqs = append(reqs, fmt.Sprintf("GET /nope/%d HTTP/1.1\r\nHost: x\r\n\r\n", i))
		}
	}
	send(t, c, reqs...)
	for i := range 16 {
		method := "GET"
		if i%4 == 1 || i%4 == 2 {
			method = "POST"
		}
		resp, body := response(t, br, method)
		switch i % 4 {
		case 0:
			requireHello(t, resp, body, false)
		case 1:
			require.Equal(t, fmt.Sprint("body ", i), body)
		case 2:
			require.Equal(t, fmt.Sprint("chunk ", i), body)
		case 3:
			require.Equal(t, 404, resp.StatusCode)
		}
	}
}

// TestPipelinedCut: requests cut anywhere, even inside a line end or a
// chunk, are answered once they have all arrived.
func TestPipelinedCut(t *testing.T) {
	s := start(t, testConfig())
	c, br := s.dial(t)
	stream := get + "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" + get
	for i := 0; i < len(stream); i += 7 {
		send(t, c, stream[i:min(i+7, len(stream))])
	}
	resp, body := response(t, br, "GET")
	requireHello(t, resp, body, false)
	_, body = response(t, br, "POST")
	require.Equal(t, "abc", body)
	resp, body = response(t, br, "GET")
	requireHello(t, resp, body, false)
}

// TestHTTP10: without "Connection: keep-alive" the server answers and
// closes; with it, the connection stays open and the answer says so.
func TestHTTP10(t *testing.T) {
	s := start(t, testConfig())

	c, br := s.dial(t)
	send(t, c, "GET / HTTP/1.0\r\n\r\n")
	resp, body := response(t, br, "GET")
	requireHello(t, resp, body, false)
	require.True(t, resp.Close, "Connection: close") // ReadResponse takes the field out
	requireEOF(t, br)

	c, br = s.dial(t)
	keepAlive := "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
	for range 3 {
		send(t, c, keepAlive)
		resp, body = response(t, br, "GET")
		requireHello(t, resp, body, false)
		require.Equal(t, "keep-alive", resp.Header.Get("Connection"))
	}
}

// TestConnectionClose: the request that says "Connection: close" is
// answered, then the connection closes; what follows it is not answered.
func TestConnectionClose(t *testing.T) {
	s := start(t, testConfig())
	c, br := s.dial(t)
	send(t, c, get, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", get)
	resp, body := response(t, br, "GET")
	requireHello(t, resp, body, false)
	require.False(t, resp.Close)
	resp, body = response(t, br, "GET")
	requireHello(t, resp, body, false)
	require.True(t, resp.Close)
	requireEOF(t, br)
}

// TestHalfClose: a client that sends its requests and then FIN, as an
// HTTP/1.0 client may, gets every answer before the server closes.
func TestHalfClose(t *testing.T) {
	s := start(t, testConfig())
	c, br := s.dial(t)
	keepAlive := "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
	send(t, c, keepAlive, keepAlive, "POST /echo HTTP/1.0\r\nContent-Length: 3\r\n\r\nend")
	require.NoError(t, c.(*net.TCPConn).CloseWrite())
	for range 2 {
		resp, body := response(t, br, "GET")
		requireHello(t, resp, body, false)
	}
	resp, body := response(t, br, "POST")
	require.Equal(t, "end", body)
	require.True(t, resp.Close)
	requireEOF(t, br)

	// A request cut short by the FIN is not answered.
	c, br = s.dial(t)
	send(t, c, get, "GET / HTTP/1.1\r\nHost:")
	require.NoError(t, c.(*net.TCPConn).CloseWrite())
	resp, body = response(t, br, "GET")
	requireHello(t, resp, body, false)
	requireEOF(t, br)
}
