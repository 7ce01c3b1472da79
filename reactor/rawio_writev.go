//go:build darwin || openbsd

package reactor

import "golang.org/x/sys/unix"

// iovecs is writev's argument, kept in the Loop so that it does not escape.
type iovecs [2][]byte

// writev sends a then b in one system call. (unix.Writev builds its iovec
// array on the stack for up to eight slices: no allocation.)
func (l *Loop) writev(fd int, a, b []byte) (int, error) {
	if len(b) == 0 {
		return unix.Write(fd, a)
	}
	l.iov[0], l.iov[1] = a, b
	n, err := unix.Writev(fd, l.iov[:])
	l.iov[0], l.iov[1] = nil, nil
	return n, err
}

// read reads from a non-blocking fd.
func (l *Loop) read(fd int, p []byte) (int, error) { return unix.Read(fd, p) }

// write writes p to a non-blocking fd.
func (l *Loop) write(fd int, p []byte) (int, error) { return unix.Write(fd, p) }
