//go:build netbsd || openbsd

package reactor

import "golang.org/x/sys/unix"

// prepareSocket makes an accepted socket non-blocking. (SIGPIPE from a write
// to a closed peer is caught by the Go runtime, which lets the write fail
// with EPIPE.)
func prepareSocket(fd int) error {
	return unix.SetNonblock(fd, true)
}
