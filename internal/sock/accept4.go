//go:build dragonfly || freebsd || linux

package sock

import "golang.org/x/sys/unix"

// Accept accepts a connection as a non-blocking, close-on-exec socket in
// one call. It calls accept4 directly, without asking for the peer's
// address: unix.Accept4 allocates that address (and its raw form) on every
// accept, garbage that BenchmarkIdleRSS measured as part of the server's
// memory per connection. The peer's address is asked for when it is
// wanted (getpeername).
func Accept(fd int) (int, error) {
	nfd, _, errno := unix.Syscall6(unix.SYS_ACCEPT4, uintptr(fd), 0, 0, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0, 0)
	if errno != 0 {
		return -1, errno
	}
	return int(nfd), nil
}
