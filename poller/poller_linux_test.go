package poller

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// TestEINTR interrupts a blocked Wait with a signal sent to its thread and
// checks that Wait returns nil with nothing ready instead of an error.
// SIGURG is the signal the Go runtime itself uses to preempt goroutines, so
// the runtime's handler takes it and nothing else happens.
func TestEINTR(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			p, err := b.open()
			require.NoError(t, err)
			defer p.Close()
			a, _ := socketpair(t)
			require.NoError(t, p.Add(a, Read))

			tid := make(chan int, 1)
			type result struct {
				r   Ready
				err error
			}
			done := make(chan result, 1)
			go func() {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				tid <- unix.Gettid()
				var r Ready
				err := p.Wait(waitLimit, &r)
				done <- result{r, err}
			}()
			thread := <-tid
			// The signal may arrive before the thread enters the system
			// call; keep sending until the Wait returns.
			tick := time.NewTicker(5 * time.Millisecond)
			defer tick.Stop()
			start := time.Now()
			for {
				select {
				case res := <-done:
					require.NoError(t, res.err)
					require.Empty(t, res.r.Read)
					require.Empty(t, res.r.Write)
					require.Less(t, time.Since(start), waitLimit, "Wait returned at its timeout, not at the signal")
					return
				case <-tick.C:
					require.NoError(t, unix.Tgkill(unix.Getpid(), thread, unix.SIGURG))
				}
			}
		})
	}
}
