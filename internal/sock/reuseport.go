package sock

import (
	"os"

	"golang.org/x/sys/unix"
)

// SetReusePort lets several sockets bind fd's address, with the option
// the system has for it (reusePortOption: SO_REUSEPORT, or FreeBSD's
// balancing SO_REUSEPORT_LB). Its error names the call
// (os.NewSyscallError: setsockopt).
func SetReusePort(fd int) error {
	return os.NewSyscallError("setsockopt", unix.SetsockoptInt(fd, unix.SOL_SOCKET, reusePortOption, 1))
}
