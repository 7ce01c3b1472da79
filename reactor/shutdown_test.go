package reactor

import (
	"bytes"
	"context"
	"io"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// startLoop runs a new loop listening on 127.0.0.1:0 and returns it, its
// address and the channel Run's result comes on. The test stops it.
func startLoop(t *testing.T, h Handler, opts ...Option) (*Loop, string, chan error) {
	t.Helper()
	checkLeaks(t)
	l, err := New(h, opts...)
	require.NoError(t, err)
	addr, err := l.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- l.Run(context.Background()) }()
	return l, addr.String(), done
}

// TestStopClosesIdleAtOnce: Stop with 1,000 idle connections (nothing
// queued, nothing unread) closes them at once with FIN: Run returns
// without waiting for the grace period (an hour here), and every client
// reads EOF, not a reset.
func TestStopClosesIdleAtOnce(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		rec := newRecorder(t)
		l, addr, done := startLoop(t, rec, opt, WithGracePeriod(time.Hour))
		const n = 1000
		conns := make([]net.Conn, n)
		for i := range conns {
			conns[i] = dial(t, "tcp", addr)
		}
		waitUntil(t, "1,000 open connections", func() bool { return l.Stats().Conns == n })
		start := time.Now()
		l.Stop()
		waitRun(t, done, "Run after Stop with idle connections")
		t.Logf("Run returned %v after Stop with %d idle connections", time.Since(start), n)
		for range n {
			require.ErrorIs(t, rec.nextClose(t).err, ErrStopped)
		}
		for i, c := range conns {
			got, err := io.ReadAll(c)
			require.NoError(t, err, "client %d: EOF, not a reset", i)
			require.Empty(t, got)
		}
		s := l.Stats()
		require.Equal(t, 0, s.Conns)
		require.Equal(t, 0, s.Lingering)
		require.Equal(t, uint64(n), s.Closed)
	})
}

// TestStopSendsEchoQueuedBeforeIt: a client sends 8 MiB without reading,
// so the echo backs up and reading pauses; Stop comes while the echo is
// queued. When the client then reads, it gets every byte the server had
// echoed, then EOF; Run returns once that output has left.
func TestStopSendsEchoQueuedBeforeIt(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		var echoed int // bytes queued by the handler; read after Run returned
		rec := newRecorder(t)
		rec.data = func(c *Conn) {
			p, _ := c.Next(0)
			n, _ := c.Write(p)
			echoed += n
		}
		l, addr, done := startLoop(t, rec, opt, WithGracePeriod(time.Hour))
		c := dial(t, "tcp", addr)
		sent := payload(8 << 20)
		wrote := make(chan error, 1)
		go func() {
			_, err := c.Write(sent)
			wrote <- err
		}()
		waitUntil(t, "reading paused by the queued echo", func() bool { return l.Stats().ReadPauses > 0 })
		l.Stop()
		require.NoError(t, <-wrote, "after Stop the server discards what it no longer echoes")
		got, err := io.ReadAll(c)
		require.NoError(t, err, "EOF, not a reset")
		waitRun(t, done, "Run after Stop")
		require.Positive(t, echoed)
		require.Equal(t, echoed, len(got), "every echoed byte arrives")
		require.True(t, bytes.Equal(sent[:len(got)], got), "the echo is intact")
		require.ErrorIs(t, rec.nextClose(t).err, ErrStopped)
	})
}

// TestStopCutsNonReader: a client that never reads holds Stop for the grace
// period only; its connection is reset, and OnClose reports ErrStopped.
func TestStopCutsNonReader(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		rec := newRecorder(t)
		rec.open = func(c *Conn) { c.Write(payload(32 << 20)) } // more than the socket buffers hold
		l, addr, done := startLoop(t, rec, opt, WithGracePeriod(50*time.Millisecond), WithMaxOutput(32<<20))
		c := dial(t, "tcp", addr)
		waitUntil(t, "a connection blocked on output", func() bool { return l.Stats().WriteWaits > 0 })
		l.Stop()
		waitRun(t, done, "Run after the grace period")
		require.ErrorIs(t, rec.nextClose(t).err, ErrStopped)
		_, err := io.Copy(io.Discard, c)
		require.ErrorIs(t, err, syscall.ECONNRESET, "output was dropped: the peer is told with a reset")
	})
}

// TestStopWithPostedWork: posts accepted before the loop stopped all run,
// even when they arrive while it is shutting down.
func TestStopWithPostedWork(t *testing.T) {
	l, _, done := startLoop(t, newRecorder(t))
	var mu sync.Mutex
	ran := 0
	for range 100 {
		require.NoError(t, l.Post(func() { mu.Lock(); ran++; mu.Unlock() }))
	}
	l.Stop()
	waitRun(t, done, "Run after Stop")
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, 100, ran)
}
