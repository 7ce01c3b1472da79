package testkit

import (
	"testing"
	"time"
)

// Limit bounds every wait of a test on an event: generous, so that a slow
// or loaded machine (the race detector on two busy cores) passes, and
// bounded, so that a bug fails the test instead of hanging it.
const Limit = 30 * time.Second

// pollEvery is how often WaitUntil asks again.
const pollEvery = time.Millisecond

// WaitUntil waits until cond holds, asking every millisecond, and fails
// the test if it does not within Limit. It is for what gives no signal to
// wait on (a counter, a server's clock, a goroutine's exit); what gives
// one (a channel, a read) is waited on directly, with Limit as its
// deadline.
func WaitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", Limit, what)
		}
		time.Sleep(pollEvery)
	}
}

// Receive waits for a value on ch, and fails the test if none comes
// within Limit.
func Receive[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(Limit):
		t.Fatalf("timed out after %v waiting for %s", Limit, what)
		var zero T
		return zero
	}
}
