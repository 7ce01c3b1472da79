package reactor

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func TestMaxConns(t *testing.T) {
	l, addr := serve(t, newRecorder(t), WithMaxConns(2))
	a := dial(t, "tcp", addr)
	b := dial(t, "tcp", addr)
	testkit.WaitUntil(t, "two connections", func() bool { return l.Stats().Conns == 2 })
	// The connection over the limit is reset at once: while connecting, or
	// on its first read.
	extra, err := net.Dial("tcp", addr)
	if err == nil {
		defer extra.Close()
		extra.SetDeadline(time.Now().Add(testkit.Limit))
		_, err = extra.Read(make([]byte, 1))
	}
	require.True(t, errors.Is(err, io.EOF) || isConnBroken(err), "the connection over the limit is closed: %v", err)
	testkit.WaitUntil(t, "one rejected", func() bool { return l.Stats().Rejected == 1 })
	require.Equal(t, []byte("a"), roundTrip(t, a, []byte("a")))
	require.Equal(t, []byte("b"), roundTrip(t, b, []byte("b")))
	a.Close()
	testkit.WaitUntil(t, "room again", func() bool { return l.Stats().Conns == 1 })
	c := dial(t, "tcp", addr)
	require.Equal(t, []byte("c"), roundTrip(t, c, []byte("c")))
}

func TestInputLimit(t *testing.T) {
	rec := newRecorder(t)
	rec.data = func(c *Conn) {} // never consumes
	_, addr := serve(t, rec, WithMaxInput(100<<10))
	c := dial(t, "tcp", addr)
	go c.Write(payload(1 << 20))
	require.ErrorIs(t, rec.nextClose(t).err, ErrInputFull)
}

// lineHandler answers each newline-terminated line with "ok", and a line
// that does not fit in the input with an error line, as a server would.
func lineHandler(t *testing.T, closeItself bool) *recorder {
	rec := newRecorder(t)
	rec.data = func(c *Conn) {
		for {
			p, _ := c.Peek(0)
			i := bytes.IndexByte(p, '\n')
			if i < 0 {
				break
			}
			c.Discard(i + 1)
			c.WriteString("ok\n")
		}
		if c.InputFull() {
			c.WriteString("ERR line too long\n")
			if closeItself {
				assert.NoError(t, c.Close())
			}
		}
	}
	return rec
}

// TestInputFullIsAnswerable: a client sends 5 MB without a newline to a
// server whose input holds 4 MiB. The handler is told (InputFull), its
// error line is sent, then FIN: the client reads the line and EOF, not a
// reset, and OnClose reports ErrInputFull, whether the handler closes
// itself or leaves that to the loop.
func TestInputFullIsAnswerable(t *testing.T) {
	for _, closeItself := range []bool{false, true} {
		name := map[bool]string{false: "loop-closes", true: "handler-closes"}[closeItself]
		t.Run(name, func(t *testing.T) {
			pollers(t, func(t *testing.T, opt Option) {
				rec := lineHandler(t, closeItself)
				_, addr := serve(t, rec, opt) // WithMaxInput: the default, 4 MiB
				c := dial(t, "tcp", addr)
				wrote := make(chan error, 1)
				go func() {
					_, err := c.Write(append([]byte("first\n"), bytes.Repeat([]byte("x"), 5_000_000)...))
					wrote <- err
				}()
				got, err := io.ReadAll(c)
				require.NoError(t, err, "EOF, not a reset")
				require.Equal(t, "ok\nERR line too long\n", string(got))
				require.NoError(t, <-wrote, "the server read (and dropped) the rest")
				require.ErrorIs(t, rec.nextClose(t).err, ErrInputFull)
			})
		})
	}
}

