//go:build unix && !linux

package poller

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// fdWaker is the wake-up fd where there is no eventfd: a non-blocking pipe.
// A write makes the read end readable; drain empties it. A full pipe means a
// wake-up is already pending, so EAGAIN on write is success.
type fdWaker struct {
	rfd, wfd int
	one      [1]byte  // written by signal; never modified
	sink     [64]byte // read buffer of drain; only the owner uses it
}

func newFDWaker() (*fdWaker, error) {
	var p [2]int
	// Pipe2 is missing on darwin; take the fork lock so that no child
	// started by os/exec inherits the fds before they are close-on-exec.
	syscall.ForkLock.RLock()
	err := unix.Pipe(p[:])
	if err == nil {
		unix.CloseOnExec(p[0])
		unix.CloseOnExec(p[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, os.NewSyscallError("pipe", err)
	}
	w := &fdWaker{rfd: p[0], wfd: p[1]}
	for _, fd := range p {
		if err := unix.SetNonblock(fd, true); err != nil {
			closeFD(p[0])
			closeFD(p[1])
			return nil, os.NewSyscallError("fcntl", err)
		}
	}
	return w, nil
}

func (w *fdWaker) signal() error {
	for {
		_, err := unix.Write(w.wfd, w.one[:])
		switch err {
		case nil, unix.EAGAIN:
			return nil
		case unix.EINTR:
			continue
		}
		return os.NewSyscallError("write", err)
	}
}

func (w *fdWaker) drain() {
	for {
		n, err := unix.Read(w.rfd, w.sink[:])
		if err == unix.EINTR {
			continue
		}
		if err != nil || n < len(w.sink) {
			return
		}
	}
}

func (w *fdWaker) close() error {
	err := closeFD(w.rfd)
	if err2 := closeFD(w.wfd); err == nil {
		err = err2
	}
	return err
}
