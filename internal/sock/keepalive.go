package sock

import "time"

// keepAliveProbes is how many unanswered probes fail a connection, as in
// the net package.
const keepAliveProbes = 9

// keepAliveSeconds rounds d up to whole seconds, the unit of the socket
// options, and at least one.
func keepAliveSeconds(d time.Duration) int {
	return int(max((d+time.Second-1)/time.Second, 1))
}
