package http1_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/http1"
	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

// resumeCounter counts the calls of OnWritable: the times serving, stopped
// for want of room in the output, was resumed.
type resumeCounter struct {
	reactor.Handler
	resumed atomic.Int32
}

func (h *resumeCounter) OnWritable(c *reactor.Conn) {
	h.resumed.Add(1)
	h.Handler.(reactor.WritableHandler).OnWritable(c)
}

func (h *resumeCounter) OnPeerClose(c *reactor.Conn) {
	h.Handler.(reactor.HalfCloser).OnPeerClose(c)
}

// TestBackpressure: a client pipelines more requests than the output can
// hold the answers of (a small output here, 64 KiB, for a read's worth of
// requests: answers are longer than requests), some of them chunked, then
// FIN, and reads nothing until the server has stopped reading. Serving
// stops where the output has less than the response room left,
// OnWritable resumes it as the client reads, and every answer comes, in
// order, then the server closes.
func TestBackpressure(t *testing.T) {
	testkit.CheckLeaks(t)
	srv, err := http1.NewServer(routes(t, nil), http1.WithResponseRoom(16<<10))
	require.NoError(t, err)
	h := &resumeCounter{Handler: srv.Handler()}
	l, err := reactor.New(h, append(srv.LoopOptions(),
		reactor.WithMaxOutput(64<<10), reactor.WithWriteWatermarks(8<<10, 32<<10))...)
	require.NoError(t, err)
	addr, err := l.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- l.Run(context.Background()) }()
	t.Cleanup(func() {
		l.Stop()
		require.NoError(t, testkit.Receive(t, done, "Run to return"))
	})

	c, err := net.DialTimeout("tcp", addr.String(), testkit.Limit)
	require.NoError(t, err)
	defer c.Close()
	c.SetDeadline(time.Now().Add(testkit.Limit))
	const n = 4000
	var reqs strings.Builder
	for i := range n {
		switch i % 3 {
		case 0:
			reqs.WriteString(get)
		case 1:
			reqs.WriteString("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
		case 2:
			fmt.Fprintf(&reqs, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%d\r\n0\r\n\r\n", len(fmt.Sprint(i)), i)
		}
	}
	werr := make(chan error, 1)
	go func() {
		_, err := io.WriteString(c, reqs.String())
		if err == nil {
			err = c.(*net.TCPConn).CloseWrite()
		}
		werr <- err
	}()
	testkit.WaitUntil(t, "the server to stop reading", func() bool { return l.Stats().ReadPauses > 0 })

	br := bufio.NewReader(c)
	for i := range n {
		resp, err := http.ReadResponse(br, &http.Request{Method: "GET"})
		require.NoError(t, err, "answer %d", i)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		switch i % 3 {
		case 0:
			require.Equal(t, hello, string(body), "answer %d", i)
		case 1:
			require.Equal(t, 404, resp.StatusCode, "answer %d", i)
		case 2:
			require.Equal(t, fmt.Sprint(i), string(body), "answer %d", i)
		}
	}
	testkit.RequireEOF(t, br)
	require.NoError(t, <-werr)
	require.Positive(t, h.resumed.Load(), "serve was resumed by OnWritable")
}

// TestNonReaderBounded: a client that pipelines requests without end and
// never reads an answer holds the server at its output cap: the server
// answers until the output passes the high watermark, stops reading, and
// holds its answers and the requests of one read, no more, however much
// the client sends.
func TestNonReaderBounded(t *testing.T) {
	pollers(t, func(t *testing.T, opt reactor.Option) {
		const maxOutput = 256 << 10
		s := startWith(t, setup{
			h:        routes(t, nil),
			opts:     []http1.Option{http1.WithResponseRoom(64 << 10)},
			loopOpts: []reactor.Option{opt, reactor.WithMaxOutput(maxOutput), reactor.WithWriteWatermarks(32<<10, 128<<10)},
		})
		c, _ := s.dial(t)
		reqs := []byte(strings.Repeat(get, 1000))
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := c.Write(reqs); err != nil {
					return // the test ended and closed the connection, or its deadline
				}
			}
		}()
		testkit.WaitUntil(t, "the server to stop reading", func() bool { return s.stats().ReadPauses > 0 })
		st := s.stats()
		close(stop)
		c.Close() // ends a Write blocked on a full socket
		testkit.Receive(t, done, "the writer's end")
		require.GreaterOrEqual(t, st.PeakBuffered, 128<<10, "answers were queued up to the high watermark")
		require.LessOrEqual(t, st.PeakBuffered, maxOutput+2*reactor.DefaultReadBufferSize, "the cap and a read, no more")
	})
}
