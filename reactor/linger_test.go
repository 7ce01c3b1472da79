package reactor

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCloseNeverLosesReply: a handler that writes a reply and closes in the
// same OnData loses nothing, whatever the linger (0 included): the linger
// bounds the wait after the output left, never the flush itself. Each
// client reads the whole reply and then EOF, not a reset.
func TestCloseNeverLosesReply(t *testing.T) {
	head := []byte("reply follows\n")
	body := payload(64 << 10)
	want := append(append([]byte{}, head...), body...)
	for _, linger := range []time.Duration{0, time.Nanosecond, DefaultLinger} {
		t.Run(fmt.Sprint(linger), func(t *testing.T) {
			pollers(t, func(t *testing.T, opt Option) {
				rec := newRecorder(t)
				rec.data = func(c *Conn) {
					c.Discard(c.Buffered())
					c.Write(head) // queued: the body's write is not sent at once
					c.Write(body)
					assert.NoError(t, c.Close())
				}
				_, addr := serve(t, rec, opt, WithLinger(linger))
				for i := range 100 {
					c := dial(t, "tcp", addr)
					_, err := c.Write([]byte("request"))
					require.NoError(t, err)
					got, err := io.ReadAll(c)
					require.NoError(t, err, "connection %d: EOF, not a reset", i)
					require.True(t, bytes.Equal(want, got), "connection %d: got %d bytes, want %d", i, len(got), len(want))
					require.NoError(t, rec.nextClose(t).err)
					c.Close()
				}
			})
		})
	}
}

// TestOnCloseWhenOutputLeft: OnClose runs in the pass in which the output
// left and FIN was sent, not when the peer answers with its own FIN; the
// wait for that FIN goes on inside the loop and shows only in Stats.
func TestOnCloseWhenOutputLeft(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		var closedAt, onCloseAt uint64
		rec := newRecorder(t)
		rec.data = func(c *Conn) {
			c.Discard(c.Buffered())
			c.WriteString("bye\n")
			c.Close()
			closedAt = c.loop.st[statWaits]
		}
		onClose := make(chan error, 1)
		h := &onCloseHook{recorder: rec, hook: func(c *Conn, err error) {
			onCloseAt = c.loop.st[statWaits]
			onClose <- err
		}}
		l, addr := serve(t, h, opt) // the default linger: 5 s
		c := dial(t, "tcp", addr)
		_, err := c.Write([]byte("hello"))
		require.NoError(t, err)
		got, err := io.ReadAll(c)
		require.NoError(t, err)
		require.Equal(t, "bye\n", string(got))
		// The client keeps its end open: OnClose has run all the same.
		select {
		case err := <-onClose:
			require.NoError(t, err)
		case <-time.After(testLimit):
			t.Fatal("no OnClose while the peer keeps its end open")
		}
		require.Equal(t, closedAt, onCloseAt, "OnClose in the pass of Close: no wait between")
		waitUntil(t, "one lingering connection", func() bool {
			s := l.Stats()
			return s.Lingering == 1 && s.Conns == 0 && s.Closed == 1
		})
		c.Close()
		waitUntil(t, "the linger ended by the peer's FIN", func() bool { return l.Stats().Lingering == 0 })
		require.Zero(t, l.Stats().LingerTimeouts)
	})
}

// TestOnCloseAfterLargeOutput: with more output queued than the socket
// buffers hold and a slow reader, OnClose waits until the last byte has
// been handed to the kernel.
func TestOnCloseAfterLargeOutput(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		want := payload(8 << 20)
		sentAtClose := make(chan uint64, 1)
		rec := newRecorder(t)
		rec.open = func(c *Conn) {
			for p := want; len(p) > 0; p = p[min(len(p), 1<<20):] {
				_, err := c.Write(p[:min(len(p), 1<<20)])
				assert.NoError(t, err)
			}
			c.Close()
		}
		h := &onCloseHook{recorder: rec, hook: func(c *Conn, err error) { sentAtClose <- c.loop.st[statBytesOut] }}
		_, addr := serve(t, h, opt, WithMaxOutput(16<<20), WithWriteWatermarks(1<<20, 16<<20))
		c := dial(t, "tcp", addr)
		got := make([]byte, 0, len(want))
		buf := make([]byte, 64<<10)
		for {
			n, err := c.Read(buf)
			got = append(got, buf[:n]...)
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
			time.Sleep(100 * time.Microsecond) // a slow reader: the output stalls and resumes
		}
		require.True(t, bytes.Equal(want, got), "got %d bytes, want %d", len(got), len(want))
		require.Equal(t, uint64(len(want)), <-sentAtClose, "OnClose after every byte left")
	})
}

