//go:build linux

package poller

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// newBest opens the best mechanism for Linux: epoll.
func newBest(reg *registry) (mechanism, error) { return newEpoll(reg) }

// epoll is the Linux mechanism: level-triggered epoll, woken through an
// eventfd.
type epoll struct {
	fd     int
	events []unix.EpollEvent
	ctlEv  unix.EpollEvent // argument of epoll_ctl, kept here so it does not escape
	waker  *fdWaker
}

// newEpoll opens an epoll(7) instance and its eventfd.
func newEpoll(*registry) (mechanism, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	w, err := newFDWaker()
	if err != nil {
		closeFD(epfd)
		return nil, err
	}
	e := &epoll{fd: epfd, events: make([]unix.EpollEvent, initialEvents), waker: w}
	if err := e.control(w.rfd, 0, Read); err != nil {
		w.close()
		closeFD(epfd)
		return nil, err
	}
	return e, nil
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

// control adds fd to the epoll set when it had no interest, deletes it when
// it is left with none, and modifies its events otherwise.
func (e *epoll) control(fd int, old, in Interest) error {
	op := unix.EPOLL_CTL_MOD
	switch {
	case old == 0:
		op = unix.EPOLL_CTL_ADD
	case in == 0:
		op = unix.EPOLL_CTL_DEL
	}
	e.ctlEv = unix.EpollEvent{Events: epollEvents(in), Fd: int32(fd)}
	if err := unix.EpollCtl(e.fd, op, fd, &e.ctlEv); err != nil {
		return os.NewSyscallError("epoll_ctl", err)
	}
	return nil
}

func (e *epoll) wait(timeout time.Duration, r *Ready) (woken bool, err error) {
	n, err := unix.EpollWait(e.fd, e.events, timeoutMillis(timeout))
	if err != nil {
		if err == unix.EINTR {
			return false, nil
		}
		return false, os.NewSyscallError("epoll_wait", err)
	}
	for i := range n {
		ev := &e.events[i]
		fd := int(ev.Fd)
		if fd == e.waker.rfd {
			e.waker.drain()
			woken = true
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
	e.events = growEvents(e.events, n)
	return woken, nil
}

func (e *epoll) signal() error {
	return e.waker.signal()
}

func (e *epoll) close() error {
	err := e.waker.close()
	if err2 := closeFD(e.fd); err == nil {
		err = err2
	}
	return err
}
