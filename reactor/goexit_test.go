package reactor

import (
	"context"
	"io"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// Tests of a handler that ends the loop's goroutine (runtime.Goexit, as
// t.FailNow does): the loop must still release everything.

// TestGoexitInOnClose: a handler that ends the loop's goroutine in
// OnClose (runtime.Goexit, what t.FailNow/require do) must still leave the
// loop released: the goroutine ends without a panic, even with the
// connection half way through its close, and afterwards Stats shows no
// connection open and no buffer held.
func TestGoexitInOnClose(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		testkit.CheckLeaks(t)
		rec := newRecorder(t)
		rec.data = func(c *Conn) { c.Close() }
		h := &onCloseHook{recorder: rec, hook: func(c *Conn, err error) { runtime.Goexit() }}
		l, err := New(h, opt)
		require.NoError(t, err)
		addr, err := l.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		panicked := make(chan any, 1)
		go func() {
			defer func() { panicked <- recover() }()
			l.Run(context.Background())
		}()
		c := dial(t, "tcp", addr.String())
		_, err = c.Write([]byte("x"))
		require.NoError(t, err)
		select {
		case v := <-panicked:
			require.Nil(t, v, "the loop's goroutine panicked while ending: %v", v)
		case <-time.After(testkit.Limit):
			t.Fatal("the loop's goroutine did not end")
		}
		require.ErrorIs(t, l.Post(func() {}), ErrStopped)
		s := l.Stats()
		require.Zero(t, s.Conns, "no connection is left open: %+v", s)
		require.Zero(t, s.Buffered, "no buffer is held: %+v", s)
	})
}

// TestGoexitRunsAcceptedPosts: a Group's hand-off is a posted
// l.open(fd). When a handler ends the loop's goroutine (Goexit in OnOpen of
// the first handed-off connection), the rest of that batch of posted
// functions still runs, although the loop had already taken it off its
// queue: every post accepted before the loop stopped runs, and the second
// handed-off fd is adopted and closed, not leaked.
func TestGoexitRunsAcceptedPosts(t *testing.T) {
	rec := newRecorder(t)
	opened := 0
	rec.open = func(c *Conn) {
		opened++
		if opened == 1 {
			runtime.Goexit()
		}
	}
	l, err := New(rec)
	require.NoError(t, err)
	var pairs [2][2]int
	for i := range pairs {
		a, b := socketpairFDs(t)
		require.NoError(t, unix.SetNonblock(a, true))
		p := [2]int{a, b}
		pairs[i] = p
		t.Cleanup(func() { unix.Close(p[1]) })
	}
	ran := make(chan int, 2)
	for i := range pairs {
		fd := pairs[i][0]
		require.NoError(t, l.Post(func() { ran <- i; l.open(fd, false, nil) })) // as Group.dispatch does
	}
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		l.Run(context.Background())
	}()
	select {
	case <-exited:
	case <-time.After(testkit.Limit):
		t.Fatal("the loop's goroutine did not end")
	}
	close(ran)
	n := 0
	for range ran {
		n++
	}
	leaked := 0
	for i := range pairs {
		if _, err := unix.FcntlInt(uintptr(pairs[i][0]), unix.F_GETFD, 0); err == nil {
			leaked++
			unix.Close(pairs[i][0]) // not to disturb other tests
		}
	}
	require.Equal(t, 2, n, "every post accepted before the loop stopped runs")
	require.Zero(t, leaked, "every handed-off fd is adopted and closed, or closed")
}

// TestGoexitReleasesLoop: a handler that ends the loop's goroutine
// (runtime.Goexit, what t.FailNow does) still leaves the loop released:
// every fd and the poller closed, Post refusing.
func TestGoexitReleasesLoop(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		testkit.CheckLeaks(t)
		rec := newRecorder(t)
		rec.data = func(c *Conn) { runtime.Goexit() }
		l, err := New(rec, opt)
		require.NoError(t, err)
		addr, err := l.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		exited := make(chan struct{})
		go func() {
			defer close(exited)
			l.Run(context.Background())
		}()
		idle := dial(t, "tcp", addr.String())
		c := dial(t, "tcp", addr.String())
		_, err = c.Write([]byte("goodbye"))
		require.NoError(t, err)
		select {
		case <-exited:
		case <-time.After(testkit.Limit):
			t.Fatal("the loop's goroutine did not end")
		}
		require.ErrorIs(t, l.Post(func() {}), ErrStopped)
		require.ErrorIs(t, l.Run(context.Background()), ErrStopped)
		for _, c := range []net.Conn{idle, c} {
			_, err := io.Copy(io.Discard, c)
			require.True(t, err == nil || isConnBroken(err), "the connection is closed: %v", err)
		}
		// checkLeaks, at cleanup, finds every fd of the loop closed.
	})
}
