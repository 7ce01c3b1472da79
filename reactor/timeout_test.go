package reactor

import (
	"io"
	"math"
	"os"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadTimeout(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		rec := newRecorder(t)
		l, addr := serve(t, rec, opt, WithReadTimeout(300*time.Millisecond))
		c := dial(t, "tcp", addr)
		require.Equal(t, []byte("hi"), roundTrip(t, c, []byte("hi")))
		// Now the client goes silent: a dead peer.
		ev := rec.nextClose(t)
		require.ErrorIs(t, ev.err, ErrReadTimeout)
		require.ErrorIs(t, ev.err, os.ErrDeadlineExceeded)
		_, err := io.ReadAll(c)
		require.True(t, err == nil || isConnBroken(err), "the client sees the connection end: %v", err)
		testkit.WaitUntil(t, "no open connection", func() bool { return l.Stats().Conns == 0 })
	})
}

func TestSetReadTimeoutPerConnection(t *testing.T) {
	rec := newRecorder(t)
	rec.open = func(c *Conn) { c.SetReadTimeout(20 * time.Millisecond) }
	_, addr := serve(t, rec)
	dial(t, "tcp", addr)
	require.ErrorIs(t, rec.nextClose(t).err, ErrReadTimeout)
}

// TestWriteTimeout: a peer that stops reading cannot hold queued output
// forever.
func TestWriteTimeout(t *testing.T) {
	rec := newRecorder(t)
	rec.open = func(c *Conn) { c.Write(payload(32 << 20)) }
	_, addr := serve(t, rec, WithMaxOutput(32<<20), WithWriteTimeout(30*time.Millisecond))
	dial(t, "tcp", addr) // never reads
	ev := rec.nextClose(t)
	require.ErrorIs(t, ev.err, ErrWriteTimeout)
	require.ErrorIs(t, ev.err, os.ErrDeadlineExceeded)
}

func TestTimers(t *testing.T) {
	l, _ := serve(t, newRecorder(t))
	order := make(chan string, 10)
	require.NoError(t, l.Post(func() {
		l.AfterFunc(30*time.Millisecond, func() { order <- "30ms" })
		l.AfterFunc(10*time.Millisecond, func() { order <- "10ms" })
		stopped := l.AfterFunc(20*time.Millisecond, func() { order <- "stopped" })
		assert.True(t, stopped.Stop())
		assert.False(t, stopped.Stop())
		moved := l.AfterFunc(time.Hour, func() { order <- "reset to 40ms" })
		assert.True(t, moved.Reset(40*time.Millisecond))
		l.AfterFunc(50*time.Millisecond, func() { close(order) })
	}))
	var got []string
	for s := range order {
		got = append(got, s)
	}
	require.Equal(t, []string{"10ms", "30ms", "reset to 40ms"}, got)

	// No timer due: the loop must not wake up at all. The pass that ran the
	// last timer ends with a wait of its own, which is counted when it
	// starts: let the loop get there first.
	testkit.WaitUntil(t, "the loop idle in its wait", func() bool {
		w := l.Stats().Waits
		time.Sleep(10 * time.Millisecond)
		return l.Stats().Waits == w
	})
	before := l.Stats().Waits
	time.Sleep(50 * time.Millisecond) // observing that nothing happens
	require.Equal(t, before, l.Stats().Waits, "an idle loop without timers woke up")
}

// TestTimerStopsAnother: a timer function that stops another due timer must
// not break the loop.
func TestTimerStopsAnother(t *testing.T) {
	l, _ := serve(t, newRecorder(t))
	ran := make(chan string, 2)
	require.NoError(t, l.Post(func() {
		var b *Timer
		l.AfterFunc(0, func() { b.Stop(); ran <- "a" })
		b = l.AfterFunc(0, func() { ran <- "b" })
		l.AfterFunc(time.Millisecond, func() { ran <- "later" })
	}))
	require.Equal(t, "a", <-ran)
	require.Equal(t, "later", <-ran)
}

// TestFarFutureTimers: deadlines too far to represent saturate: a timer
// for math.MaxInt64 never fires early and does not delay a nearer one, set
// before or after it, through AfterFunc or Reset.
func TestFarFutureTimers(t *testing.T) {
	l, _ := serve(t, newRecorder(t))
	fired := make(chan string, 4)
	require.NoError(t, l.Post(func() {
		l.AfterFunc(math.MaxInt64, func() { fired <- "far" })
		moved := l.AfterFunc(time.Millisecond, func() { fired <- "moved" })
		moved.Reset(math.MaxInt64 - 1)
		l.AfterFunc(5*time.Millisecond, func() { fired <- "near" })
	}))
	require.Equal(t, "near", <-fired)
	require.NoError(t, l.Post(func() {
		l.AfterFunc(time.Millisecond, func() { fired <- "later" })
	}))
	require.Equal(t, "later", <-fired)
	require.Empty(t, fired, "a far-future timer fired")
}
