//go:build freebsd

package sock

import "golang.org/x/sys/unix"

// ReusePortBalances tells whether the kernel spreads new connections over
// the sockets bound to one address: FreeBSD does with SO_REUSEPORT_LB.
const ReusePortBalances = true

const reusePortOption = unix.SO_REUSEPORT_LB
