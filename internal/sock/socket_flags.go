//go:build dragonfly || freebsd || linux || netbsd || openbsd

package sock

import "golang.org/x/sys/unix"

// Socket opens a non-blocking, close-on-exec socket of family and type typ
// (SOCK_STREAM, SOCK_DGRAM) in one call.
func Socket(family, typ int) (int, error) {
	return unix.Socket(family, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
}
