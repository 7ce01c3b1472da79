//go:build darwin || dragonfly || freebsd || linux || netbsd

package sock

import (
	"time"

	"golang.org/x/sys/unix"
)

// SetKeepAlive turns TCP keepalive on for fd: the first probe after d of
// silence, then one every d, and the connection fails after keepAliveProbes
// unanswered probes.
func SetKeepAlive(fd int, d time.Duration) {
	secs := keepAliveSeconds(d)
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1)
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, tcpKeepIdle, secs)
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPINTVL, secs)
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPCNT, keepAliveProbes)
}
