package http1_test

import (
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

// TestPipelined: 16 GETs in one write get 16 answers, which leave in as
// many writes as the server made reads (one per pass with input), not one
// per request.
func TestPipelined(t *testing.T) {
	s := start(t, routes(t, nil))
	c, br := s.dial(t)
	testkit.SendRaw(t, c, get) // the connection is open and idle from here
	testkit.ReadResponse(t, br, "GET")
	testkit.WaitUntil(t, "the first answer counted", func() bool { return s.stats().Writes == 1 })
	before := s.stats()

	testkit.SendRaw(t, c, strings.Repeat(get, 16))
	for range 16 {
		resp, body := testkit.ReadResponse(t, br, "GET")
		requireHello(t, resp, body, false)
	}
	testkit.WaitUntil(t, "the answers counted", func() bool { return s.stats().BytesOut == before.BytesOut+uint64(16*len(helloAnswer)) })
	after := s.stats()
	writes, reads := after.Writes-before.Writes, after.Reads-before.Reads
	t.Logf("16 pipelined requests: %d read(s), %d write(s)", reads, writes)
	require.GreaterOrEqual(t, writes, uint64(1))
	require.LessOrEqual(t, writes, reads, "one write per pass at most")
}

// TestResponseBytes: a handler that sets Content-Type and writes a body
// gets exactly these bytes: the status line, its fields in the order set,
// Date, Content-Length, the empty line and the body (the order net/http
// writes them in, so the benchmark's peers send the same bytes).
func TestResponseBytes(t *testing.T) {
	s := start(t, routes(t, nil))
	c, _ := s.dial(t)
	testkit.SendRaw(t, c, get)
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
	s := start(t, routes(t, nil))
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
	testkit.SendRaw(t, c, reqs...)
	for i := range 16 {
		method := "GET"
		if i%4 == 1 || i%4 == 2 {
			method = "POST"
		}
		resp, body := testkit.ReadResponse(t, br, method)
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

// cutStream is a pipeline of every kind of request the routes answer,
// ending with one that closes the connection: whatever way it is cut, the
// answers must be the same bytes (but for the Date).
const cutStream = get +
	"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n" +
	"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" +
	"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
	"3;ext=1\r\nabc\r\n4\r\ndefg\r\n0\r\nTrailer: x\r\n\r\n" +
	"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n" +
	"GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n" +
	"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" +
	"GET / HTTP/1.1\nHost: x\n\n" +
	"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"

// dateValue matches the value of a Date field, which differs from run to
// run.
var dateValue = regexp.MustCompile(`Date: [^\r]*`)

// sendCut sends stream to a new connection in the pieces cuts makes (the
// indices where a piece ends), each read by the server before the next is
// sent, and returns every byte of the answers, up to the server's close,
// with the dates blanked.
func sendCut(t *testing.T, s *testServer, stream string, cuts ...int) string {
	t.Helper()
	c, br := s.dial(t)
	from := 0
	for _, to := range append(cuts, len(stream)) {
		before := s.stats().BytesIn
		testkit.SendRaw(t, c, stream[from:to])
		testkit.WaitUntil(t, "the server to read a piece", func() bool { return s.stats().BytesIn >= before+uint64(to-from) })
		from = to
	}
	answers, err := io.ReadAll(br)
	require.NoError(t, err)
	return dateValue.ReplaceAllString(string(answers), "Date: -")
}

// TestPipelineCutAtEveryByte: a pipeline cut in two at every byte, and
// one sent a byte per read, get the answers of the pipeline sent whole,
// byte for byte: a request is answered once it has all arrived, whatever
// way its bytes came, and the answers keep their order.
func TestPipelineCutAtEveryByte(t *testing.T) {
	pollers(t, func(t *testing.T, opt reactor.Option) {
		s := startWith(t, setup{h: routes(t, nil), loopOpts: []reactor.Option{opt}})
		whole := sendCut(t, s, cutStream)
		require.Equal(t, 9, strings.Count(whole, "HTTP/1.1 "), "nine answers: %q", whole)
		for cut := 1; cut < len(cutStream); cut++ {
			require.Equal(t, whole, sendCut(t, s, cutStream, cut), "cut at byte %d", cut)
		}
		every := make([]int, len(cutStream)-1)
		for i := range every {
			every[i] = i + 1
		}
		require.Equal(t, whole, sendCut(t, s, cutStream, every...), "a byte per read")
	})
}

// TestHTTP10: without "Connection: keep-alive" the server answers and
// closes; with it, the connection stays open and the answer says so.
func TestHTTP10(t *testing.T) {
	s := start(t, routes(t, nil))

	c, br := s.dial(t)
	testkit.SendRaw(t, c, "GET / HTTP/1.0\r\n\r\n")
	resp, body := testkit.ReadResponse(t, br, "GET")
	requireHello(t, resp, body, false)
	require.True(t, resp.Close, "Connection: close") // ReadResponse takes the field out
	testkit.RequireEOF(t, br)

	c, br = s.dial(t)
	keepAlive := "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
	for range 3 {
		testkit.SendRaw(t, c, keepAlive)
		resp, body = testkit.ReadResponse(t, br, "GET")
		requireHello(t, resp, body, false)
		require.Equal(t, "keep-alive", resp.Header.Get("Connection"))
	}
}

// TestConnectionClose: the request that says "Connection: close" is
// answered, then the connection closes; what follows it is not answered.
func TestConnectionClose(t *testing.T) {
	s := start(t, routes(t, nil))
	c, br := s.dial(t)
	testkit.SendRaw(t, c, get, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", get)
	resp, body := testkit.ReadResponse(t, br, "GET")
	requireHello(t, resp, body, false)
	require.False(t, resp.Close)
	resp, body = testkit.ReadResponse(t, br, "GET")
	requireHello(t, resp, body, false)
	require.True(t, resp.Close)
	testkit.RequireEOF(t, br)
}

// TestHalfClose: a client that sends its requests and then FIN, as an
// HTTP/1.0 client may, gets every answer before the server closes.
func TestHalfClose(t *testing.T) {
	s := start(t, routes(t, nil))
	c, br := s.dial(t)
	keepAlive := "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
	testkit.SendRaw(t, c, keepAlive, keepAlive, "POST /echo HTTP/1.0\r\nContent-Length: 3\r\n\r\nend")
	require.NoError(t, c.(*net.TCPConn).CloseWrite())
	for range 2 {
		resp, body := testkit.ReadResponse(t, br, "GET")
		requireHello(t, resp, body, false)
	}
	resp, body := testkit.ReadResponse(t, br, "POST")
	require.Equal(t, "end", body)
	require.True(t, resp.Close)
	testkit.RequireEOF(t, br)

	// A request cut short by the FIN is not answered.
	c, br = s.dial(t)
	testkit.SendRaw(t, c, get, "GET / HTTP/1.1\r\nHost:")
	require.NoError(t, c.(*net.TCPConn).CloseWrite())
	resp, body = testkit.ReadResponse(t, br, "GET")
	requireHello(t, resp, body, false)
	testkit.RequireEOF(t, br)
}