// TestLingerExpires: a peer that never sends its FIN is waited for at most
// the linger; that shows in Stats.LingerTimeouts.
func TestLingerExpires(t *testing.T) {
	rec := newRecorder(t)
	rec.open = func(c *Conn) {
		c.WriteString("bye")
		c.Close()
	}
	l, addr := serve(t, rec, WithLinger(20*time.Millisecond))
	c := dial(t, "tcp", addr)
	got, err := io.ReadAll(c)
	require.NoError(t, err)
	require.Equal(t, "bye", string(got))
	require.NoError(t, rec.nextClose(t).err)
	waitUntil(t, "the linger to expire", func() bool {
		s := l.Stats()
		return s.LingerTimeouts == 1 && s.Lingering == 0
	})
}

// TestCloseCallsInOnClose: inside OnClose, every closing call returns
// ErrClosed and changes nothing: an orderly close does not turn into a
// reset.
func TestCloseCallsInOnClose(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		rec := newRecorder(t)
		rec.data = func(c *Conn) {
			c.Discard(c.Buffered())
			c.WriteString("bye")
			c.Close()
		}
		h := &onCloseHook{recorder: rec, hook: func(c *Conn, err error) {
			assert.ErrorIs(t, c.Abort(), ErrClosed)
			assert.ErrorIs(t, c.Close(), ErrClosed)
			assert.ErrorIs(t, c.CloseWrite(), ErrClosed)
			assert.ErrorIs(t, c.CloseWithError(io.ErrClosedPipe), ErrClosed)
			_, werr := c.WriteString("late")
			assert.ErrorIs(t, werr, ErrClosed)
		}}
		_, addr := serve(t, h, opt)
		c := dial(t, "tcp", addr)
		_, err := c.Write([]byte("x"))
		require.NoError(t, err)
		got, err := io.ReadAll(c)
		require.NoError(t, err, "EOF, not a reset")
		require.Equal(t, "bye", string(got))
		require.NoError(t, rec.nextClose(t).err)
	})
}

// TestLingerEndedByFINIsNoTimeout: the peer's FIN reaches a lingering
// connection within the linger, but the pass in which it is read runs long
// (here: the read of the FIN itself is slow; in production, other handlers
// in the same pass). peerClosed marks the connection, but it is released
// only in the next pass's close phase, after step 1 has run its timer:
// connTimeout does not look at fMarked/fPeerEOF and counts a linger
// timeout that did not happen.
func TestLingerEndedByFINIsNoTimeout(t *testing.T) {
	slowEOF := func(real syscalls) syscalls {
		s := real
		s.read = func(fd int, p []byte) (int, error) {
			n, err := real.read(fd, p)
			if n == 0 && err == nil {
				time.Sleep(100 * time.Millisecond) // a long pass
			}
			return n, err
		}
		return s
	}
	rec := newRecorder(t)
	rec.open = func(c *Conn) {
		c.WriteString("bye")
		c.Close()
	}
	l, addr := serve(t, rec, WithLinger(50*time.Millisecond), withSyscalls(slowEOF))
	c := dial(t, "tcp", addr)
	got, err := io.ReadAll(c)
	require.NoError(t, err)
	require.Equal(t, "bye", string(got))
	require.NoError(t, c.Close()) // the FIN, well within the linger
	waitUntil(t, "the lingering connection released", func() bool {
		s := l.Stats()
		return s.Closed == 1 && s.Lingering == 0
	})
	require.Zero(t, l.Stats().LingerTimeouts, "the peer's FIN came within the linger")
}

// onCloseHook runs hook in OnClose before the recorder records it.
type onCloseHook struct {
	*recorder
	hook func(c *Conn, err error)
}

func (h *onCloseHook) OnClose(c *Conn, err error) {
	h.hook(c, err)
	h.recorder.OnClose(c, err)
}
