//go:build linux

package poller

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// New returns the best poller for this system: epoll on Linux.
func New() (Poller, error) {
	return NewEpoll()
}

// epoll is the Linux backend: level-triggered epoll, woken through an eventfd.
type epoll struct {
	fd     int
	events []unix.EpollEvent
	ctlEv  unix.EpollEvent // argument of epoll_ctl, kept here so it does not escape
	reg    registry
	waker  *fdWaker
	gate   wakeGate
	closed bool
}

// NewEpoll returns an epoll(7) poller.
func NewEpoll() (Poller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	w, err := newFDWaker()
	if err != nil {
		closeFD(epfd)
		return nil, err
	}
	p := &epoll{fd: epfd, events: make([]unix.EpollEvent, initialEvents), waker: w}
	if err := p.ctl(unix.EPOLL_CTL_ADD, w.rfd, Read); err != nil {
		w.close()
		closeFD(epfd)
		return nil, err
	}
	return p, nil
}

func epollEvents(in Interest) uint32 {
	var ev uint32
	if in&Read != 0 {
		ev |= unix.EPOLLIN
	}
	if in&Write != 0 {
		ev |= unix.EPOLLOUT
	}
	return ev
}

func (p *epoll) ctl(op, fd int, in Interest) error {
	p.ctlEv = unix.EpollEvent{Events: epollEvents(in), Fd: int32(fd)}
	if err := unix.EpollCtl(p.fd, op, fd, &p.ctlEv); err != nil {
		return os.NewSyscallError("epoll_ctl", err)
	}
	return nil
}

func (p *epoll) Add(fd int, in Interest) error {
	if p.closed {
		return ErrClosed
	}
	if err := p.reg.checkAdd(fd, in); err != nil {
		return err
	}
	// An fd with no interest is kept out of the kernel's set: epoll would
	// still report EPOLLHUP and EPOLLERR for it.
	if in != 0 {
		if err := p.ctl(unix.EPOLL_CTL_ADD, fd, in); err != nil {
			return err
		}
	}
	p.reg.set(fd, in)
	return nil
}

func (p *epoll) Modify(fd int, in Interest) error {
	if p.closed {
		return ErrClosed
	}
	old, err := p.reg.current(fd, in)
	if err != nil || old == in {
		return err
	}
	switch {
	case old == 0:
		err = p.ctl(unix.EPOLL_CTL_ADD, fd, in)
	case in == 0:
		err = p.ctl(unix.EPOLL_CTL_DEL, fd, 0)
	default:
		err = p.ctl(unix.EPOLL_CTL_MOD, fd, in)
	}
	if err != nil {
		return err
	}
	p.reg.set(fd, in)
	return nil
}

func (p *epoll) Remove(fd int) error {
	if p.closed {
		return ErrClosed
	}
	old, err := p.reg.current(fd, 0)
	if err != nil {
		return err
	}
	// The fd is forgotten even if the kernel refuses (for example because
	// the caller closed it first, which removed it from the epoll set).
	p.reg.clear(fd)
	if old != 0 {
		return p.ctl(unix.EPOLL_CTL_DEL, fd, 0)
	}
	return nil
}

func (p *epoll) Wait(timeout time.Duration, r *Ready) error {
	r.Read, r.Write = r.Read[:0], r.Write[:0]
	if p.closed {
		return ErrClosed
	}
	n, err := unix.EpollWait(p.fd, p.events, timeoutMillis(timeout))
	if err != nil {
		if err == unix.EINTR {
			return nil
		}
		return os.NewSyscallError("epoll_wait", err)
	}
	for i := range n {
		ev := &p.events[i]
		fd := int(ev.Fd)
		if fd == p.waker.rfd {
			p.waker.drain()
			p.gate.consumed()
			continue
		}
		hup := ev.Events&(unix.EPOLLHUP|unix.EPOLLERR) != 0
		if hup || ev.Events&(unix.EPOLLIN|unix.EPOLLPRI|unix.EPOLLRDHUP) != 0 {
			r.Read = append(r.Read, fd)
		}
		if hup || ev.Events&unix.EPOLLOUT != 0 {
			r.Write = append(r.Write, fd)
		}
	}
	p.events = growEvents(p.events, n)
	return nil
}

func (p *epoll) Wake() error {
	return p.gate.wake(p.waker)
}

func (p *epoll) Close() error {
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
