package poller

import (
	"fmt"
	"net"
	"os"
	"os/signal"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// backends lists every mechanism that runs on this system: the best one and
// poll(2). (On Linux: epoll and poll.)
func backends() []struct {
	name string
	open func() (Poller, error)
} {
	return []struct {
		name string
		open func() (Poller, error)
	}{{"best", New}, {"poll", NewPoll}}
}

// waitLimit bounds every blocking wait of a test, so that a broken backend
// fails the test instead of hanging it.
const waitLimit = 10 * time.Second

func TestConformance(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			for _, c := range conformance {
				t.Run(c.name, func(t *testing.T) {
					// Cleanups run last-in first-out: the fd check
					// runs after the poller and the test's fds are
					// closed, whether the test passed or not.
					testkit.CheckFDs(t)
					c.run(t, openPoller(t, b.open))
				})
			}
		})
	}
}

var conformance = []struct {
	name string
	run  func(t *testing.T, p Poller)
}{
	{"ReadReadiness", testReadReadiness},
	{"WriteReadiness", testWriteReadiness},
	{"ModifyAndRemove", testModifyAndRemove},
	{"RegistrationErrors", testRegistrationErrors},
	{"PeerClose", testPeerClose},
	{"Pipe", testPipe},
	{"WakeUnblocksWait", testWakeUnblocksWait},
	{"WakesCollapse", testWakesCollapse},
	{"WakeFromManyGoroutines", testWakeFromManyGoroutines},
	{"ManyFdsFewReady", testManyFdsFewReady},
	{"BurstGrowsEventArray", testBurst},
	{"Timeouts", testTimeouts},
}

func TestClosedPoller(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			testkit.CheckFDs(t)
			before := testkit.OpenFDs(t)
			p := openPoller(t, b.open)
			a, peer := socketpair(t)
			require.NoError(t, p.Add(a, Read))
			require.NoError(t, p.Close())
			after := testkit.OpenFDs(t)
			require.Equal(t, sorted([]int{a, peer}), after.Since(before), "Close frees the poller's fds, and only them")
			require.Empty(t, before.Since(after), "Close leaves the fds open before it alone")
			var r Ready
			for name, err := range map[string]error{
				"Add":    p.Add(a, Read),
				"Modify": p.Modify(a, Write),
				"Remove": p.Remove(a),
				"Wait":   p.Wait(0, &r),
				"Wake":   p.Wake(),
				"Close":  p.Close(),
			} {
				require.ErrorIs(t, err, ErrClosed, name)
				require.ErrorIs(t, err, net.ErrClosed, name)
			}
		})
	}
}

// wait calls Wait and checks the part of the contract every result meets:
// no fd twice in a list, and only fds the test registered.
func wait(t *testing.T, p Poller, timeout time.Duration) Ready {
	t.Helper()
	var r Ready
	require.NoError(t, p.Wait(timeout, &r))
	for _, list := range [][]int{r.Read, r.Write} {
		s := slices.Sorted(slices.Values(list))
		require.Len(t, slices.Compact(s), len(list), "an fd appears twice in one list: %v", list)
	}
	return r
}

// waitFor waits until at least one fd is reported, for at most waitLimit.
func waitFor(t *testing.T, p Poller) Ready {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) {
		r := wait(t, p, time.Until(deadline))
		if len(r.Read)+len(r.Write) > 0 {
			return r
		}
	}
	t.Fatalf("no fd ready within %v", waitLimit)
	return Ready{}
}

// waitOut waits for d with no fd ready, as a caller of Wait does: a Wait
// that returns early with nothing ready is called again for the rest of d.
// The contract lets only a signal end a wait early (EINTR), and the Go
// runtime sends its threads SIGURG to preempt goroutines, so waitOut
// listens for SIGURG meanwhile: an early return with no signal behind it
// (a wake-up left pending, a timeout cut to a busy poll) fails the test,
// with msgAndArgs saying what was expected.
func waitOut(t *testing.T, p Poller, d time.Duration, msgAndArgs ...any) {
	t.Helper()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, unix.SIGURG)
	defer signal.Stop(sigs)
	deadline := time.Now().Add(d)
	early := -1 // the first Wait is not early
	for left := d; left > 0; left = time.Until(deadline) {
		early++
		r := wait(t, p, left)
		require.Empty(t, r.Read, "nothing is ready")
		require.Empty(t, r.Write, "nothing is ready")
	}
	if early == 0 {
		return
	}
	// Signals coalesce, so one stands for every early return. It reaches
	// sigs shortly after the handler that interrupted the Wait has run.
	select {
	case <-sigs:
		t.Logf("a Wait returned early %d times in %v, interrupted by a signal", early, d)
	case <-time.After(waitLimit):
		require.Fail(t, fmt.Sprintf("a Wait with nothing ready returned before its timeout "+
			"%d times in %v, and no signal interrupted it", early, d), msgAndArgs...)
	}
}

