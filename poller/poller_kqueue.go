//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package poller

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// New returns the best poller for this system: kqueue on macOS and the BSDs.
func New() (Poller, error) {
	return NewKqueue()
}

// kqueue is the backend of macOS and the BSDs. A read interest is an
// EVFILT_READ filter, a write interest an EVFILT_WRITE filter; both are
// level-triggered (no EV_CLEAR).
type kqueue struct {
	fd      int
	events  []unix.Kevent_t
	changes [2]unix.Kevent_t
	ts      unix.Timespec
	reg     registry
	waker   kqWaker
	gate    wakeGate
	closed  bool
}

// NewKqueue returns a kqueue(2) poller.
func NewKqueue() (Poller, error) {
	kq, err := unix.Kqueue()
	if err != nil {
		return nil, os.NewSyscallError("kqueue", err)
	}
	unix.CloseOnExec(kq)
	p := &kqueue{fd: kq, events: make([]unix.Kevent_t, initialEvents)}
	if err := p.waker.init(kq); err != nil {
		closeFD(kq)
		return nil, err
	}
	return p, nil
}

// apply changes the kernel's filters of fd from interest old to interest in.
func (p *kqueue) apply(fd int, old, in Interest) error {
	n := 0
	for _, f := range [2]struct {
		bit    Interest
		filter int
	}{{Read, unix.EVFILT_READ}, {Write, unix.EVFILT_WRITE}} {
		switch {
		case in&f.bit != 0 && old&f.bit == 0:
			unix.SetKevent(&p.changes[n], fd, f.filter, unix.EV_ADD)
			n++
		case in&f.bit == 0 && old&f.bit != 0:
			unix.SetKevent(&p.changes[n], fd, f.filter, unix.EV_DELETE)
			n++
		}
	}
	if n == 0 {
		return nil
	}
	for {
		_, err := unix.Kevent(p.fd, p.changes[:n], nil, nil)
		if err == unix.EINTR {
			continue
		}
		return os.NewSyscallError("kevent", err)
	}
}

func (p *kqueue) Add(fd int, in Interest) error {
	if p.closed {
		return ErrClosed
	}
	if err := p.reg.checkAdd(fd, in); err != nil {
		return err
	}
	if err := p.apply(fd, 0, in); err != nil {
		return err
	}
	p.reg.set(fd, in)
	return nil
}

func (p *kqueue) Modify(fd int, in Interest) error {
	if p.closed {
		return ErrClosed
	}
	old, err := p.reg.current(fd, in)
	if err != nil || old == in {
		return err
	}
	if err := p.apply(fd, old, in); err != nil {
		return err
	}
	p.reg.set(fd, in)
	return nil
}

func (p *kqueue) Remove(fd int) error {
	if p.closed {
		return ErrClosed
	}
	old, err := p.reg.current(fd, 0)
	if err != nil {
		return err
	}
	p.reg.clear(fd)
	return p.apply(fd, old, 0)
}

func (p *kqueue) Wait(timeout time.Duration, r *Ready) error {
	r.Read, r.Write = r.Read[:0], r.Write[:0]
	if p.closed {
		return ErrClosed
	}
	var ts *unix.Timespec
	if timeout >= 0 {
		p.ts = unix.NsecToTimespec(int64(timeout))
		ts = &p.ts
	}
	n, err := unix.Kevent(p.fd, nil, p.events, ts)
	if err != nil {
		if err == unix.EINTR {
			return nil
		}
		return os.NewSyscallError("kevent", err)
	}
	st := p.reg.state
	for i := range n {
		ev := &p.events[i]
		if p.waker.owns(ev) {
			p.waker.drain()
			p.gate.consumed()
			continue
		}
		fd := int(ev.Ident)
		if fd >= len(st) || st[fd]&stRegistered == 0 {
			continue
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
	// One fd has up to two filters; the marks kept it to one entry per list.
	for _, fd := range r.Read {
		st[fd] &^= stMarkRead | stMarkWrite
	}
	for _, fd := range r.Write {
		st[fd] &^= stMarkRead | stMarkWrite
	}
	p.events = growEvents(p.events, n)
	return nil
}

func (p *kqueue) Wake() error {
	return p.gate.wake(&p.waker)
}

func (p *kqueue) Close() error {
	if p.closed {
		return ErrClosed
	}
	p.closed = true
	p.gate.close()
	err := p.waker.close()
	if err2 := closeFD(p.fd); err == nil {
		err = err2
	}
	return err
}
