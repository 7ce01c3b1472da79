//go:build darwin || openbsd

package reactor

import "golang.org/x/sys/unix"

// rawIO holds writev's argument, kept in the Loop so that it does not
// escape.
type rawIO struct{ iov [2][]byte }

// writev sends a then b in one system call. (unix.Writev builds its iovec
// array on the stack for up to eight slices: no allocation.)
func (r *rawIO) writev(fd int, a, b []byte) (int, error) {
	if len(b) == 0 {
		return unix.Write(fd, a)
	}
	r.iov[0], r.iov[1] = a, b
	n, err := unix.Writev(fd, r.iov[:])
	r.iov[0], r.iov[1] = nil, nil
	return n, err
}

// read reads from a non-blocking fd.
func (r *rawIO) read(fd int, p []byte) (int, error) { return unix.Read(fd, p) }

// write writes p to a non-blocking fd.
func (r *rawIO) write(fd int, p []byte) (int, error) { return unix.Write(fd, p) }