func sorted(fds []int) []int { return slices.Sorted(slices.Values(fds)) }

func testReadReadiness(t *testing.T, p Poller) {
	a, b := socketpair(t)
	require.NoError(t, p.Add(a, Read))
	require.Empty(t, wait(t, p, 0).Read, "nothing to read yet")
	writeAll(t, b, []byte("hello"))
	r := waitFor(t, p)
	require.Equal(t, []int{a}, r.Read)
	require.Empty(t, r.Write, "no write interest")
	require.Equal(t, []int{a}, wait(t, p, 0).Read, "level-triggered: still readable")
	drain(t, a)
	require.Empty(t, wait(t, p, 0).Read, "drained")
}

func testWriteReadiness(t *testing.T, p Poller) {
	a, b := socketpair(t)
	require.NoError(t, p.Add(a, Write))
	r := waitFor(t, p)
	require.Equal(t, []int{a}, r.Write)
	require.Empty(t, r.Read)
	fill(t, a)
	require.Empty(t, wait(t, p, 0).Write, "send buffer full")
	drain(t, b)
	require.Equal(t, []int{a}, waitFor(t, p).Write, "room again after the peer read")
}

func testModifyAndRemove(t *testing.T, p Poller) {
	a, b := socketpair(t)
	writeAll(t, b, []byte("x")) // a is now readable and writable
	require.NoError(t, p.Add(a, Read))
	r := waitFor(t, p)
	require.Equal(t, []int{a}, r.Read)
	require.Empty(t, r.Write)

	require.NoError(t, p.Modify(a, Write))
	r = waitFor(t, p)
	require.Empty(t, r.Read)
	require.Equal(t, []int{a}, r.Write)

	require.NoError(t, p.Modify(a, Read|Write))
	require.NoError(t, p.Modify(a, Read|Write), "a Modify that changes nothing")
	r = waitFor(t, p)
	require.Equal(t, []int{a}, r.Read)
	require.Equal(t, []int{a}, r.Write)

	require.NoError(t, p.Modify(a, 0))
	r = wait(t, p, 0)
	require.Empty(t, r.Read, "no interest, no report")
	require.Empty(t, r.Write)

	require.NoError(t, p.Modify(a, Read))
	require.Equal(t, []int{a}, waitFor(t, p).Read, "interest back")

	require.NoError(t, p.Remove(a))
	r = wait(t, p, 0)
	require.Empty(t, r.Read, "removed")
	require.Empty(t, r.Write)
	require.NoError(t, p.Add(a, Write), "a removed fd can be added again")
	require.Equal(t, []int{a}, waitFor(t, p).Write)
	require.NoError(t, p.Remove(a))
}

func testRegistrationErrors(t *testing.T, p Poller) {
	a, _ := socketpair(t)
	require.ErrorIs(t, p.Remove(a), ErrNotRegistered)
	require.ErrorIs(t, p.Modify(a, Read), ErrNotRegistered)
	require.ErrorIs(t, p.Remove(123456), ErrNotRegistered)
	require.ErrorIs(t, p.Remove(-1), ErrNotRegistered)
	require.ErrorIs(t, p.Add(-1, Read), unix.EBADF)
	require.ErrorIs(t, p.Add(a, Interest(4)), ErrInterest)
	require.NoError(t, p.Add(a, 0))
	require.ErrorIs(t, p.Add(a, Read), ErrRegistered)
	require.ErrorIs(t, p.Modify(a, Interest(7)), ErrInterest)
	require.NoError(t, p.Remove(a))
	require.ErrorIs(t, p.Remove(a), ErrNotRegistered)
}

func testPeerClose(t *testing.T, p Poller) {
	for _, in := range []Interest{Read, Write, Read | Write} {
		a, b := socketpair(t)
		require.NoError(t, p.Add(a, in))
		if in&Write != 0 {
			fill(t, a) // so that plain writability does not explain the report
		}
		require.NoError(t, unix.Close(b))
		r := waitFor(t, p)
		require.Equal(t, []int{a}, r.Read, "interest %v: hang-up is in the read list", in)
		require.Equal(t, []int{a}, r.Write, "interest %v: hang-up is in the write list", in)
		var buf [1]byte
		n, err := unix.Read(a, buf[:])
		if err == nil {
			require.Zero(t, n, "a read after hang-up is end of file")
		}
		require.NoError(t, p.Remove(a))
	}
}

