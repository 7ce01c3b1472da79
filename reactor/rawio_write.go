//go:build dragonfly || freebsd || netbsd

package reactor

import "golang.org/x/sys/unix"

// rawIO is the loop's socket I/O; here writes are made one slice at a time.
type rawIO struct{}

// writev sends a then b where x/sys has no Writev: two writes, the second
// only if the first took all of a.
func (r *rawIO) writev(fd int, a, b []byte) (int, error) {
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

// read reads from a non-blocking fd.
func (r *rawIO) read(fd int, p []byte) (int, error) { return unix.Read(fd, p) }

// write writes p to a non-blocking fd.
func (r *rawIO) write(fd int, p []byte) (int, error) { return unix.Write(fd, p) }
