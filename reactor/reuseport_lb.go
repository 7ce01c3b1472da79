//go:build freebsd

package reactor

import (
	"os"

	"golang.org/x/sys/unix"
)

// reusePortBalances: FreeBSD spreads connections with SO_REUSEPORT_LB.
const reusePortBalances = true

func setReusePort(fd int) error {
	return os.NewSyscallError("setsockopt", unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT_LB, 1))
}
