//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package sock

import "golang.org/x/sys/unix"

// Read reads from a non-blocking fd.
func (r *IO) Read(fd int, p []byte) (int, error) { return unix.Read(fd, p) }
