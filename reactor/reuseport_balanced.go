//go:build linux || dragonfly

package reactor

import (
	"os"

	"golang.org/x/sys/unix"
)

// reusePortBalances tells whether SO_REUSEPORT makes the kernel spread new
// connections over the sockets bound to one address.
const reusePortBalances = true

func setReusePort(fd int) error {
	return os.NewSyscallError("setsockopt", unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1))
}
