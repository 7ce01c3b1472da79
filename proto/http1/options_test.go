package http1_test

import (
	"testing"
	"time"

	"github.com/goreactor/reactor/proto/http1"
	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

// TestNewServerOptions: each option out of range is an error that wraps
// ErrInvalidOption and names the option and the value; every one of them
// is told, not only the first.
func TestNewServerOptions(t *testing.T) {
	h := http1.HandlerFunc(http1.NotFound)
	bad := http1.DefaultLimits()
	bad.MaxHeaders = 0
	for _, cs := range []struct {
		opts []http1.Option
		want []string
	}{
		{[]http1.Option{http1.WithLimits(bad)}, []string{"WithLimits", "MaxHeaders 0"}},
		{[]http1.Option{http1.WithHeaderTimeout(-time.Second)}, []string{"WithHeaderTimeout(-1s)"}},
		{[]http1.Option{http1.WithIdleTimeout(-time.Millisecond)}, []string{"WithIdleTimeout(-1ms)"}},
		{[]http1.Option{http1.WithResponseRoom(100)}, []string{"WithResponseRoom(100)"}},
		{[]http1.Option{nil}, []string{"nil Option at index 0"}},
		{[]http1.Option{http1.WithResponseRoom(0), http1.WithIdleTimeout(-1)}, []string{"WithResponseRoom(0)", "WithIdleTimeout(-1ns)"}},
	} {
		_, err := http1.NewServer(h, cs.opts...)
		require.ErrorIs(t, err, http1.ErrInvalidOption)
		for _, w := range cs.want {
			require.ErrorContains(t, err, w)
		}
	}
	_, err := http1.NewServer(nil)
	require.ErrorIs(t, err, http1.ErrInvalidOption)

	s, err := http1.NewServer(h, http1.WithHeaderTimeout(0), http1.WithIdleTimeout(0), http1.WithResponseRoom(4<<10))
	require.NoError(t, err)
	require.Equal(t, http1.DefaultLimits(), s.Limits())
}

// TestLoopOptions: the options a loop needs for the server are ones New
// accepts, with the largest limits and response room too.
func TestLoopOptions(t *testing.T) {
	lim := http1.Limits{MaxRequestLine: 64 << 10, MaxHeaderBytes: 1 << 20, MaxHeaders: 1000, MaxBody: 64 << 20, MaxChunkOverhead: 64 << 20}
	for _, opts := range [][]http1.Option{nil, {http1.WithLimits(lim), http1.WithResponseRoom(65 << 20)}} {
		s, err := http1.NewServer(http1.HandlerFunc(http1.NotFound), opts...)
		require.NoError(t, err)
		l, err := reactor.New(s.Handler(), s.LoopOptions()...)
		require.NoError(t, err)
		l.Stop()
		require.NoError(t, l.Run(t.Context()))
	}
}
