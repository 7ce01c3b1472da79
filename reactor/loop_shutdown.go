package reactor

import (
	"time"
)

// The loop's end: beginShutdown when Stop is called or Run's context ends,
// deliveredOrWait while lingering connections wait for their peers, then
// shutdownNow and releaseAll when run returns (or its goroutine ends).

// beginShutdown runs once Stop was called or Run's context ended: every
// listener closes, and every connection closes at once (FIN, then OnClose)
// if it has nothing queued, else once its output has left. The grace timer
// aborts the output that has not left by then.
func (l *Loop) beginShutdown() {
	l.stopping = true
	for _, o := range l.fds {
		if o != nil {
			o.stop()
		}
	}
	l.AfterFunc(l.cfg.gracePeriod, func() {
		l.graceOver = true
		for _, o := range l.fds {
			if o != nil {
				o.endGrace()
			}
		}
	})
}

// deliveredOrWait tells a shutdown whose connections have all closed
// whether Run may return: whether every lingering connection's peer has
// acknowledged what was sent to it. Closing a socket whose peer still
// sends makes the kernel reset the connection and discard what it has not
// sent yet, so until then the loop goes on reading and discarding, for at
// most the grace period. No readiness event reports an acknowledgement,
// so the loop asks again after a while: first after the round trip the
// kernel measured for the connection it waits on, then at twice the last
// wait, up to maxAckWait; a peer's FIN, which ends its connection's
// linger, wakes it at once.
func (l *Loop) deliveredOrWait() bool {
	if l.lingering == 0 || l.graceOver {
		return true
	}
	for _, o := range l.fds {
		if o == nil {
			continue
		}
		if waiting, rtt := o.awaitingAck(); waiting {
			l.waitForAcks(rtt)
			return false
		}
	}
	return true
}

// waitForAcks arms the timer that makes a shutdown ask again whether the
// peers have acknowledged their output, rtt being the round trip of one
// that has not.
func (l *Loop) waitForAcks(rtt time.Duration) {
	if l.ackTimer != nil && l.ackTimer.pending() {
		return
	}
	if l.ackWait == 0 {
		l.ackWait = max(rtt, minAckWait)
	} else {
		l.ackWait = min(2*l.ackWait, maxAckWait)
	}
	if l.ackTimer == nil {
		l.ackTimer = l.AfterFunc(l.ackWait, func() {})
		return
	}
	l.ackTimer.Reset(l.ackWait)
}

// Bounds of the wait between two looks at the peers' acknowledgements.
const (
	minAckWait = 100 * time.Microsecond
	maxAckWait = 100 * time.Millisecond
)

// shutdownNow runs when run has returned, or its goroutine is ending: it
// closes whatever is still open (calling OnClose for the connections the
// handler still sees), refuses further posts, runs the posts that were
// accepted, and releases every fd and the poller.
func (l *Loop) shutdownNow() {
	// Deferred, so that a handler ending the goroutine inside one of the
	// calls below still leaves nothing open.
	defer l.releaseAll()
	l.stopping = true // Listen and Dial fail from here on
	l.cur, l.fresh = nil, nil
	for _, o := range l.fds {
		if o != nil {
			o.endGrace() // connections still open are aborted
		}
	}
	l.closeMarked()
	// Posts accepted before the loop stopped all run: those a handler's
	// Goexit left behind in runTasks, then those still queued.
	tasks := l.running[min(l.ran, len(l.running)):]
	l.running = nil
	l.mu.Lock()
	l.state = stateStopped
	tasks = append(tasks, l.tasks...)
	l.tasks = nil
	l.mu.Unlock()
	for _, f := range tasks {
		l.st[statPosts]++
		l.callTask(f)
	}
}

// releaseAll is the end of the loop, with no user code left to run: Post
// refuses, the fds still open (lingering connections, or all of them if the
// goroutine is ending early) are closed, and so is the poller.
func (l *Loop) releaseAll() {
	l.mu.Lock()
	l.state = stateStopped
	l.tasks = nil
	l.mu.Unlock()
	for _, o := range l.fds {
		if o != nil {
			o.end()
		}
	}
	l.closeRetired()
	l.timers.clear()
	l.publish()
	_ = l.p.Close()
}
