package reactor

import (
	"bytes"
	"io"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

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

// TestEndlessGracePeriod: an effectively infinite grace period waits for
// the queued output, however long it takes, instead of wrapping around
// into an immediate abort.
func TestEndlessGracePeriod(t *testing.T) {
	want := payload(16 << 20)
	rec := newRecorder(t)
	rec.open = func(c *Conn) { c.Write(want) }
	l, addr, done := startLoop(t, rec, WithGracePeriod(math.MaxInt64), WithLinger(math.MaxInt64),
		WithMaxOutput(16<<20))
	c := dial(t, "tcp", addr)
	waitUntil(t, "output waiting for the reader", func() bool { return l.Stats().WriteWaits > 0 })
	l.Stop()
	var got bytes.Buffer
	buf := make([]byte, 256<<10)
	for {
		time.Sleep(time.Millisecond) // a slow reader: the output takes a while to leave
		n, err := c.Read(buf)
		got.Write(buf[:n])
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
	}
	require.True(t, bytes.Equal(want, got.Bytes()), "got %d of %d bytes", got.Len(), len(want))
	waitRun(t, done, "Run after the output left")
	require.ErrorIs(t, rec.nextClose(t).err, ErrStopped)
}
