package reactor

import (
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

// TestPauseRead: while the handler has paused reading, nothing is read
// (not even by the read timeout's clock); ResumeRead makes the bytes that
// waited in the socket arrive.
func TestPauseRead(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		rec := newRecorder(t)
		got := make(chan string, 10)
		paused := make(chan *Conn, 1)
		rec.data = func(c *Conn) {
			p, _ := c.Next(0)
			got <- string(p)
			if string(p) == "first" {
				c.PauseRead()
				paused <- c
			}
		}
		l, addr := serve(t, rec, opt, WithReadTimeout(40*time.Millisecond))
		cl := dial(t, "tcp", addr)
		_, err := cl.Write([]byte("first"))
		require.NoError(t, err)
		require.Equal(t, "first", <-got)
		c := <-paused
		_, err = cl.Write([]byte("second"))
		require.NoError(t, err)

		// Observing that nothing happens for several read timeouts: no
		// OnData and no OnClose.
		time.Sleep(200 * time.Millisecond)
		select {
		case s := <-got:
			t.Fatalf("OnData saw %q while reading was paused", s)
		case ev := <-rec.closed:
			t.Fatalf("OnClose (%v) while reading was paused", ev.err)
		default:
		}
		inPause := make(chan bool, 1)
		require.NoError(t, l.Post(func() {
			inPause <- c.ReadPaused()
			c.ResumeRead()
		}))
		require.True(t, <-inPause)
		require.Equal(t, "second", <-got)
		// Reading again, the read timeout applies again.
		require.ErrorIs(t, rec.nextClose(t).err, ErrReadTimeout)
	})
}

// TestPauseReadClosingDiscards: Close after PauseRead still reads and
// discards until the peer's FIN, so the connection ends.
func TestPauseReadClosingDiscards(t *testing.T) {
	rec := newRecorder(t)
	rec.data = func(c *Conn) {
		c.Next(0)
		c.PauseRead()
		c.Write([]byte("bye"))
		c.Close()
	}
	l, addr := serve(t, rec)
	cl := dial(t, "tcp", addr)
	_, err := cl.Write([]byte("x"))
	require.NoError(t, err)
	require.NoError(t, rec.nextClose(t).err)
	buf := make([]byte, 3)
	_, err = cl.Read(buf)
	require.NoError(t, err)
	require.Equal(t, "bye", string(buf))
	cl.Close()
	testkit.WaitUntil(t, "nothing lingering", func() bool { return l.Stats().Lingering == 0 })
}
