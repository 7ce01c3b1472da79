//go:build darwin

package sock

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// Socket opens a non-blocking, close-on-exec socket of family and type typ
// (SOCK_STREAM, SOCK_DGRAM). Darwin has no SOCK_NONBLOCK or SOCK_CLOEXEC:
// the flags are set with fcntl, under the fork lock so that no child
// started meanwhile inherits the fd. SIGPIPE is turned off for the socket
// (SO_NOSIGPIPE): writes to a closed peer fail with EPIPE instead.
func Socket(family, typ int) (int, error) {
	syscall.ForkLock.RLock()
	fd, err := unix.Socket(family, typ, 0)
	if err == nil {
		unix.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, err
	}
	if err := prepare(fd); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// prepare makes a socket made or accepted without flags non-blocking
// and free of SIGPIPE.
func prepare(fd int) error {
	if err := unix.SetNonblock(fd, true); err != nil {
		return err
	}
	return unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_NOSIGPIPE, 1)
}
