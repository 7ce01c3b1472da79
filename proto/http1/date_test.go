package http1

import (
	"context"
	"testing"
	"time"

	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

// TestDateField: the date is formatted when the first connection opens
// and at each tick, in UTC; the timer waits for the next second; it stops
// once no connection is left, and a tick formats without allocating.
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

	d.open(l)
	require.Equal(t, "Fri, 27 Nov 2026 16:30:05 GMT", string(d.value))
	require.True(t, d.running)
	d.open(l) // a second connection: the timer runs already
	now = now.Add(time.Second)
	require.Equal(t, "Fri, 27 Nov 2026 16:30:05 GMT", string(d.value), "formatted by the timer only")
	d.tick()
	require.Equal(t, "Fri, 27 Nov 2026 16:30:06 GMT", string(d.value))
	require.Equal(t, 750*time.Millisecond, d.refresh(), "the wait ends when the next second begins")
	require.Zero(t, testing.AllocsPerRun(100, d.tick))

	d.close()
	d.close()
	now = now.Add(time.Second)
	d.tick()
	require.False(t, d.running, "no connection left: the timer stops")
	require.Equal(t, "Fri, 27 Nov 2026 16:30:06 GMT", string(d.value))
	d.open(l)
	require.True(t, d.running)
	require.Equal(t, "Fri, 27 Nov 2026 16:30:07 GMT", string(d.value), "formatted anew on the next open")
}
