package load

import (
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

// TestAlarm: an alarm sleeps for at least its time, at once for none, and
// a close wakes a sleep and every sleep after it; for the system's alarm
// (a timerfd on Linux) and the portable one.
func TestAlarm(t *testing.T) {
	testkit.CheckLeaks(t)
	for name, a := range map[string]alarm{"system": newAlarm(), "timer": newTimerAlarm()} {
		start := time.Now()
		require.True(t, a.sleep(2*time.Millisecond), name)
		require.GreaterOrEqual(t, time.Since(start), 2*time.Millisecond, name)
		require.True(t, a.sleep(0), name)
		require.True(t, a.sleep(-time.Second), name)

		woke := make(chan bool)
		go func() { woke <- a.sleep(time.Hour) }()
		time.AfterFunc(10*time.Millisecond, a.close)
		require.False(t, testkit.Receive(t, woke, name+": close to wake the sleep"), name)
		require.False(t, a.sleep(time.Hour), name)
		require.False(t, a.sleep(0), name)
		a.close() // again: no effect
	}
}

// TestAlarmAllocs: a sleep allocates nothing; the pacer sleeps once per
// message at low rates.
func TestAlarmAllocs(t *testing.T) {
	a := newAlarm()
	defer a.close()
	require.Zero(t, testing.AllocsPerRun(100, func() { a.sleep(time.Microsecond) }))
}
