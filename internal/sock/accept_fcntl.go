//go:build darwin || netbsd || openbsd

package sock

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// Accept accepts a connection where x/sys has no accept4: accept, then
// close-on-exec under the fork lock, then non-blocking.
func Accept(fd int) (int, error) {
	syscall.ForkLock.RLock()
	nfd, _, err := unix.Accept(fd)
	if err == nil {
		unix.CloseOnExec(nfd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, err
	}
	if err := prepare(nfd); err != nil {
		unix.Close(nfd)
		return -1, err
	}
	return nfd, nil
}
