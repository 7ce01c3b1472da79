//go:build !linux

package sock

import "time"

// RoundTrip would return the round-trip time the kernel has measured for
// the TCP connection fd; these systems have no portable way to ask, so it
// says 0 (unknown).
func RoundTrip(fd int) time.Duration { return 0 }
