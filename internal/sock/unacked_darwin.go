//go:build darwin

package sock

import "golang.org/x/sys/unix"

// Unacked returns how many bytes sent on fd the peer has not acknowledged
// yet (SO_NWRITE), or 0 if the system cannot tell.
func Unacked(fd int) int {
	n, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_NWRITE)
	if err != nil {
		return 0
	}
	return n
}
