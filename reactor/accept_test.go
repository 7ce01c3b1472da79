package reactor

import (
	"context"
	"errors"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goreactor/reactor/poller"
	"github.com/stretchr/testify/require"
)

// refusingAdd is a poller that refuses to register fds while refuse is set,
// except the first one (the listener).
type refusingAdd struct {
	poller.Poller
	refuse *atomic.Bool
	adds   int
}

func (p *refusingAdd) Add(fd int, in poller.Interest) error {
	p.adds++
	if p.adds > 1 && p.refuse.Load() {
		return errors.New("injected: no memory for the fd")
	}
	return p.Poller.Add(fd, in)
}

// TestPollerRefusesAccepted: an accepted fd that the poller refuses is
// reset and counted as rejected, never as accepted, so that Accepted ==
// Conns + Closed holds; and accepting backs off instead of failing every
// pass.
func TestPollerRefusesAccepted(t *testing.T) {
	var refuse atomic.Bool
	refuse.Store(true)
	rec := newRecorder(t)
	l, addr := serve(t, rec, WithLogger(discardLogger()), WithPoller(func() (poller.Poller, error) {
		p, err := poller.New()
		return &refusingAdd{Poller: p, refuse: &refuse}, err
	}))
	const n = 5
	for range n {
		// The reset may come before or after the connect completes.
		c, err := net.DialTimeout("tcp", addr, testLimit)
		if err == nil {
			c.SetDeadline(time.Now().Add(testLimit))
			_, err = io.ReadAll(c)
			c.Close()
		}
		require.True(t, err == nil || isConnBroken(err), "refused: %v", err)
	}
	waitUntil(t, "every connection rejected", func() bool { return l.Stats().Rejected == n })
	s := l.Stats()
	require.Equal(t, uint64(n), s.Rejected)
	require.Zero(t, s.Accepted)
	require.Equal(t, uint64(s.Conns)+s.Closed, s.Accepted)
	require.Positive(t, s.AcceptPauses, "accepting backs off")

	refuse.Store(false)
	c := dial(t, "tcp", addr)
	require.Equal(t, []byte("back"), roundTrip(t, c, []byte("back")))
	s = l.Stats()
	require.Equal(t, uint64(1), s.Accepted)
	require.Equal(t, uint64(s.Conns)+s.Closed, s.Accepted)
}

// TestGroupRunTwice: a second Run of a running group returns ErrRunning
// and leaves the first one serving; after the group stopped, Run returns
// ErrStopped.
func TestGroupRunTwice(t *testing.T) {
	g, _ := newTestGroup(t, 2)
	addr, err := g.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- g.Run(context.Background()) }()
	c := dial(t, "tcp", addr.String())
	require.Equal(t, []byte("one"), roundTrip(t, c, []byte("one")))
	require.ErrorIs(t, g.Run(context.Background()), ErrRunning)
	select {
	case err := <-done:
		t.Fatalf("the first Run returned %v after a second Run", err)
	case <-time.After(20 * time.Millisecond): // observing that nothing happens
	}
	c2 := dial(t, "tcp", addr.String())
	require.Equal(t, []byte("still serving"), roundTrip(t, c2, []byte("still serving")))
	g.Stop()
	waitRun(t, done, "Group.Run after Stop")
	require.ErrorIs(t, g.Run(context.Background()), ErrStopped)
}

// TestPostReleasesBurst: a burst of posts queued behind a busy loop does
// not keep its memory for the life of the loop.
func TestPostReleasesBurst(t *testing.T) {
	l, _ := serve(t, newRecorder(t))
	hold := make(chan struct{})
	require.NoError(t, l.Post(func() { <-hold }))
	const burst = 1 << 20
	ran := 0
	for range burst {
		require.NoError(t, l.Post(func() { ran++ }))
	}
	close(hold)
	caps := make(chan int, 1)
	// Two passes later both of the loop's task arrays have been through a
	// pass since the burst.
	require.NoError(t, l.Post(func() {
		require.NoError(t, l.Post(func() {
			l.mu.Lock()
			caps <- cap(l.tasks) + cap(l.spare)
			l.mu.Unlock()
		}))
	}))
	require.LessOrEqual(t, <-caps, 2*maxSpareTasks)
	require.NoError(t, l.Post(func() { caps <- ran }))
	require.Equal(t, burst, <-caps)
}
