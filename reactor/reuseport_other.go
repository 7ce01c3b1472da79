//go:build darwin || netbsd || openbsd

package reactor

import (
	"os"

	"golang.org/x/sys/unix"
)

// reusePortBalances: here SO_REUSEPORT lets several sockets bind one
// address but does not spread connections over them, so a Group hands
// accepted connections from one loop to the others instead.
const reusePortBalances = false

func setReusePort(fd int) error {
	return os.NewSyscallError("setsockopt", unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1))
}
