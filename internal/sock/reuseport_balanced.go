//go:build linux || dragonfly

package sock

import (
	"os"

	"golang.org/x/sys/unix"
)

// ReusePortBalances tells whether SO_REUSEPORT makes the kernel spread new
// connections over the sockets bound to one address.
const ReusePortBalances = true

// SetReusePort lets several sockets bind fd's address (SO_REUSEPORT; on
// FreeBSD the balancing SO_REUSEPORT_LB). Its error names the call
// (os.NewSyscallError: setsockopt).
func SetReusePort(fd int) error {
	return os.NewSyscallError("setsockopt", unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1))
}
