//go:build darwin || dragonfly || freebsd

package poller

import (
	"os"

	"golang.org/x/sys/unix"
)

// kqWaker wakes a kqueue through an EVFILT_USER event, which needs no fd of
// its own. The event is registered with EV_CLEAR, so delivering it resets it.
type kqWaker struct {
	kq      int
	trigger [1]unix.Kevent_t // NOTE_TRIGGER change; written once in init
}

// wakeIdent is the identifier of the user event; EVFILT_USER identifiers do
// not share a namespace with fds.
const wakeIdent = 0

func (w *kqWaker) init(kq int) error {
	w.kq = kq
	var reg [1]unix.Kevent_t
	unix.SetKevent(&reg[0], wakeIdent, unix.EVFILT_USER, unix.EV_ADD|unix.EV_CLEAR)
	if _, err := unix.Kevent(kq, reg[:], nil, nil); err != nil {
		return os.NewSyscallError("kevent", err)
	}
	unix.SetKevent(&w.trigger[0], wakeIdent, unix.EVFILT_USER, 0)
	w.trigger[0].Fflags = unix.NOTE_TRIGGER
	return nil
}

func (w *kqWaker) signal() error {
	for {
		_, err := unix.Kevent(w.kq, w.trigger[:], nil, nil)
		if err == unix.EINTR {
			continue
		}
		return os.NewSyscallError("kevent", err)
	}
}

func (w *kqWaker) owns(ev *unix.Kevent_t) bool {
	return int(ev.Filter) == unix.EVFILT_USER && ev.Ident == wakeIdent
}

func (w *kqWaker) drain() {}

func (w *kqWaker) close() error { return nil }
