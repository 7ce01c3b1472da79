package load

import (
	"sync"
	"time"
)

// alarm wakes the pacer of an open-loop TLS run (pacer.go) when its next
// message is due. The Go runtime's timers wake a goroutine through the
// runtime's poller, whose wait counts in milliseconds: a timer due in
// 100 µs on an otherwise idle process fires up to 1 ms late, and every
// message it sent would carry that lag into its latency. Where the system
// has a timer that is itself a file (Linux's timerfd), the alarm is one,
// read through the runtime's poller, which then wakes at the time the
// kernel's timer fires (see alarm_timerfd.go); elsewhere it is a
// time.Timer.
type alarm interface {
	// sleep blocks for d (at once for d <= 0) and returns true, or
	// returns false once the alarm is closed.
	sleep(d time.Duration) bool
	// close makes sleep return false, now and from then on. It is
	// safe from any goroutine.
	close()
}

// timerAlarm is the alarm of the systems without timerfd.
type timerAlarm struct {
	t      *time.Timer
	closed chan struct{}
	once   sync.Once
}

func newTimerAlarm() *timerAlarm {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &timerAlarm{t: t, closed: make(chan struct{})}
}

func (a *timerAlarm) sleep(d time.Duration) bool {
	if d <= 0 {
		select {
		case <-a.closed:
			return false
		default:
			return true
		}
	}
	a.t.Reset(d)
	select {
	case <-a.t.C:
		return true
	case <-a.closed:
		a.t.Stop()
		return false
	}
}

func (a *timerAlarm) close() { a.once.Do(func() { close(a.closed) }) }
