package load

import (
	"fmt"
	"os"
	"runtime/metrics"
	"time"

	"golang.org/x/sys/unix"
)

// selfCPU returns the CPU time, user plus system, that this process (every
// thread of it) has used so far, with microsecond resolution.
func selfCPU() (time.Duration, error) {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0, os.NewSyscallError("getrusage", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}

// selfAllocs returns how many heap objects this process has allocated so
// far. Unlike runtime.ReadMemStats it does not stop the world.
func selfAllocs() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:objects"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// checkFDs makes sure this process may open n more file descriptors,
// raising its soft limit towards the hard one if need be (the Go runtime
// already raises it at start-up on most systems).
func checkFDs(n int) error {
	const spare = 64 // stdin, stdout, stderr, the poller, the runtime's
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return os.NewSyscallError("getrlimit", err)
	}
	need := uint64(n) + spare
	if uint64(lim.Cur) >= need { // Cur and Max are int64 on some BSDs
		return nil
	}
	if uint64(lim.Max) >= need {
		lim.Cur = lim.Max
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err == nil {
			return nil
		}
	}
	return fmt.Errorf("load: %d connections need %d file descriptors; the limit is %d (ulimit -n)", n, need, uint64(lim.Cur))
}
