package reactor

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCloseSendsQueuedOutput: a handler queues 3 MiB and calls Close at
// once; the client must get every byte and then an orderly EOF.
func TestCloseSendsQueuedOutput(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		want := payload(3 << 20)
		rec := newRecorder(t)
		rec.open = func(c *Conn) {
			for p := want; len(p) > 0; p = p[min(len(p), 100000):] {
				_, err := c.Write(p[:min(len(p), 100000)])
				assert.NoError(t, err)
			}
			assert.NoError(t, c.Close())
			assert.ErrorIs(t, c.Close(), ErrClosed)
			_, err := c.Write([]byte("late"))
			assert.ErrorIs(t, err, ErrClosed)
			assert.ErrorIs(t, err, net.ErrClosed)
		}
		_, addr := serve(t, rec, opt)
		c := dial(t, "tcp", addr)
		got, err := io.ReadAll(c)
		require.NoError(t, err, "the stream ends in EOF, not a reset")
		require.True(t, bytes.Equal(want, got), "got %d bytes, want %d", len(got), len(want))
		c.Close() // the server waits for this FIN before it closes the socket
		ev := rec.nextClose(t)
		require.NoError(t, ev.err, "closed by Close")
	})
}

// TestAbortResets: Abort drops queued output and resets the connection.
func TestAbortResets(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		rec := newRecorder(t)
		rec.data = func(c *Conn) {
			c.Write(payload(1 << 20))
			assert.NoError(t, c.Abort())
			assert.ErrorIs(t, c.Abort(), ErrClosed)
		}
		_, addr := serve(t, rec, opt)
		c := dial(t, "tcp", addr)
		_, err := c.Write([]byte("x"))
		require.NoError(t, err)
		_, err = io.ReadAll(c)
		require.ErrorIs(t, err, syscall.ECONNRESET)
		require.NoError(t, rec.nextClose(t).err)
	})
}

// TestCloseWithUnreadInput: the handler answers and closes while the client
// is still sending. Closing a socket with unread input makes the kernel
// reset the connection, destroying the answer in flight; the loop must
// instead send FIN, discard input until the peer's FIN, and then close, so
// that the client gets the whole answer and an orderly EOF.
func TestCloseWithUnreadInput(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		answer := payload(1 << 20)
		rec := newRecorder(t)
		rec.data = func(c *Conn) {
			c.Write(answer)
			c.Close()
		}
		_, addr := serve(t, rec, opt)
		c := dial(t, "tcp", addr)
		wrote := make(chan struct{})
		go func() {
			defer close(wrote)
			chunk := payload(64 << 10)
			for range 64 {
				if _, err := c.Write(chunk); err != nil {
					return
				}
			}
		}()
		got, err := io.ReadAll(c)
		require.NoError(t, err, "an orderly EOF, not a reset")
		require.True(t, bytes.Equal(answer, got), "got %d bytes of the answer, want %d", len(got), len(answer))
		<-wrote
		c.Close()
		require.NoError(t, rec.nextClose(t).err)
	})
}

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
		case <-time.After(testkit.Limit):
			t.Fatal("no OnClose while the peer keeps its end open")
		}
		require.Equal(t, closedAt, onCloseAt, "OnClose in the pass of Close: no wait between")
		testkit.WaitUntil(t, "one lingering connection", func() bool {
			s := l.Stats()
			return s.Lingering == 1 && s.Conns == 0 && s.Closed == 1
		})
		c.Close()
		testkit.WaitUntil(t, "the linger ended by the peer's FIN", func() bool { return l.Stats().Lingering == 0 })
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

// broadcaster tells every other connection when one closes.
type broadcaster struct {
	*recorder
	conns map[*Conn]bool
}

func (h broadcaster) OnOpen(c *Conn) { h.conns[c] = true }

func (h broadcaster) OnClose(c *Conn, err error) {
	delete(h.conns, c)
	for o := range h.conns {
		o.WriteString("bye\n")
	}
	h.recorder.OnClose(c, err)
}

// TestWriteInOnClose: what OnClose writes to another connection leaves
// without waiting for an unrelated event.
func TestWriteInOnClose(t *testing.T) {
	h := broadcaster{newRecorder(t), map[*Conn]bool{}}
	l, addr := serve(t, h)
	a := dial(t, "tcp", addr)
	b := dial(t, "tcp", addr)
	testkit.WaitUntil(t, "two connections", func() bool { return l.Stats().Conns == 2 })
	a.Close()
	got := make([]byte, 4)
	_, err := io.ReadFull(b, got)
	require.NoError(t, err)
	require.Equal(t, "bye\n", string(got))
}

// TestCloseStalledOutput: Close with output that a peer never reads ends
// after the stall bound (the linger, at least a second), with a reset and
// ErrWriteTimeout.
func TestCloseStalledOutput(t *testing.T) {
	rec := newRecorder(t)
	rec.open = func(c *Conn) {
		c.Write(payload(32 << 20))
		c.Close()
	}
	_, addr := serve(t, rec, WithMaxOutput(32<<20), WithLinger(30*time.Millisecond))
	dial(t, "tcp", addr) // never reads
	require.ErrorIs(t, rec.nextClose(t).err, ErrWriteTimeout)
}
