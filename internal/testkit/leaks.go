package testkit

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// init starts the Go runtime's poller, which the runtime otherwise opens
// when the first timer is armed or the first pollable file opened: that
// can happen on another thread in the middle of a test (the background
// scavenger arms a timer when it first sleeps), and its fds (on Linux an
// epoll fd and an eventfd) would then appear in that test.
func init() {
	time.AfterFunc(time.Hour, func() {}).Stop()
}

// FDs maps each fd open in the process to what it refers to: its link in
// /proc/self/fd ("socket:[1234]", "anon_inode:[eventfd]"), or "" where the
// system gives none (/dev/fd on the BSDs and macOS).
type FDs map[int]string

// OpenFDs returns the fds open in the process, from /proc/self/fd or else
// /dev/fd, leaving out the one it reads the list through. A system with
// neither fails the test: a leak check that cannot see fds is no check.
func OpenFDs(t testing.TB) FDs {
	t.Helper()
	for _, dir := range []string{"/proc/self/fd", "/dev/fd"} {
		d, err := os.Open(dir)
		if err != nil {
			continue
		}
		self := int(d.Fd())
		names, err := d.Readdirnames(-1)
		d.Close()
		if err != nil {
			t.Fatalf("listing %s: %v", dir, err)
		}
		fds := make(FDs, len(names))
		for _, name := range names {
			fd, err := strconv.Atoi(name)
			if err != nil || fd == self {
				continue
			}
			target, _ := os.Readlink(dir + "/" + name)
			fds[fd] = target
		}
		return fds
	}
	t.Fatal("cannot list the open fds: neither /proc/self/fd nor /dev/fd")
	return nil
}

// Since returns the fds of s that were not open in before, or that refer
// to something else now, in order.
func (s FDs) Since(before FDs) []int {
	var fds []int
	for fd, target := range s {
		if was, ok := before[fd]; !ok || was != target {
			fds = append(fds, fd)
		}
	}
	slices.Sort(fds)
	return fds
}

// Describe lists fds with what they refer to, for a failure message.
func (s FDs) Describe(fds []int) string {
	var b strings.Builder
	for _, fd := range fds {
		fmt.Fprintf(&b, " %d=%s", fd, s[fd])
	}
	return b.String()
}

// CheckLeaks registers a cleanup, run after every cleanup the test
// registers later, that waits (up to Limit) until no goroutine is left
// beyond those running now and no fd is open that was not open now (by
// number and by what it refers to), and fails the test otherwise, naming
// the fds. Call it first, so that what the test's own cleanups close is
// closed before it looks.
func CheckLeaks(t testing.TB) {
	t.Helper()
	goroutines, fds := runtime.NumGoroutine(), OpenFDs(t)
	t.Cleanup(func() {
		deadline := time.Now().Add(Limit)
		for {
			g, now := runtime.NumGoroutine(), OpenFDs(t)
			leaked := now.Since(fds)
			if g <= goroutines && len(leaked) == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("leak: %d goroutines at the start, %d at the end; fds left open:%s",
					goroutines, g, now.Describe(leaked))
			}
			time.Sleep(pollEvery) // goroutines and fds end without a signal to wait on
		}
	})
}

// CheckFDs registers a cleanup, run after every cleanup the test registers
// later, that fails the test unless exactly the fds open now are open then:
// none opened and left open, and none that was open now closed (a double
// close takes a number that belongs to someone else). It does not wait:
// it is for tests that own every fd they touch, such as the poller's.
func CheckFDs(t testing.TB) {
	t.Helper()
	before := OpenFDs(t)
	t.Cleanup(func() {
		after := OpenFDs(t)
		if left := after.Since(before); len(left) > 0 {
			t.Errorf("fds the test left open:%s", after.Describe(left))
		}
		if gone := before.Since(after); len(gone) > 0 {
			t.Errorf("fds the test closed but did not open:%s", before.Describe(gone))
		}
	})
}
