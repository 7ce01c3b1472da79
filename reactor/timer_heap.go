package reactor

import (
	"math"
	"time"
)

// Timer is a function the loop runs once at a given time, made by
// Loop.AfterFunc. Its methods, like the loop's, run on the loop's goroutine.
type Timer struct {
	l    *Loop
	when time.Duration // on the loop's clock
	f    func()
	i    int // index in the heap; -1 when not scheduled (read through pending)
}

// AfterFunc arranges for f to run on the loop's goroutine after at least d.
// Timers are kept in a min-heap whose earliest deadline bounds the poller's
// wait, so a loop with no timer due never wakes up for nothing.
func (l *Loop) AfterFunc(d time.Duration, f func()) *Timer {
	t := &Timer{l: l, f: f, i: -1}
	t.Reset(d)
	return t
}

// Stop cancels the timer. It returns true if that kept f from running, false
// if f has run or the timer was stopped already.
func (t *Timer) Stop() bool {
	if t.i < 0 {
		return false
	}
	t.l.timers.remove(t)
	return true
}

// Reset makes the timer run f after d from now, whether or not it ran or
// was stopped. It returns true if the timer was pending.
func (t *Timer) Reset(d time.Duration) bool {
	if d < 0 {
		d = 0
	}
	pending := t.Stop()
	t.when = after(t.l.now(), d)
	t.l.timers.push(t)
	return pending
}

// pending reports whether the timer is scheduled: f has not run since the
// last Reset, and the timer was not stopped.
func (t *Timer) pending() bool { return t.i >= 0 }

// due returns when a pending timer runs, on the loop's clock.
func (t *Timer) due() time.Duration { return t.when }

// after returns the time d after t on the loop's clock, saturating: a
// deadline too far to represent is the farthest there is, never one in the
// past.
func after(t, d time.Duration) time.Duration {
	if d > math.MaxInt64-t {
		return math.MaxInt64
	}
	return t + d
}

// runTimers is the timer phase: it runs the timers due at now, earliest
// first, at most as many as were scheduled when it began, so that a timer
// function that keeps rescheduling itself for now cannot hold the loop.
func (l *Loop) runTimers(now time.Duration) {
	for n := len(l.timers); n > 0 && len(l.timers) > 0; n-- { // a timer function may stop others
		t := l.timers[0]
		if t.when > now {
			return
		}
		l.timers.remove(t)
		l.callTask(t.f)
	}
}

// timerHeap is a binary min-heap of timers by deadline.
type timerHeap []*Timer

// timeout returns how long the poller may wait: until the earliest deadline,
// or forever (-1) if no timer is scheduled.
func (h timerHeap) timeout(now time.Duration) time.Duration {
	if len(h) == 0 {
		return -1
	}
	if d := h[0].when - now; d > 0 {
		return d
	}
	return 0
}

func (h *timerHeap) push(t *Timer) {
	t.i = len(*h)
	*h = append(*h, t)
	h.up(t.i)
}

func (h *timerHeap) remove(t *Timer) {
	s := *h
	i, last := t.i, len(s)-1
	if i != last {
		s[i] = s[last]
		s[i].i = i
	}
	s[last] = nil
	*h = s[:last]
	t.i = -1
	if i != last {
		h.down(i)
		h.up(i)
	}
}

func (h *timerHeap) clear() {
	for _, t := range *h {
		t.i = -1
	}
	*h = nil
}

func (h timerHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if h[p].when <= h[i].when {
			return
		}
		h.swap(i, p)
		i = p
	}
}

func (h timerHeap) down(i int) {
	for {
		m, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && h[l].when < h[m].when {
			m = l
		}
		if r < len(h) && h[r].when < h[m].when {
			m = r
		}
		if m == i {
			return
		}
		h.swap(i, m)
		i = m
	}
}

func (h timerHeap) swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].i = i
	h[j].i = j
}
