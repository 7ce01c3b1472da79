package poller

import (
	"sync"
	"sync/atomic"
)

// signaler is the mechanism-specific half of Wake: it makes the kernel end
// the poller's current or next wait.
type signaler interface {
	signal() error
}

// wakeGate is the mechanism-independent half of Wake. Wake-ups collapse
// through one atomic flag: only the Wake that turns pending from false to
// true makes a system call, and the Wait that consumes the wake-up turns it
// back to false after draining the mechanism. A Wake that finds pending
// already true needs no call of its own: the Wait that will consume the
// pending wake-up has not yet returned, so whatever the caller published
// before calling Wake is visible to the owner after that Wait.
//
// Close must not free the wake-up fd while another goroutine writes to it (the
// number could be reused by then), so signalling holds mu shared and close
// takes it exclusively.
type wakeGate struct {
	pending atomic.Bool
	closed  atomic.Bool
	mu      sync.RWMutex
}

// wake signals through s unless a wake-up is already pending.
func (g *wakeGate) wake(s signaler) error {
	if g.closed.Load() {
		return ErrClosed
	}
	if !g.pending.CompareAndSwap(false, true) {
		return nil
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	if g.closed.Load() {
		return ErrClosed
	}
	if err := s.signal(); err != nil {
		g.pending.Store(false)
		return err
	}
	return nil
}

// consumed is called by Wait after it has drained the wake-up mechanism.
func (g *wakeGate) consumed() {
	g.pending.Store(false)
}

// close makes every later Wake fail and waits for a Wake in flight to finish,
// so the caller may then close the wake-up fds.
func (g *wakeGate) close() {
	g.mu.Lock()
	g.closed.Store(true)
	g.mu.Unlock()
}
