package testkit

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// SendRaw writes requests, as they are, on c: for tests of an HTTP server
// that need bytes no client would send, or requests pipelined in one
// write.
func SendRaw(t testing.TB, c net.Conn, requests ...string) {
	t.Helper()
	if _, err := io.WriteString(c, strings.Join(requests, "")); err != nil {
		t.Fatalf("writing requests: %v", err)
	}
}

// ReadResponse reads one HTTP response, to a request of method, from br,
// and its whole body.
func ReadResponse(t testing.TB, br *bufio.Reader, method string) (*http.Response, string) {
	t.Helper()
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		t.Fatalf("reading a response: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading a response's body: %v", err)
	}
	return resp, string(body)
}

// RequireEOF requires the peer to have closed the connection after what
// was read from br: nothing more comes, and the end is an orderly FIN,
// not a reset.
func RequireEOF(t testing.TB, br *bufio.Reader) {
	t.Helper()
	rest, err := io.ReadAll(br)
	if err != nil {
		t.Fatalf("the connection ends with a reset, not FIN: %v", err)
	}
	if len(rest) > 0 {
		t.Fatalf("%d bytes after the last response: %q", len(rest), rest)
	}
}
