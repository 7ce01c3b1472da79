//go:build !linux

package load

// newAlarm returns a timer alarm: this system has no timerfd.
func newAlarm() alarm { return newTimerAlarm() }
