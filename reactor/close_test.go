package reactor

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPeerCloseMidTransfer: a client sends 4 MiB and closes without reading
// the echo. The server's writes then fail; the connection must close once,
// with an error, and the server must go on serving.
func TestPeerCloseMidTransfer(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		rec := newRecorder(t)
		l, addr := serve(t, rec, opt)
		c := dial(t, "tcp", addr)
		go func() {
			c.Write(payload(4 << 20))
			c.Close()
		}()
		ev := rec.nextClose(t)
		require.Error(t, ev.err)
		c2 := dial(t, "tcp", addr)
		require.Equal(t, []byte("still here"), roundTrip(t, c2, []byte("still here")))
		waitUntil(t, "one open connection", func() bool { return l.Stats().Conns == 1 })
	})
}

// TestPeerReset: a client that resets (RST) mid-transfer makes the server
// close that connection with ECONNRESET (or EPIPE, if a write saw it
// first).
func TestPeerReset(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		rec := newRecorder(t)
		_, addr := serve(t, rec, opt)
		c := dial(t, "tcp", addr)
		_, err := c.Write(payload(1 << 20))
		require.NoError(t, err)
		_, err = io.ReadFull(c, make([]byte, 1000)) // the echo has started
		require.NoError(t, err)
		require.NoError(t, c.(*net.TCPConn).SetLinger(0))
		require.NoError(t, c.Close())
		ev := rec.nextClose(t)
		require.True(t, isConnBroken(ev.err), "OnClose reason %v, want ECONNRESET or EPIPE", ev.err)
	})
}

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

// TestStopFlushesQueuedOutput: Stop while every connection still has 1 MiB
// queued; every client must still get all of it, then EOF.
func TestStopFlushesQueuedOutput(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		want := payload(1 << 20)
		rec := newRecorder(t)
		rec.open = func(c *Conn) { c.Write(want) }
		l, err := New(rec, opt)
		require.NoError(t, err)
		checkLeaks(t)
		addr, err := l.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		done := make(chan error, 1)
		go func() { done <- l.Run(context.Background()) }()

		const n = 20
		conns := make([]net.Conn, n)
		for i := range conns {
			conns[i] = dial(t, "tcp", addr.String())
		}
		waitUntil(t, "every connection open", func() bool { return l.Stats().Accepted == n })
		l.Stop()
		var wg sync.WaitGroup
		for _, c := range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, err := io.ReadAll(c)
				c.Close()
				if err != nil || !bytes.Equal(want, got) {
					t.Errorf("after Stop: read %d bytes, err %v; want %d bytes", len(got), err, len(want))
				}
			}()
		}
		wg.Wait()
		waitRun(t, done, "Run after Stop")
		for range n {
			require.ErrorIs(t, rec.nextClose(t).err, ErrStopped)
		}
		require.ErrorIs(t, l.Post(func() {}), ErrStopped)
		require.ErrorIs(t, l.Run(context.Background()), ErrStopped)
		_, err = net.Dial("tcp", addr.String())
		require.Error(t, err, "the listener is closed")
	})
}

// TestStopGracePeriod: a client that never reads cannot hold Stop beyond
// the grace period; its connection is aborted with ErrStopped.
func TestStopGracePeriod(t *testing.T) {
	rec := newRecorder(t)
	rec.open = func(c *Conn) { c.Write(payload(32 << 20)) } // more than the socket buffers hold
	l, addr := serve(t, rec, WithGracePeriod(50*time.Millisecond), WithMaxOutput(32<<20))
	dial(t, "tcp", addr)
	waitUntil(t, "a connection blocked on output", func() bool { return l.Stats().WriteWaits > 0 })
	l.Stop()
	require.ErrorIs(t, rec.nextClose(t).err, ErrStopped)
}

func TestRunEndsWithContext(t *testing.T) {
	checkLeaks(t)
	l, err := New(newRecorder(t))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	require.NoError(t, l.Post(cancel))
	waitRun(t, done, "Run with its context cancelled")
}

