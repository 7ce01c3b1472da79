//go:build openbsd

package sock

import (
	"time"

	"golang.org/x/sys/unix"
)

// SetKeepAlive turns TCP keepalive on for fd. OpenBSD has no per-socket
// timing: the system's net.inet.tcp.keepidle and keepintvl apply, not d.
func SetKeepAlive(fd int, d time.Duration) {
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1)
}
