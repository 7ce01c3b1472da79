package http1_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/http1"
	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

// TestResponseHeaderInjection: a field whose name is not a token, or whose
// value could end the line (CR, LF) or holds another control byte, is
// refused with ErrInvalidHeader and adds nothing, so a value taken from a
// request cannot add fields or a body of its own; the fields the server
// writes are refused with ErrReservedHeader.
func TestResponseHeaderInjection(t *testing.T) {
	errs := make(chan []error, 1)
	h := func(w *http1.ResponseWriter, r *http1.Request) {
		var got []error
		for _, f := range [][2]string{
			{"X-Ok", "fine\tvalue"},
			{"X-Split", "a\r\nSet-Cookie: evil=1"},
			{"X-Lf", "a\nb"},
			{"X-Cr", "a\rb"},
			{"X-Nul", "a\x00b"},
			{"X-Esc", "\x1b[31m"},
			{"Bad Name", "v"},
			{"Bad:Name", "v"},
			{"", "v"},
			{"Content-Length", "0"},
			{"transfer-encoding", "chunked"},
			{"DATE", "Mon, 02 Jan 2006 15:04:05 GMT"},
		} {
			got = append(got, w.Header(f[0], f[1]))
		}
		got = append(got, w.HeaderBytes("X-Bytes", []byte("a\r\n\r\nbody")), w.HeaderBytes("X-Bytes", []byte("ok")))
		errs <- got
		w.WriteString("body")
	}
	s := start(t, http1.HandlerFunc(h))
	c, br := s.dial(t)
	testkit.SendRaw(t, c, get)
	resp, body := testkit.ReadResponse(t, br, "GET")
	got := testkit.Receive(t, errs, "the handler's errors")
	invalid, reserved := http1.ErrInvalidHeader, http1.ErrReservedHeader
	want := []error{nil, invalid, invalid, invalid, invalid, invalid, invalid, invalid, invalid, reserved, reserved, reserved, invalid, nil}
	require.Len(t, got, len(want))
	for i := range want {
		require.ErrorIs(t, got[i], want[i], "field %d", i)
		if want[i] == nil {
			require.NoError(t, got[i], "field %d", i)
		}
	}
	require.Equal(t, "body", body)
	require.Equal(t, "fine\tvalue", resp.Header.Get("X-Ok"))
	require.Equal(t, "ok", resp.Header.Get("X-Bytes"))
	require.Empty(t, resp.Header.Get("Set-Cookie"))
	require.Equal(t, []string{"4"}, resp.Header["Content-Length"], "the server's own, once")
	require.Len(t, resp.Header["Date"], 1)
}

// TestResponseStatus: the status line carries the reason phrase of a
// known code, an empty one for another; a code out of range is 500;
// 204 and 304 have neither body nor Content-Length, whatever the handler
// wrote.
func TestResponseStatus(t *testing.T) {
	h := func(w *http1.ResponseWriter, r *http1.Request) {
		code := 0
		for _, b := range r.Path()[1:] {
			code = code*10 + int(b-'0')
		}
		w.SetStatus(code)
		w.WriteString("body")
	}
	s := start(t, http1.HandlerFunc(h))
	c, br := s.dial(t)
	for _, cs := range []struct {
		code   int
		line   string
		status int
		body   string
	}{
		{201, "HTTP/1.1 201 Created\r\n", 201, "body"},
		{418, "HTTP/1.1 418 \r\n", 418, "body"},
		{42, "HTTP/1.1 500 Internal Server Error\r\n", 500, "body"},
		{204, "HTTP/1.1 204 No Content\r\n", 204, ""},
		{304, "HTTP/1.1 304 Not Modified\r\n", 304, ""},
	} {
		testkit.SendRaw(t, c, "GET /"+itoa(cs.code)+" HTTP/1.1\r\nHost: x\r\n\r\n")
		line, err := br.Peek(len(cs.line))
		require.NoError(t, err)
		require.Equal(t, cs.line, string(line))
		resp, body := testkit.ReadResponse(t, br, "GET")
		require.Equal(t, cs.status, resp.StatusCode)
		require.Equal(t, cs.body, body)
		if cs.body == "" {
			require.Empty(t, resp.Header.Get("Content-Length"), "%d has no Content-Length", cs.code)
		}
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// TestResponseHead: the answer to HEAD has the Content-Length of the body
// the handler wrote, and no body.
func TestResponseHead(t *testing.T) {
	s := start(t, routes(t, nil))
	c, br := s.dial(t)
	testkit.SendRaw(t, c, "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n", get)
	resp, body := testkit.ReadResponse(t, br, "HEAD")
	requireHello(t, resp, body, true)
	resp, body = testkit.ReadResponse(t, br, "GET")
	requireHello(t, resp, body, false)
}

// TestResponseConnectionClose: a handler that sets "Connection: close"
// has the connection closed after its response; the request pipelined
// after it is not answered.
func TestResponseConnectionClose(t *testing.T) {
	bye := func(w *http1.ResponseWriter, r *http1.Request) {
		w.Header("Connection", "close")
		w.WriteString("bye")
	}
	s := start(t, routes(t, map[string]http1.HandlerFunc{"/bye": bye}))
	c, br := s.dial(t)
	testkit.SendRaw(t, c, "GET /bye HTTP/1.1\r\nHost: x\r\n\r\n", get)
	all, err := io.ReadAll(br)
	require.NoError(t, err)
	require.Equal(t, 1, strings.Count(string(all), "Connection: close\r\n"), "the handler's field, not a second: %q", all)
	require.Equal(t, 1, strings.Count(string(all), "HTTP/1.1 "), "one answer: %q", all)
	require.True(t, strings.HasSuffix(string(all), "\r\n\r\nbye"), "%q", all)
}

// TestResponseTooLarge: a body that would not fit in the connection's
// output is refused by Write with ErrResponseTooLarge, adding nothing;
// what fitted is sent.
func TestResponseTooLarge(t *testing.T) {
	errs := make(chan error, 2)
	big := func(w *http1.ResponseWriter, r *http1.Request) {
		_, err := w.WriteString("small ")
		errs <- err
		_, err = w.Write(make([]byte, 128<<10))
		errs <- err
	}
	s := startWith(t, setup{
		h:        routes(t, map[string]http1.HandlerFunc{"/big": big}),
		opts:     []http1.Option{http1.WithResponseRoom(16 << 10)},
		loopOpts: []reactor.Option{reactor.WithMaxOutput(64 << 10), reactor.WithWriteWatermarks(8<<10, 32<<10)},
	})
	c, br := s.dial(t)
	testkit.SendRaw(t, c, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n", get)
	_, body := testkit.ReadResponse(t, br, "GET")
	require.Equal(t, "small ", body)
	require.NoError(t, testkit.Receive(t, errs, "the first Write"))
	require.ErrorIs(t, testkit.Receive(t, errs, "the second Write"), http1.ErrResponseTooLarge)
	resp, body := testkit.ReadResponse(t, br, "GET")
	requireHello(t, resp, body, false)
}

// TestResponseWriterIsAWriter: a ResponseWriter is an io.Writer, so
// fmt.Fprintf and io.Copy write bodies.
func TestResponseWriterIsAWriter(t *testing.T) {
	h := func(w *http1.ResponseWriter, r *http1.Request) {
		io.Copy(w, strings.NewReader("copied"))
	}
	s := start(t, http1.HandlerFunc(h))
	resp, err := s.client(t).Get(s.url("/"))
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, "copied", string(body))
	require.Equal(t, http.StatusOK, resp.StatusCode)
}
