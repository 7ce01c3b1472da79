//go:build darwin || openbsd

package sock

import "golang.org/x/sys/unix"

// IO is a loop's socket reads and writes. It holds writev's argument,
// kept with the loop so that it does not escape.
type IO struct{ iov [2][]byte }

// Writev sends a then b in one system call. (unix.Writev builds its iovec
// array on the stack for up to eight slices: no allocation.)
func (r *IO) Writev(fd int, a, b []byte) (int, error) {
	if len(b) == 0 {
		return unix.Write(fd, a)
	}
	r.iov[0], r.iov[1] = a, b
	n, err := unix.Writev(fd, r.iov[:])
	r.iov[0], r.iov[1] = nil, nil
	return n, err
}
