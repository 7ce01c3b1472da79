package reactor

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// largeThenSmall is a handler that answers "go" with a large write and then
// a small one, and records how much was queued after each.
type largeThenSmall struct {
	*recorder
	large    []byte
	sndbuf   int
	after    chan [2]int // Pending after the large write, after the small one
	smallEnd []byte
}

func (h *largeThenSmall) OnOpen(c *Conn) {
	assert.NoError(h.t, unix.SetsockoptInt(c.Fd(), unix.SOL_SOCKET, unix.SO_SNDBUF, h.sndbuf))
}

func (h *largeThenSmall) OnData(c *Conn) {
	if p, _ := c.Peek(0); len(p) < 2 {
		return
	}
	c.Next(2)
	_, err := c.Write(h.large)
	assert.NoError(h.t, err)
	p1 := c.Pending()
	_, err = c.Write(h.smallEnd)
	assert.NoError(h.t, err)
	h.after <- [2]int{p1, c.Pending()}
}

func newLargeThenSmall(t *testing.T, large, sndbuf int) *largeThenSmall {
	return &largeThenSmall{recorder: newRecorder(t), large: payload(large), sndbuf: sndbuf,
		after: make(chan [2]int, 1), smallEnd: []byte("end")}
}

// TestDirectWrite: a large write with nothing queued goes to the socket at
// once, without being copied into the output ring; a small write after it
// is queued behind nothing and the peer gets both, in order.
func TestDirectWrite(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		h := newLargeThenSmall(t, 64<<10, 256<<10) // room for all of it
		l, addr := serve(t, h, opt)
		c := dial(t, "tcp", addr)
		_, err := c.Write([]byte("go"))
		require.NoError(t, err)
		got := make([]byte, len(h.large)+len(h.smallEnd))
		_, err = io.ReadFull(c, got)
		require.NoError(t, err)
		require.True(t, bytes.Equal(append(h.large, h.smallEnd...), got), "bytes or order differ")
		pending := <-h.after
		require.Equal(t, [2]int{0, len(h.smallEnd)}, pending, "the large write was sent at once")
		testkit.WaitUntil(t, "output flushed", func() bool { return l.Stats().BytesOut == uint64(len(got)) })
		require.Less(t, l.Stats().PeakBuffered, 1024, "the large write was copied into a ring")
	})
}

// TestDirectWritePartial: when the socket takes only part of a large write,
// the rest is queued and sent as the peer reads, with write interest
// registered, and a small write after it waits its turn.
func TestDirectWritePartial(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		h := newLargeThenSmall(t, 512<<10, 16<<10) // far more than the socket holds
		l, addr := serve(t, h, opt)
		c := dial(t, "tcp", addr)
		_, err := c.Write([]byte("go"))
		require.NoError(t, err)
		pending := <-h.after
		assert.Positive(t, pending[0], "the socket took all of it")
		assert.Less(t, pending[0], len(h.large), "nothing was sent at once")
		assert.Equal(t, pending[0]+len(h.smallEnd), pending[1])
		got := make([]byte, len(h.large)+len(h.smallEnd))
		_, err = io.ReadFull(c, got)
		require.NoError(t, err)
		require.True(t, bytes.Equal(append(h.large, h.smallEnd...), got), "bytes or order differ")
		st := l.Stats()
		require.Positive(t, st.WriteWaits, "the rest waited for the poller")
		require.Positive(t, st.PartialWrites)
	})
}

// TestDirectWriteOncePerPass: a producer that writes 64 KiB pieces until
// Pending reaches the high watermark stops there even though the socket
// could take more at once: only the first piece of a pass is sent directly.
func TestDirectWriteOncePerPass(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		data := payload(4 << 20)
		direct := make(chan int, 1)
		rec := newRecorder(t)
		rec.open = func(c *Conn) {
			assert.NoError(t, unix.SetsockoptInt(c.Fd(), unix.SOL_SOCKET, unix.SO_SNDBUF, 1<<20))
			sent := 0
			for sent < len(data) && c.Pending() < DefaultHighWatermark {
				_, err := c.Write(data[sent : sent+64<<10])
				assert.NoError(t, err)
				sent += 64 << 10
			}
			direct <- sent - c.Pending() // nothing is flushed before the pass's flush
			_, err := c.Write(data[sent:])
			assert.NoError(t, err)
			c.Close()
		}
		_, addr := serve(t, rec, opt, WithMaxOutput(8<<20))
		c := dial(t, "tcp", addr)
		got, err := io.ReadAll(c)
		require.NoError(t, err)
		require.True(t, bytes.Equal(data, got), "got %d of %d bytes", len(got), len(data))
		require.Equal(t, 64<<10, <-direct, "bytes sent directly in one callback")
	})
}

// TestDirectWriteFails: a direct send that fails is handled like a queued
// write that fails when the pass flushes it: Write succeeds, and a reason
// the handler gives after it is the one OnClose reports.
func TestDirectWriteFails(t *testing.T) {
	errProto := errors.New("protocol violation")
	rec := newRecorder(t)
	rec.data = func(c *Conn) {
		c.Next(0)
		// After SHUT_WR every send fails with EPIPE.
		assert.NoError(t, unix.Shutdown(c.Fd(), unix.SHUT_WR))
		n, err := c.Write(payload(64 << 10))
		assert.NoError(t, err)
		assert.Equal(t, 64<<10, n)
		assert.NoError(t, c.CloseWithError(errProto))
	}
	_, addr := serve(t, rec)
	c := dial(t, "tcp", addr)
	_, err := c.Write([]byte("go"))
	require.NoError(t, err)
	require.ErrorIs(t, rec.nextClose(t).err, errProto)
}

// TestWriteDoesNotAllocate: Write copies or sends p and keeps no reference,
// so a caller's stack buffer stays on the stack (p must not escape).
func TestWriteDoesNotAllocate(t *testing.T) {
	allocs := make(chan float64, 1)
	rec := newRecorder(t)
	rec.open = func(c *Conn) {
		allocs <- testing.AllocsPerRun(100, func() {
			var b [64]byte
			b[0] = 'x'
			c.Write(b[:])
			c.Write([]byte("a literal"))
		})
	}
	_, addr := serve(t, rec)
	dial(t, "tcp", addr)
	require.Zero(t, <-allocs)
}