func testPipe(t *testing.T, p Poller) {
	rfd, wfd := pipe(t)
	require.NoError(t, p.Add(rfd, Read))
	require.NoError(t, p.Add(wfd, Write))
	r := waitFor(t, p)
	require.Empty(t, r.Read)
	require.Equal(t, []int{wfd}, r.Write)
	writeAll(t, wfd, []byte("ping"))
	r = waitFor(t, p)
	require.Equal(t, []int{rfd}, r.Read)
	require.Equal(t, []int{wfd}, r.Write)
}

func testWakeUnblocksWait(t *testing.T, p Poller) {
	a, _ := socketpair(t)
	require.NoError(t, p.Add(a, Read))
	done := make(chan error, 1)
	var r Ready
	go func() { done <- p.Wait(-1, &r) }()
	require.NoError(t, p.Wake())
	select {
	case err := <-done:
		require.NoError(t, err)
		require.Empty(t, r.Read, "the wake-up fd is never reported")
		require.Empty(t, r.Write)
	case <-time.After(waitLimit):
		t.Fatal("Wake did not unblock Wait(-1)")
	}
}

func testWakesCollapse(t *testing.T, p Poller) {
	for range 100 {
		require.NoError(t, p.Wake())
	}
	start := time.Now()
	r := wait(t, p, waitLimit)
	require.Less(t, time.Since(start), waitLimit, "the pending wake-up ends the wait")
	require.Empty(t, r.Read)
	require.Empty(t, r.Write)
	waitOut(t, p, 30*time.Millisecond, "100 wakes end one wait, not two")
}

func testWakeFromManyGoroutines(t *testing.T, p Poller) {
	const goroutines, wakes = 8, 500
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range wakes {
				if err := p.Wake(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	deadline := time.After(waitLimit)
	for running := true; running; {
		select {
		case <-finished:
			running = false
		case <-deadline:
			t.Fatal("wakers did not finish")
		default:
			wait(t, p, 10*time.Millisecond)
		}
	}
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	// Whatever state the flag is in now, one more Wake ends a Wait.
	require.NoError(t, p.Wake())
	start := time.Now()
	wait(t, p, waitLimit)
	require.Less(t, time.Since(start), waitLimit)
}

func testManyFdsFewReady(t *testing.T, p Poller) {
	const pairs = 600 // 1,200 registered fds
	ends := make([][2]int, pairs)
	for i := range ends {
		ends[i][0], ends[i][1] = socketpair(t)
		require.NoError(t, p.Add(ends[i][0], Read))
		require.NoError(t, p.Add(ends[i][1], Read))
	}
	var want []int
	for _, i := range []int{0, 7, 99, 300, 301, 555, 599} {
		writeAll(t, ends[i][1], []byte("!"))
		want = append(want, ends[i][0])
	}
	r := waitFor(t, p)
	require.Equal(t, sorted(want), sorted(r.Read))
	require.Empty(t, r.Write)
	require.Equal(t, sorted(want), sorted(wait(t, p, 0).Read), "the same again: level-triggered")
}

func testBurst(t *testing.T, p Poller) {
	const ready = 3 * initialEvents
	want := make([]int, 0, ready)
	for range ready {
		a, b := socketpair(t)
		require.NoError(t, p.Add(a, Read))
		writeAll(t, b, []byte("!"))
		want = append(want, a)
	}
	seen := map[int]bool{}
	for range 3 { // the event array doubles each time it is filled: 128, 256, 512
		for _, fd := range wait(t, p, 0).Read {
			seen[fd] = true
		}
	}
	require.Len(t, seen, ready, "every ready fd reported within three waits")
	require.Equal(t, want, sorted(wait(t, p, 0).Read), "after growing, one wait reports them all")
}

func testTimeouts(t *testing.T, p Poller) {
	a, _ := socketpair(t)
	require.NoError(t, p.Add(a, Read))
	for _, d := range []time.Duration{100 * time.Microsecond, 20 * time.Millisecond} {
		waitOut(t, p, d, "Wait(%v) with nothing ready lasts until its timeout", d)
	}
	start := time.Now()
	wait(t, p, 0)
	require.Less(t, time.Since(start), waitLimit, "Wait(0) polls")
}
