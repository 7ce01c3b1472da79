package load

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestScheduleBefore counts the events due before t one by one, for rates
// whose interval is not a whole number of nanoseconds.
func TestScheduleBefore(t *testing.T) {
	for _, rate := range []float64{1000, 7777, 3e6, 0.5} {
		s := newSchedule(123, rate, 3)
		var ev uint64
		for _, at := range []int64{-5, 0, 123, 124, 5000, 1_000_123, 12_345_678, 4_000_000_123} {
			for s.at(ev) < at {
				ev++
			}
			require.Equal(t, ev, s.before(at), "rate %g, t %d", rate, at)
		}
	}
}

func TestScheduleDue(t *testing.T) {
	s := newSchedule(1000, 1000, 4) // an event a millisecond, 4 connections
	require.Equal(t, int64(1000), s.due(0, 0))
	require.Equal(t, int64(1000+3e6), s.due(3, 0))
	require.Equal(t, int64(1000+6e6), s.due(2, 1))

	// Message 5 of connection 2 is due at event 22; with depth 2 it
	// waits for the echo of message 3.
	due := s.due(2, 5)
	ready, held := s.readyAt(2, 5, 2, due-10)
	require.Equal(t, due, ready)
	require.False(t, held, "the echo came before the message was due")
	ready, held = s.readyAt(2, 5, 2, due+10)
	require.Equal(t, due+10, ready)
	require.True(t, held)
	ready, held = s.readyAt(2, 1, 2, due+10)
	require.Equal(t, s.due(2, 1), ready, "the first depth messages wait for no echo")
	require.False(t, held)
}
