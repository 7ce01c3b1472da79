//go:build linux

package load

import (
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// timerfdAlarm is a timerfd read through the runtime's poller: while the
// pacer sleeps on it, the runtime waits on the poller with the timerfd in
// it, and the kernel's high-resolution timer, not the poller's
// millisecond timeout, says when the wait ends.
type timerfdAlarm struct {
	f      *os.File
	rc     syscall.RawConn
	closed atomic.Bool
	buf    [8]byte // the expiration count a read returns

	spec   unix.ItimerSpec  // the time setTime sets
	setErr error            // what it returned
	setFn  func(fd uintptr) // setTime, made once: a closure per sleep would allocate
}

// newAlarm returns a timerfd alarm, or a timer alarm if the system will
// not make a timerfd.
func newAlarm() alarm {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return newTimerAlarm()
	}
	f := os.NewFile(uintptr(fd), "timerfd") // non-blocking: the runtime polls it
	rc, err := f.SyscallConn()
	if err != nil {
		_ = f.Close()
		return newTimerAlarm()
	}
	a := &timerfdAlarm{f: f, rc: rc}
	a.setFn = a.setTime
	return a
}

func (a *timerfdAlarm) setTime(fd uintptr) { a.setErr = unix.TimerfdSettime(int(fd), 0, &a.spec, nil) }

func (a *timerfdAlarm) sleep(d time.Duration) bool {
	if d <= 0 {
		return !a.closed.Load()
	}
	a.spec.Value = unix.NsecToTimespec(int64(d))
	if err := a.rc.Control(a.setFn); err != nil {
		return false // closed
	}
	if a.setErr != nil {
		time.Sleep(d) // cannot happen with a valid time; sleep coarsely rather than spin
		return !a.closed.Load()
	}
	_, err := a.f.Read(a.buf[:])
	return err == nil
}

func (a *timerfdAlarm) close() {
	a.closed.Store(true)
	_ = a.f.Close() // wakes a sleep in Read
}
