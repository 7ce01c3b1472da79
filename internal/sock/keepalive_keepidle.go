//go:build dragonfly || freebsd || linux || netbsd

package sock

import "golang.org/x/sys/unix"

// tcpKeepIdle is the socket option for the silence before the first probe.
const tcpKeepIdle = unix.TCP_KEEPIDLE
