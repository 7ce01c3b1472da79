package http1

import (
	"context"
	"testing"
	"time"

	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

// TestDateField: the date is formatted at the first use and at each tick,
// in UTC; the timer waits for the next second; it stops at a tick that
// finds the value unused since the last, the next use formats it anew;
// and a tick formats without allocating.
func TestDateField(t *testing.T) {
	srv, err := NewServer(HandlerFunc(NotFound))
	require.NoError(t, err)
	l, err := reactor.New(srv.Handler())
	require.NoError(t, err)
	defer func() {
		l.Stop()
		require.NoError(t, l.Run(context.Background()))
	}()
	now := time.Date(2026, 11, 27, 17, 30, 5, 250e6, time.FixedZone("CET", 3600))
	d := dateField{now: func() time.Time { return now }}

	d.use(l)
	require.Equal(t, "Fri, 27 Nov 2026 16:30:05 GMT", string(d.value))
	require.True(t, d.running)
	now = now.Add(time.Second)
	d.use(l) // the timer runs already
	require.Equal(t, "Fri, 27 Nov 2026 16:30:05 GMT", string(d.value), "formatted by the timer only")
	d.tick()
	require.Equal(t, "Fri, 27 Nov 2026 16:30:06 GMT", string(d.value))
	require.Equal(t, 750*time.Millisecond, d.refresh(), "the wait ends when the next second begins")
	require.Zero(t, testing.AllocsPerRun(100, func() { d.used = true; d.tick() }))

	now = now.Add(time.Second)
	d.use(l)
	d.tick()
	require.True(t, d.running, "used since the last tick: it goes on")
	d.tick()
	require.False(t, d.running, "unused for a second: the timer stops")
	require.Equal(t, "Fri, 27 Nov 2026 16:30:07 GMT", string(d.value))
	now = now.Add(time.Second)
	d.use(l)
	require.True(t, d.running)
	require.Equal(t, "Fri, 27 Nov 2026 16:30:08 GMT", string(d.value), "formatted anew on the next use")
}
