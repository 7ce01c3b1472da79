//go:build netbsd || openbsd

package poller

import (
	"os"

	"golang.org/x/sys/unix"
)

// kqWaker wakes a kqueue that has no EVFILT_USER (x/sys lacks it on netbsd
// and openbsd) through a non-blocking pipe whose read end is registered for
// EVFILT_READ.
type kqWaker struct {
	*fdWaker
}

func (w *kqWaker) init(kq int) error {
	fw, err := newFDWaker()
	if err != nil {
		return err
	}
	var reg [1]unix.Kevent_t
	unix.SetKevent(&reg[0], fw.rfd, unix.EVFILT_READ, unix.EV_ADD)
	if _, err := unix.Kevent(kq, reg[:], nil, nil); err != nil {
		fw.close()
		return os.NewSyscallError("kevent", err)
	}
	w.fdWaker = fw
	return nil
}

func (w *kqWaker) owns(ev *unix.Kevent_t) bool {
	return int(ev.Filter) == unix.EVFILT_READ && int(ev.Ident) == w.rfd
}