// TestInputFullThenRoom: a handler told that its input is full may make
// room instead of giving up; the connection goes on.
func TestInputFullThenRoom(t *testing.T) {
	rec := newRecorder(t)
	rec.data = func(c *Conn) {
		if c.InputFull() {
			c.Discard(c.Buffered()) // drop the long line, keep serving
			c.WriteString("skipped\n")
			return
		}
		if p, _ := c.Peek(0); bytes.IndexByte(p, '\n') >= 0 {
			c.Discard(bytes.IndexByte(p, '\n') + 1)
			c.WriteString("ok\n")
		}
	}
	_, addr := serve(t, rec, WithMaxInput(64<<10))
	c := dial(t, "tcp", addr)
	_, err := c.Write(bytes.Repeat([]byte("x"), 64<<10))
	require.NoError(t, err)
	got := make([]byte, len("skipped\n"))
	_, err = io.ReadFull(c, got)
	require.NoError(t, err)
	require.Equal(t, "skipped\n", string(got))
	_, err = c.Write([]byte("hello\n"))
	require.NoError(t, err)
	_, err = io.ReadFull(c, got[:3])
	require.NoError(t, err)
	require.Equal(t, "ok\n", string(got[:3]), "the connection goes on")
}

// TestOutputLimit: Write refuses, whole, what would take the queued output
// past WithMaxOutput, and a write larger than the maximum even when nothing
// is queued (it would be sent at once, but need not all leave).
func TestOutputLimit(t *testing.T) {
	rec := newRecorder(t)
	errs := make(chan error, 3)
	rec.open = func(c *Conn) {
		var err error
		for i := 0; i < 15 && err == nil; i++ { // 60 KiB, queued
			_, err = c.Write(payload(4 << 10))
		}
		errs <- err
		n, err := c.Write(payload(10 << 10))
		assert.Zero(t, n)
		errs <- err
		assert.Equal(t, 60<<10, c.Pending(), "a refused write queues nothing")
	}
	_, addr := serve(t, rec, WithMaxOutput(64<<10))
	dial(t, "tcp", addr)
	require.NoError(t, <-errs)
	require.ErrorIs(t, <-errs, ErrOutputFull)

	rec2 := newRecorder(t)
	rec2.open = func(c *Conn) {
		n, err := c.Write(payload(65 << 10))
		assert.Zero(t, n)
		errs <- err
	}
	_, addr2 := serve(t, rec2, WithMaxOutput(64<<10))
	dial(t, "tcp", addr2)
	require.ErrorIs(t, <-errs, ErrOutputFull)
}

// TestOneLargeWritePauses: a single write past the high watermark pauses
// reading, like several smaller ones.
func TestOneLargeWritePauses(t *testing.T) {
	rec := newRecorder(t)
	rec.open = func(c *Conn) {
		// A small send buffer, so that most of the write stays queued.
		assert.NoError(t, unix.SetsockoptInt(c.Fd(), unix.SOL_SOCKET, unix.SO_SNDBUF, 16<<10))
	}
	rec.data = func(c *Conn) {
		c.Next(0)
		c.Write(payload(2 << 20))
	}
	l, addr := serve(t, rec)
	c := dial(t, "tcp", addr)
	_, err := c.Write([]byte("go"))
	require.NoError(t, err)
	testkit.WaitUntil(t, "reading paused", func() bool { return l.Stats().ReadPauses == 1 })
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
		testkit.WaitUntil(t, "the hog paused", func() bool { return l.Stats().ReadPauses > 0 })
		other := dial(t, "tcp", addr)
		for range 10 {
			require.Equal(t, []byte("ping"), roundTrip(t, other, []byte("ping")))
		}
		st := l.Stats()
		require.LessOrEqual(t, st.PeakBuffered, DefaultHighWatermark+DefaultReadBufferSize,
			"bytes held in buffers: peak %d", st.PeakBuffered)
		require.Less(t, st.BytesIn, uint64(64<<20), "the server stopped reading from the hog")
		hog.Close()
		testkit.WaitUntil(t, "the hog's connection closed", func() bool { return l.Stats().Conns == 1 })
		testkit.WaitUntil(t, "its buffers released", func() bool { return l.Stats().Buffered == 0 })
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
