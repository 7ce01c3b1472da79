//go:build linux

package poller

import (
	"encoding/binary"
	"os"

	"golang.org/x/sys/unix"
)

// fdWaker is the wake-up fd of the epoll and poll(2) backends. On Linux it is
// one non-blocking eventfd: a write adds to its counter and makes it
// readable, a read resets the counter.
type fdWaker struct {
	rfd, wfd int
	one      [8]byte // the counter increment, written by signal; never modified
	sink     [8]byte // read buffer of drain; only the owner uses it
}

func newFDWaker() (*fdWaker, error) {
	fd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("eventfd", err)
	}
	w := &fdWaker{rfd: fd, wfd: fd}
	binary.NativeEndian.PutUint64(w.one[:], 1)
	return w, nil
}

func (w *fdWaker) signal() error {
	for {
		_, err := unix.Write(w.wfd, w.one[:])
		switch err {
		case nil, unix.EAGAIN: // EAGAIN: the counter is saturated, so readable
			return nil
		case unix.EINTR:
			continue
		}
		return os.NewSyscallError("write", err)
	}
}

func (w *fdWaker) drain() {
	for {
		if _, err := unix.Read(w.rfd, w.sink[:]); err != unix.EINTR {
			return
		}
	}
}

func (w *fdWaker) close() error {
	return closeFD(w.rfd)
}
