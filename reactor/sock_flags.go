//go:build dragonfly || freebsd || linux || netbsd || openbsd

package reactor

import "golang.org/x/sys/unix"

// sysSocket opens a non-blocking, close-on-exec stream socket in one call.
func sysSocket(family int) (int, error) { return sysSocketType(family, unix.SOCK_STREAM) }

// sysSocketType is sysSocket for a socket of type typ (SOCK_DGRAM, say).
func sysSocketType(family, typ int) (int, error) {
	return unix.Socket(family, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
}
