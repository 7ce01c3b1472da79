package reactor

import (
	"errors"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
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
		c, err := net.DialTimeout("tcp", addr, testkit.Limit)
		if err == nil {
			c.SetDeadline(time.Now().Add(testkit.Limit))
			_, err = io.ReadAll(c)
			c.Close()
		}
		require.True(t, err == nil || isConnBroken(err), "refused: %v", err)
	}
	testkit.WaitUntil(t, "every connection rejected", func() bool { return l.Stats().Rejected == n })
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
