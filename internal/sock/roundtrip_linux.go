//go:build linux

package sock

import (
	"time"

	"golang.org/x/sys/unix"
)

// RoundTrip returns the round-trip time the kernel has measured for the
// TCP connection fd (TCP_INFO's smoothed estimate), or 0 if it cannot tell
// (a unix socket, say).
func RoundTrip(fd int) time.Duration {
	info, err := unix.GetsockoptTCPInfo(fd, unix.IPPROTO_TCP, unix.TCP_INFO)
	if err != nil {
		return 0
	}
	return time.Duration(info.Rtt) * time.Microsecond
}
