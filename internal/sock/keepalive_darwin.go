//go:build darwin

package sock

import "golang.org/x/sys/unix"

// tcpKeepIdle is the socket option for the silence before the first probe,
// which darwin names TCP_KEEPALIVE.
const tcpKeepIdle = unix.TCP_KEEPALIVE