// TestPostFromManyGoroutines: posts from many goroutines all run, on the
// loop, each goroutine's in the order it posted them.
func TestPostFromManyGoroutines(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		l, _ := serve(t, newRecorder(t), opt)
		const goroutines, posts = 8, 1000
		var seen [goroutines][]int // owned by the loop
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range posts {
					assert.NoError(t, l.Post(func() { seen[g] = append(seen[g], i) }))
				}
			}()
		}
		wg.Wait()
		result := make(chan [goroutines][]int, 1)
		require.NoError(t, l.Post(func() { result <- seen }))
		var got [goroutines][]int
		select {
		case got = <-result:
		case <-time.After(testLimit):
			t.Fatal("posted function did not run")
		}
		for g := range goroutines {
			require.Len(t, got[g], posts)
			for i, v := range got[g] {
				require.Equal(t, i, v, "goroutine %d: posts out of order", g)
			}
		}
		require.GreaterOrEqual(t, l.Stats().Posts, uint64(goroutines*posts+1))
	})
}

func TestInputLimit(t *testing.T) {
	rec := newRecorder(t)
	rec.data = func(c *Conn) {} // never consumes
	_, addr := serve(t, rec, WithMaxInput(100<<10))
	c := dial(t, "tcp", addr)
	go c.Write(payload(1 << 20))
	require.ErrorIs(t, rec.nextClose(t).err, ErrInputFull)
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

// TestHandlerPanic: a panic in OnData closes that connection with a
// *PanicError and the loop goes on serving the others.
func TestHandlerPanic(t *testing.T) {
	rec := newRecorder(t)
	rec.data = func(c *Conn) {
		if p, _ := c.Peek(0); bytes.Equal(p, []byte("boom")) {
			panic(errors.New("handler bug"))
		}
		echo(c)
	}
	l, addr := serve(t, rec, WithLogger(discardLogger()))
	good := dial(t, "tcp", addr)
	bad := dial(t, "tcp", addr)
	_, err := bad.Write([]byte("boom"))
	require.NoError(t, err)
	ev := rec.nextClose(t)
	var perr *PanicError
	require.ErrorAs(t, ev.err, &perr)
	require.EqualError(t, perr.Unwrap(), "handler bug")
	require.Equal(t, []byte("fine"), roundTrip(t, good, []byte("fine")))
	require.Equal(t, uint64(1), l.Stats().Panics)
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

// TestLingerTimeout: a peer that never sends its FIN cannot keep a closed
// connection open longer than the linger timeout.
func TestLingerTimeout(t *testing.T) {
	rec := newRecorder(t)
	rec.open = func(c *Conn) {
		c.WriteString("bye")
		c.Close()
	}
	_, addr := serve(t, rec, WithLinger(20*time.Millisecond))
	c := dial(t, "tcp", addr)
	got, err := io.ReadAll(c)
	require.NoError(t, err)
	require.Equal(t, "bye", string(got))
	require.NoError(t, rec.nextClose(t).err) // while the client still holds the connection open
}

// Regression tests for what a second read of the loop found.

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
	waitUntil(t, "two connections", func() bool { return l.Stats().Conns == 2 })
	a.Close()
	got := make([]byte, 4)
	_, err := io.ReadFull(b, got)
	require.NoError(t, err)
	require.Equal(t, "bye\n", string(got))
}

// TestGraceKeepsSentOutput: when the grace period ends, a connection whose
// output has all left (it waits only for the peer's FIN) is closed without
// a reset, which would destroy the bytes the peer has not read yet.
func TestGraceKeepsSentOutput(t *testing.T) {
	want := payload(256 << 10)
	rec := newRecorder(t)
	rec.open = func(c *Conn) { c.Write(want) }
	l, addr := serve(t, rec, WithGracePeriod(20*time.Millisecond), WithLinger(time.Minute))
	c := dial(t, "tcp", addr)
	waitUntil(t, "all output sent", func() bool { return l.Stats().BytesOut == uint64(len(want)) })
	l.Stop()
	require.ErrorIs(t, rec.nextClose(t).err, ErrStopped)
	got, err := io.ReadAll(c)
	require.NoError(t, err)
	require.True(t, bytes.Equal(want, got), "got %d of %d bytes", len(got), len(want))
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

func TestStopBeforeRunReleasesEverything(t *testing.T) {
	checkLeaks(t)
	l, err := New(newRecorder(t))
	require.NoError(t, err)
	_, err = l.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	l.Stop()
	require.NoError(t, l.Run(context.Background()))
	_, err = l.Listen("tcp", "127.0.0.1:0")
	require.ErrorIs(t, err, ErrStopped)
}
