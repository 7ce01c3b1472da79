//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package poller

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// newBest opens the best mechanism for macOS and the BSDs: kqueue.
func newBest(reg *registry) (mechanism, error) { return newKqueue(reg) }

// kqueue is the mechanism of macOS and the BSDs. A read interest is an
// EVFILT_READ filter, a write interest an EVFILT_WRITE filter; both are
// level-triggered (no EV_CLEAR).
type kqueue struct {
	fd      int
	events  []unix.Kevent_t
	changes [2]unix.Kevent_t
	ts      unix.Timespec
	reg     *registry // the front end's; wait reads it and uses its marks
	waker   kqWaker
}

// Marks in the spare bits of a registry entry: wait sets them while it
// builds one Wait's lists, so that an fd reported by both of its filters is
// put in each list once, and clears them before it returns.
const (
	stMarkRead  = 1 << 3
	stMarkWrite = 1 << 4
)

// newKqueue opens a kqueue(2) instance and registers its wake-up event.
func newKqueue(reg *registry) (mechanism, error) {
	kq, err := unix.Kqueue()
	if err != nil {
		return nil, os.NewSyscallError("kqueue", err)
	}
	unix.CloseOnExec(kq)
	k := &kqueue{fd: kq, events: make([]unix.Kevent_t, initialEvents), reg: reg}
	if err := k.waker.init(kq); err != nil {
		closeFD(kq)
		return nil, err
	}
	return k, nil
}

// control adds the filters of the interests fd gains and deletes those of
// the interests it loses, in one kevent call.
func (k *kqueue) control(fd int, old, in Interest) error {
	n := 0
	for _, f := range [2]struct {
		bit    Interest
		filter int
	}{{Read, unix.EVFILT_READ}, {Write, unix.EVFILT_WRITE}} {
		switch {
		case in&f.bit != 0 && old&f.bit == 0:
			unix.SetKevent(&k.changes[n], fd, f.filter, unix.EV_ADD)
			n++
		case in&f.bit == 0 && old&f.bit != 0:
			unix.SetKevent(&k.changes[n], fd, f.filter, unix.EV_DELETE)
			n++
		}
	}
	for {
		_, err := unix.Kevent(k.fd, k.changes[:n], nil, nil)
		if err == unix.EINTR {
			continue
		}
		return os.NewSyscallError("kevent", err)
	}
}

func (k *kqueue) wait(timeout time.Duration, r *Ready) (woken bool, err error) {
	var ts *unix.Timespec
	if timeout >= 0 {
		k.ts = unix.NsecToTimespec(int64(timeout))
		ts = &k.ts
	}
	n, err := unix.Kevent(k.fd, nil, k.events, ts)
	if err != nil {
		if err == unix.EINTR {
			return false, nil
		}
		return false, os.NewSyscallError("kevent", err)
	}
	for i := range n {
		ev := &k.events[i]
		if k.waker.owns(ev) {
			k.waker.drain()
			woken = true
			continue
		}
		k.report(ev, r)
	}
	// One fd has up to two filters; the marks kept it to one entry per list.
	st := k.reg.state
	for _, fd := range r.Read {
		st[fd] &^= stMarkRead | stMarkWrite
	}
	for _, fd := range r.Write {
		st[fd] &^= stMarkRead | stMarkWrite
	}
	k.events = growEvents(k.events, n)
	return woken, nil
}

// report puts the fd of one event in the lists it belongs to, unless it is
// there already or no longer registered.
func (k *kqueue) report(ev *unix.Kevent_t, r *Ready) {
	st := k.reg.state
	fd := int(ev.Ident)
	if fd >= len(st) || st[fd]&stRegistered == 0 {
		return
	}
	var mark uint8
	switch int(ev.Filter) {
	case unix.EVFILT_READ:
		mark = stMarkRead
	case unix.EVFILT_WRITE:
		mark = stMarkWrite
	}
	if ev.Flags&(unix.EV_EOF|unix.EV_ERROR) != 0 {
		mark = stMarkRead | stMarkWrite
	}
	if mark&stMarkRead != 0 && st[fd]&stMarkRead == 0 {
		st[fd] |= stMarkRead
		r.Read = append(r.Read, fd)
	}
	if mark&stMarkWrite != 0 && st[fd]&stMarkWrite == 0 {
		st[fd] |= stMarkWrite
		r.Write = append(r.Write, fd)
	}
}

func (k *kqueue) signal() error {
	return k.waker.signal()
}

func (k *kqueue) close() error {
	err := k.waker.close()
	if err2 := closeFD(k.fd); err == nil {
		err = err2
	}
	return err
}
