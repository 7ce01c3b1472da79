//go:build dragonfly || freebsd || netbsd

package sock

import "golang.org/x/sys/unix"

// IO is a loop's socket reads and writes; here writev is two writes.
type IO struct{}

// Writev sends a then b where x/sys has no Writev: two writes, the second
// only if the first took all of a.
func (r *IO) Writev(fd int, a, b []byte) (int, error) {
	n, err := unix.Write(fd, a)
	if err != nil || n < len(a) || len(b) == 0 {
		return n, err
	}
	m, err := unix.Write(fd, b)
	if err != nil {
		return n, nil // a left; b's failure shows again on the next write
	}
	return n + m, nil
}
