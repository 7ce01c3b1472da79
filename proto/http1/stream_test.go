package http1_test

import (
	"bytes"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/http1"
	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

// pattern returns n bytes that tell where they are: a body cut, doubled
// or reordered differs from it.
func pattern(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i % 251)
	}
	return p
}

// streamOf returns a handler that streams body in pieces of at most piece
// bytes, each as large as the output takes, and counts the calls of its
// producer in calls.
func streamOf(body []byte, piece int, calls *atomic.Int32) http1.HandlerFunc {
	return func(w *http1.ResponseWriter, r *http1.Request) {
		w.Header("Content-Type", "application/octet-stream")
		off := 0
		w.Stream(func(s *http1.Stream) bool {
			calls.Add(1)
			for off < len(body) && s.Available() > 0 {
				n := min(s.Available(), piece, len(body)-off)
				if _, err := s.Write(body[off : off+n]); err != nil {
					panic(err)
				}
				off += n
			}
			return off == len(body)
		})
	}
}

// TestStreamSlowReader: a response of 8 MiB streams through an output
// capped at 256 KiB to a client that reads nothing until the server has
// stopped for it: the server holds no more than its cap, the producer is
// called again as the output drains, every byte arrives in order, and the
// request pipelined behind the stream, which waited in the input, is
// answered after it.
func TestStreamSlowReader(t *testing.T) {
	pollers(t, func(t *testing.T, opt reactor.Option) {
		body := pattern(8 << 20)
		var calls atomic.Int32
		const maxOutput = 256 << 10
		s := startWith(t, setup{
			h:        routes(t, map[string]http1.HandlerFunc{"/big": streamOf(body, 32<<10, &calls)}),
			opts:     []http1.Option{http1.WithResponseRoom(64 << 10)},
			loopOpts: []reactor.Option{opt, reactor.WithMaxOutput(maxOutput), reactor.WithWriteWatermarks(32<<10, 128<<10)},
		})
		c, br := s.dial(t)
		testkit.SendRaw(t, c, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n", get)
		testkit.WaitUntil(t, "the server to stop for the client", func() bool { return s.stats().ReadPauses > 0 })
		resp, got := testkit.ReadResponse(t, br, "GET")
		require.Equal(t, 200, resp.StatusCode)
		require.Equal(t, []string{"chunked"}, resp.TransferEncoding)
		require.True(t, bytes.Equal(body, []byte(got)), "the %d bytes streamed differ from the %d sent", len(got), len(body))
		resp, got = testkit.ReadResponse(t, br, "GET")
		requireHello(t, resp, got, false)
		require.Greater(t, calls.Load(), int32(1), "the producer resumed as the output drained")
		st := s.stats()
		require.LessOrEqual(t, st.PeakBuffered, maxOutput+2*reactor.DefaultReadBufferSize, "the server held no more than its output cap (and a read)")
		require.Positive(t, st.PartialWrites, "the client's socket was full")
	})
}

// TestStreamHTTP10: to HTTP/1.0 a stream has no length and no chunks: the
// body ends with the connection, which closes after it.
func TestStreamHTTP10(t *testing.T) {
	body := pattern(300 << 10)
	var calls atomic.Int32
	s := start(t, routes(t, map[string]http1.HandlerFunc{"/big": streamOf(body, 16<<10, &calls)}))
	c, br := s.dial(t)
	testkit.SendRaw(t, c, "GET /big HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
	resp, got := testkit.ReadResponse(t, br, "GET")
	require.Equal(t, int64(-1), resp.ContentLength)
	require.Nil(t, resp.TransferEncoding)
	require.True(t, resp.Close, "Connection: close")
	require.True(t, bytes.Equal(body, []byte(got)))
	testkit.RequireEOF(t, br)
}

// TestStreamHead: HEAD of a streamed response gets its head, chunked, and
// no body: the producer is not called. Bytes written before Stream are
// the body's first chunk.
func TestStreamHead(t *testing.T) {
	var calls atomic.Int32
	h := func(w *http1.ResponseWriter, r *http1.Request) {
		w.WriteString("first ")
		w.Stream(func(s *http1.Stream) bool {
			calls.Add(1)
			s.Write([]byte("second"))
			return true
		})
	}
	s := start(t, routes(t, map[string]http1.HandlerFunc{"/s": h}))
	c, br := s.dial(t)
	testkit.SendRaw(t, c, "HEAD /s HTTP/1.1\r\nHost: x\r\n\r\n", "GET /s HTTP/1.1\r\nHost: x\r\n\r\n", get)
	resp, body := testkit.ReadResponse(t, br, "HEAD")
	require.Equal(t, []string{"chunked"}, resp.TransferEncoding)
	require.Empty(t, body)
	resp, body = testkit.ReadResponse(t, br, "GET")
	require.Equal(t, []string{"chunked"}, resp.TransferEncoding)
	require.Equal(t, "first second", body)
	resp, body = testkit.ReadResponse(t, br, "GET")
	requireHello(t, resp, body, false)
	require.Equal(t, int32(1), calls.Load(), "once, for GET")
}

// TestStreamStalled: a producer that returns without writing while the
// output has room cannot be called again for want of an event: the
// connection closes after what it wrote, the chunked body cut short, so
// the client can tell.
func TestStreamStalled(t *testing.T) {
	h := func(w *http1.ResponseWriter, r *http1.Request) {
		first := true
		w.Stream(func(s *http1.Stream) bool {
			if first {
				s.Write([]byte("partial"))
				first = false
			}
			return false // not done, and nothing to write
		})
	}
	s := start(t, routes(t, map[string]http1.HandlerFunc{"/s": h}))
	c, br := s.dial(t)
	testkit.SendRaw(t, c, "GET /s HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(br, &http.Request{Method: "GET"})
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF, "the body is cut short, and the client can tell")
	require.Equal(t, "partial", string(body))
}

// TestStreamWriteTooLarge: a piece larger than Available is refused whole,
// with reactor.ErrOutputFull, and a Write after Stream returns
// ErrStreaming.
func TestStreamWriteTooLarge(t *testing.T) {
	errs := make(chan error, 2)
	h := func(w *http1.ResponseWriter, r *http1.Request) {
		w.Stream(func(s *http1.Stream) bool {
			_, err := s.Write(make([]byte, s.Available()+1))
			errs <- err
			s.Write([]byte("ok"))
			return true
		})
		_, err := w.WriteString("late")
		errs <- err
	}
	s := start(t, routes(t, map[string]http1.HandlerFunc{"/s": h}))
	c, br := s.dial(t)
	testkit.SendRaw(t, c, "GET /s HTTP/1.1\r\nHost: x\r\n\r\n")
	_, body := testkit.ReadResponse(t, br, "GET")
	require.Equal(t, "ok", body)
	require.ErrorIs(t, testkit.Receive(t, errs, "Write after Stream"), http1.ErrStreaming)
	require.ErrorIs(t, testkit.Receive(t, errs, "a piece too large"), reactor.ErrOutputFull)
}
