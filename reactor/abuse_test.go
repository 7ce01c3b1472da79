package reactor

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMaxConns(t *testing.T) {
	l, addr := serve(t, newRecorder(t), WithMaxConns(2))
	a := dial(t, "tcp", addr)
	b := dial(t, "tcp", addr)
	waitUntil(t, "two connections", func() bool { return l.Stats().Conns == 2 })
	// The connection over the limit is reset at once: while connecting, or
	// on its first read.
	extra, err := net.Dial("tcp", addr)
	if err == nil {
		defer extra.Close()
		extra.SetDeadline(time.Now().Add(testLimit))
		_, err = extra.Read(make([]byte, 1))
	}
	require.True(t, errors.Is(err, io.EOF) || isConnBroken(err), "the connection over the limit is closed: %v", err)
	waitUntil(t, "one rejected", func() bool { return l.Stats().Rejected == 1 })
	require.Equal(t, []byte("a"), roundTrip(t, a, []byte("a")))
	require.Equal(t, []byte("b"), roundTrip(t, b, []byte("b")))
	a.Close()
	waitUntil(t, "room again", func() bool { return l.Stats().Conns == 1 })
	c := dial(t, "tcp", addr)
	require.Equal(t, []byte("c"), roundTrip(t, c, []byte("c")))
}

// TestHogIsBounded: a client sends up to 256 MiB to the echo server and
// never reads. The server stops reading from it once its queued echo passes
// the high watermark, so the bytes the loop holds stay under the watermark
// plus one read, while another client keeps getting echoes.
func TestHogIsBounded(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		l, addr := serve(t, newRecorder(t), opt)
		hog := dial(t, "tcp", addr)
		go func() {
			chunk := payload(1 << 20)
			for range 256 {
				if _, err := hog.Write(chunk); err != nil {
					return // closed by the test
				}
			}
		}()
		waitUntil(t, "the hog paused", func() bool { return l.Stats().ReadPauses > 0 })
		other := dial(t, "tcp", addr)
		for range 10 {
			require.Equal(t, []byte("ping"), roundTrip(t, other, []byte("ping")))
		}
		st := l.Stats()
		require.LessOrEqual(t, st.PeakBuffered, DefaultHighWatermark+DefaultReadBufferSize,
			"bytes held in buffers: peak %d", st.PeakBuffered)
		require.Less(t, st.BytesIn, uint64(64<<20), "the server stopped reading from the hog")
		hog.Close()
		waitUntil(t, "the hog's connection closed", func() bool { return l.Stats().Conns == 1 })
		waitUntil(t, "its buffers released", func() bool { return l.Stats().Buffered == 0 })
	})
}

// producer writes a stream of n bytes, pacing itself with Pending and
// OnWritable, as a file server would.
type producer struct {
	*recorder
	data      []byte
	sent      int
	writables int
}

func (p *producer) OnOpen(c *Conn) { p.produce(c) }
func (p *producer) OnWritable(c *Conn) {
	p.writables++
	p.produce(c)
}

func (p *producer) produce(c *Conn) {
	for p.sent < len(p.data) && c.Pending() < DefaultHighWatermark {
		k := min(64<<10, len(p.data)-p.sent)
		if _, err := c.Write(p.data[p.sent : p.sent+k]); err != nil {
			return
		}
		p.sent += k
	}
	if p.sent == len(p.data) {
		c.Close()
	}
}

func TestOnWritable(t *testing.T) {
	p := &producer{recorder: newRecorder(t), data: payload(8 << 20)}
	_, addr := serve(t, p)
	c := dial(t, "tcp", addr)
	got, err := io.ReadAll(c)
	require.NoError(t, err)
	require.True(t, bytes.Equal(p.data, got), "got %d of %d bytes", len(got), len(p.data))
	c.Close()
	require.NoError(t, p.nextClose(t).err)
	require.Positive(t, p.writables, "OnWritable paced the producer")
}

// records is a slog handler that keeps what is logged.
type records struct {
	mu   sync.Mutex
	msgs []string
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	r.msgs = append(r.msgs, rec.Message)
	r.mu.Unlock()
	return nil
}
func (r *records) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *records) WithGroup(string) slog.Handler      { return r }

func TestPanicIsLogged(t *testing.T) {
	logged := &records{}
	rec := newRecorder(t)
	rec.open = func(c *Conn) { panic("in OnOpen") }
	_, addr := serve(t, rec, WithLogger(slog.New(logged)))
	dial(t, "tcp", addr)
	var perr *PanicError
	require.ErrorAs(t, rec.nextClose(t).err, &perr)
	require.Equal(t, "in OnOpen", perr.Value)
	logged.mu.Lock()
	defer logged.mu.Unlock()
	require.Contains(t, logged.msgs, "reactor: recovered a panic")
}

// TestChurn: 5,000 connect, echo, close cycles, a third of them closing
// before reading the echo and a third resetting, leave no fd, connection or
// buffer behind.
func TestChurn(t *testing.T) {
	l, addr := serve(t, newRecorder(t)) // serve checks for leaked fds and goroutines
	const cycles, workers = 5000, 4
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := []byte("churn")
			for i := w; i < cycles; i += workers {
				c, err := net.Dial("tcp", addr)
				if !assert.NoError(t, err) {
					return
				}
				c.SetDeadline(time.Now().Add(testLimit))
				_, err = c.Write(msg)
				assert.NoError(t, err)
				switch i % 3 {
				case 0: // a well-behaved client
					_, err = io.ReadFull(c, make([]byte, len(msg)))
					assert.NoError(t, err)
				case 1: // leaves without reading
				case 2: // resets
					c.(*net.TCPConn).SetLinger(0)
				}
				c.Close()
			}
		}()
	}
	wg.Wait()
	waitUntil(t, "every connection closed", func() bool {
		st := l.Stats()
		return st.Conns == 0 && st.Closed == cycles
	})
	empty := make(chan bool, 1)
	require.NoError(t, l.Post(func() {
		n := 0
		for _, c := range l.fds {
			if c != nil && c.ln == nil {
				n++
			}
		}
		empty <- n == 0 && l.held == 0
	}))
	require.True(t, <-empty, "the connection table is empty and no buffer is held")
}

// TestWriteAfterPeerReset: writing to a peer that reset the connection
// fails with an error (EPIPE or ECONNRESET); SIGPIPE does not kill the
// process, because the Go runtime does not let it for sockets (and on
// macOS the socket has SO_NOSIGPIPE).
func TestWriteAfterPeerReset(t *testing.T) {
	rec := newRecorder(t)
	conns := make(chan *Conn, 1)
	rec.open = func(c *Conn) { conns <- c }
	rec.data = func(c *Conn) {}
	l, addr := serve(t, rec)
	c := dial(t, "tcp", addr)
	sc := <-conns
	c.(*net.TCPConn).SetLinger(0)
	c.Close()
	for range 20 { // write until the loop notices; each pass sends
		l.Post(func() { sc.Write(payload(1000)) })
		select {
		case ev := <-rec.closed:
			require.True(t, isConnBroken(ev.err), "reason %v", ev.err)
			require.True(t, errors.Is(ev.err, syscall.EPIPE) || errors.Is(ev.err, syscall.ECONNRESET))
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatal("the write to a reset peer never failed")
}
