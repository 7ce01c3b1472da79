package reactor

import (
	"bytes"
	"context"
	"io"
	"math"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

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
		testkit.WaitUntil(t, "1,000 open connections", func() bool { return l.Stats().Conns == n })
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
		testkit.WaitUntil(t, "reading paused by the queued echo", func() bool { return l.Stats().ReadPauses > 0 })
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

// TestStopFlushesQueuedOutput: Stop while every connection still has 1 MiB
// queued; every client must still get all of it, then EOF.
func TestStopFlushesQueuedOutput(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		want := payload(1 << 20)
		rec := newRecorder(t)
		rec.open = func(c *Conn) { c.Write(want) }
		l, err := New(rec, opt)
		require.NoError(t, err)
		testkit.CheckLeaks(t)
		addr, err := l.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		done := make(chan error, 1)
		go func() { done <- l.Run(context.Background()) }()

		const n = 20
		conns := make([]net.Conn, n)
		for i := range conns {
			conns[i] = dial(t, "tcp", addr.String())
		}
		testkit.WaitUntil(t, "every connection open", func() bool { return l.Stats().Accepted == n })
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

// TestStopCutsNonReader: a client that never reads holds Stop for the grace
// period only; its connection is reset, and OnClose reports ErrStopped.
func TestStopCutsNonReader(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		rec := newRecorder(t)
		rec.open = func(c *Conn) { c.Write(payload(32 << 20)) } // more than the socket buffers hold
		l, addr, done := startLoop(t, rec, opt, WithGracePeriod(50*time.Millisecond), WithMaxOutput(32<<20))
		c := dial(t, "tcp", addr)
		testkit.WaitUntil(t, "a connection blocked on output", func() bool { return l.Stats().WriteWaits > 0 })
		l.Stop()
		waitRun(t, done, "Run after the grace period")
		require.ErrorIs(t, rec.nextClose(t).err, ErrStopped)
		_, err := io.Copy(io.Discard, c)
		require.ErrorIs(t, err, syscall.ECONNRESET, "output was dropped: the peer is told with a reset")
	})
}

// TestStopGracePeriod: a client that never reads cannot hold Stop beyond
// the grace period; its connection is aborted with ErrStopped.
func TestStopGracePeriod(t *testing.T) {
	rec := newRecorder(t)
	rec.open = func(c *Conn) { c.Write(payload(32 << 20)) } // more than the socket buffers hold
	l, addr := serve(t, rec, WithGracePeriod(50*time.Millisecond), WithMaxOutput(32<<20))
	dial(t, "tcp", addr)
	testkit.WaitUntil(t, "a connection blocked on output", func() bool { return l.Stats().WriteWaits > 0 })
	l.Stop()
	require.ErrorIs(t, rec.nextClose(t).err, ErrStopped)
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
	testkit.WaitUntil(t, "all output sent", func() bool { return l.Stats().BytesOut == uint64(len(want)) })
	l.Stop()
	require.ErrorIs(t, rec.nextClose(t).err, ErrStopped)
	got, err := io.ReadAll(c)
	require.NoError(t, err)
	require.True(t, bytes.Equal(want, got), "got %d of %d bytes", len(got), len(want))
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
	testkit.WaitUntil(t, "output waiting for the reader", func() bool { return l.Stats().WriteWaits > 0 })
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

func TestStopBeforeRunReleasesEverything(t *testing.T) {
	testkit.CheckLeaks(t)
	l, err := New(newRecorder(t))
	require.NoError(t, err)
	_, err = l.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	l.Stop()
	require.NoError(t, l.Run(context.Background()))
	_, err = l.Listen("tcp", "127.0.0.1:0")
	require.ErrorIs(t, err, ErrStopped)
}

func TestRunEndsWithContext(t *testing.T) {
	testkit.CheckLeaks(t)
	l, err := New(newRecorder(t))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	require.NoError(t, l.Post(cancel))
	waitRun(t, done, "Run with its context cancelled")
}
