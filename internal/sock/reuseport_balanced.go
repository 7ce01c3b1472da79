//go:build linux || dragonfly

package sock

import "golang.org/x/sys/unix"

// ReusePortBalances tells whether SO_REUSEPORT makes the kernel spread new
// connections over the sockets bound to one address.
const ReusePortBalances = true

const reusePortOption = unix.SO_REUSEPORT
