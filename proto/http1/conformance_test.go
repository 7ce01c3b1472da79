package http1_test

import (
	"strings"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/http1"
	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

// Conformance to RFC 9112 (and RFC 9110 where it says what a field may
// hold), through a server on a loop: what a server must refuse gets its
// status and a close, the answers to the requests before it still
// delivered, in order, and the request after it never answered; what a
// server must accept is answered.

const post = "POST /echo HTTP/1.1\r\nHost: x\r\n"

// requireRefused sends a good request, bad, and another good request in
// one write, and requires the answer to the first, then status with
// "Connection: close" for bad, then the server's close: nothing after
// bad is read as a request.
func requireRefused(t *testing.T, bad map[string]string, status int) {
	t.Helper()
	pollers(t, func(t *testing.T, opt reactor.Option) {
		s := startWith(t, setup{h: routes(t, nil), loopOpts: []reactor.Option{opt}})
		for name, request := range bad {
			c, br := s.dial(t)
			testkit.SendRaw(t, c, get, request, get)
			resp, body := testkit.ReadResponse(t, br, "GET")
			requireHello(t, resp, body, false)
			resp, body = testkit.ReadResponse(t, br, "POST")
			require.Equal(t, status, resp.StatusCode, "%s: %s", name, body)
			require.True(t, resp.Close, "%s: Connection: close", name)
			testkit.RequireEOF(t, br)
		}
	})
}

// TestRFC9112_6_3_BothLengthAndChunked: Content-Length and
// Transfer-Encoding both (in either order, in any case), the classic
// request smuggling shape, is refused.
func TestRFC9112_6_3_BothLengthAndChunked(t *testing.T) {
	requireRefused(t, map[string]string{
		"length first":  post + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"chunked first": post + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n",
		"any case":      post + "transfer-encoding: Chunked\r\ncontent-length: 0\r\n\r\n0\r\n\r\n",
	}, 400)
}

// TestRFC9112_6_3_DifferentContentLengths: two Content-Length fields that
// disagree, or one with a list, or one that is not a number, is refused.
func TestRFC9112_6_3_DifferentContentLengths(t *testing.T) {
	requireRefused(t, map[string]string{
		"two fields": post + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
		"a list":     post + "Content-Length: 3, 4\r\n\r\nabcd",
		"sign":       post + "Content-Length: +3\r\n\r\nabc",
		"hex":        post + "Content-Length: 0x3\r\n\r\nabc",
		"overflow":   post + "Content-Length: 18446744073709551619\r\n\r\nabc",
	}, 400)
}

// TestRFC9112_6_1_UnknownTransferCoding: a transfer coding other than
// chunked, or chunked twice, gets 501.
func TestRFC9112_6_1_UnknownTransferCoding(t *testing.T) {
	requireRefused(t, map[string]string{
		"gzip":            post + "Transfer-Encoding: gzip\r\n\r\n",
		"gzip, chunked":   post + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
		"chunked twice":   post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"chunked, listed": post + "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
	}, 501)
}

// TestRFC9112_6_1_TransferEncodingInHTTP10: an HTTP/1.0 request with
// Transfer-Encoding is faulty: refused.
func TestRFC9112_6_1_TransferEncodingInHTTP10(t *testing.T) {
	requireRefused(t, map[string]string{
		"1.0 chunked": "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	}, 400)
}

// TestRFC9112_5_2_ObsFoldInFraming: a field folded onto a second line
// (obs-fold), in a framing field above all, is refused rather than
// unfolded.
func TestRFC9112_5_2_ObsFoldInFraming(t *testing.T) {
	requireRefused(t, map[string]string{
		"Transfer-Encoding": post + "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n",
		"Content-Length":    post + "Content-Length: 3\r\n 4\r\n\r\nabcd",
		"tab":               post + "X: a\r\n\tTransfer-Encoding: chunked\r\n\r\n",
	}, 400)
}

// TestRFC9112_2_2_BareCR: a CR not followed by LF, in the request line or
// a field, is refused.
func TestRFC9112_2_2_BareCR(t *testing.T) {
	requireRefused(t, map[string]string{
		"in a value":           post + "X: a\rContent-Length: 3\r\n\r\nabc",
		"ending a field":       post + "Content-Length: 3\r\r\n\r\nabc",
		"in the request line":  "GET /\r HTTP/1.1\r\nHost: x\r\n\r\n",
		"ending the head":      "GET / HTTP/1.1\r\nHost: x\r\n\rX",
		"in a chunk-size line": post + "Transfer-Encoding: chunked\r\n\r\n3\rX\r\nabc\r\n0\r\n\r\n",
	}, 400)
}

// TestRFC9110_5_5_ControlBytesInFields: NUL or another control character
// (but tab) in a field's name or value, or a space before the colon, is
// refused.
func TestRFC9110_5_5_ControlBytesInFields(t *testing.T) {
	requireRefused(t, map[string]string{
		"NUL in a value":      post + "X: a\x00b\r\nContent-Length: 0\r\n\r\n",
		"NUL in a name":       post + "X\x00Y: a\r\nContent-Length: 0\r\n\r\n",
		"escape in a value":   post + "X: \x1b[31m\r\nContent-Length: 0\r\n\r\n",
		"DEL in a value":      post + "X: a\x7fb\r\nContent-Length: 0\r\n\r\n",
		"space before colon":  post + "Content-Length : 0\r\n\r\n",
		"NUL in the target":   "GET /a\x00b HTTP/1.1\r\nHost: x\r\n\r\n",
		"control in a method": "G\x01T / HTTP/1.1\r\nHost: x\r\n\r\n",
	}, 400)
}

// TestRFC9112_7_1_ChunkSizeOverflow: a chunk size too large for any
// integer is refused as malformed, not read modulo 2^64.
func TestRFC9112_7_1_ChunkSizeOverflow(t *testing.T) {
	requireRefused(t, map[string]string{
		"2^64 + 3": post + "Transfer-Encoding: chunked\r\n\r\n10000000000000003\r\nabc\r\n0\r\n\r\n",
		"huge":     post + "Transfer-Encoding: chunked\r\n\r\n" + strings.Repeat("f", 40) + "\r\n",
		"not hex":  post + "Transfer-Encoding: chunked\r\n\r\n-3\r\nabc\r\n0\r\n\r\n",
	}, 400)
}

// TestRFC9112_3_2_HostMissingOrRepeated: an HTTP/1.1 request without a
// Host field, or with two, is refused.
func TestRFC9112_3_2_HostMissingOrRepeated(t *testing.T) {
	requireRefused(t, map[string]string{
		"none": "GET / HTTP/1.1\r\n\r\n",
		"two":  "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
	}, 400)
}

// TestRFC9112_2_3_UnsupportedVersion: a version other than HTTP/1.0 and
// HTTP/1.1 gets 505.
func TestRFC9112_2_3_UnsupportedVersion(t *testing.T) {
	requireRefused(t, map[string]string{
		"2.0": "GET / HTTP/2.0\r\nHost: x\r\n\r\n",
		"1.2": "GET / HTTP/1.2\r\nHost: x\r\n\r\n",
		"3.0": "GET / HTTP/3.0\r\nHost: x\r\n\r\n",
	}, 505)
}

// TestRFC9112_3_2_2_AbsoluteForm: a target in absolute form is accepted:
// its path routes the request, and its authority is the request's host,
// before the Host field.
func TestRFC9112_3_2_2_AbsoluteForm(t *testing.T) {
	s := start(t, routes(t, map[string]http1.HandlerFunc{
		"/where": func(w *http1.ResponseWriter, r *http1.Request) {
			w.WriteString(string(r.Host()) + " " + string(r.Path()) + " " + string(r.Query()))
		},
	}))
	c, br := s.dial(t)
	testkit.SendRaw(t, c, "GET http://example.com:8080/where?a=1 HTTP/1.1\r\nHost: other\r\n\r\n",
		"GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n")
	_, body := testkit.ReadResponse(t, br, "GET")
	require.Equal(t, "example.com:8080 /where a=1", body)
	resp, body := testkit.ReadResponse(t, br, "GET")
	requireHello(t, resp, body, false) // no path: "/"
}

// TestRFC9112_7_1_1_ChunkExtensions: chunk extensions are accepted and
// skipped.
func TestRFC9112_7_1_1_ChunkExtensions(t *testing.T) {
	s := start(t, routes(t, nil))
	c, br := s.dial(t)
	testkit.SendRaw(t, c, post+"Transfer-Encoding: chunked\r\n\r\n"+
		"3;name=value\r\nabc\r\n2 ; a ; b=\"q d\"\r\nde\r\n0;last\r\n\r\n")
	resp, body := testkit.ReadResponse(t, br, "POST")
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "abcde", body)
}

// TestRFC9112_7_1_2_Trailers: a trailer section after the last chunk is
// accepted and skipped, and the request after it is answered.
func TestRFC9112_7_1_2_Trailers(t *testing.T) {
	s := start(t, routes(t, nil))
	c, br := s.dial(t)
	testkit.SendRaw(t, c, post+"Transfer-Encoding: chunked\r\nTrailer: Checksum, Expires\r\n\r\n"+
		"3\r\nabc\r\n0\r\nChecksum: 1234\r\nExpires: never\r\n\r\n", get)
	resp, body := testkit.ReadResponse(t, br, "POST")
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "abc", body)
	resp, body = testkit.ReadResponse(t, br, "GET")
	requireHello(t, resp, body, false)
}
