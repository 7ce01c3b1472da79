//go:build linux

package sock

import "golang.org/x/sys/unix"

// Unacked returns how many bytes sent on fd the peer has not acknowledged
// yet (SIOCOUTQ: unsent plus unacknowledged, the FIN included), or 0 if the
// system cannot tell.
func Unacked(fd int) int {
	n, err := unix.IoctlGetInt(fd, unix.SIOCOUTQ)
	if err != nil {
		return 0
	}
	return n
}
