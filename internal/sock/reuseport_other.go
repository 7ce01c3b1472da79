//go:build darwin || netbsd || openbsd

package sock

import "golang.org/x/sys/unix"

// ReusePortBalances tells whether the kernel spreads new connections over
// the sockets bound to one address: here SO_REUSEPORT lets several sockets
// bind one address but does not spread connections over them.
const ReusePortBalances = false

const reusePortOption = unix.SO_REUSEPORT
