//go:build netbsd || openbsd

package sock

import "golang.org/x/sys/unix"

// prepare makes an accepted socket non-blocking. (SIGPIPE from a write
// to a closed peer is caught by the Go runtime, which lets the write fail
// with EPIPE.)
func prepare(fd int) error {
	return unix.SetNonblock(fd, true)
}
