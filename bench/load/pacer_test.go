package load

import (
	"context"
	"crypto/tls"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

// TestRunTLSOpenLoop: over TLS the schedule sets the pace as on the loop
// (see TestRunOpenLoop), whatever the depth, and the generator accounts
// for every message due in the window.
func TestRunTLSOpenLoop(t *testing.T) {
	testkit.CheckLeaks(t)
	addr, _ := startTLSEcho(t, 0)
	for _, depth := range []int{1, 4} {
		log := new(logBuffer)
		cfg := quickTLS(addr, tls.VersionTLS13)
		cfg.Conns, cfg.Depth, cfg.Rate, cfg.Log, cfg.Progress = 10, depth, 2000, log, 100*time.Millisecond
		cfg.LagLimit = 20 * time.Millisecond // a shared machine: see lag_test.go
		if runtime.GOOS == "linux" {
			cfg.ServerPID = os.Getpid()
		}
		start := time.Now()
		r, err := Run(context.Background(), cfg)
		ran := time.Since(start)
		require.NoError(t, err, "depth %d", depth)
		checkSane(t, r, log)
		require.Contains(t, r.TLS, "TLS 1.3")
		require.LessOrEqual(t, float64(r.Msgs), cfg.Rate*ran.Seconds()+1, "depth %d: echoes, against messages due while Run ran", depth)
		o := r.Open
		require.NotNil(t, o)
		// The window's 600 or so messages due (its timer may close it
		// late on a busy machine); what was handed out of them is the
		// verdict's (TestVerdict).
		require.InDelta(t, cfg.Rate*r.Duration.Seconds(), float64(o.Due), 2, "%+v", o)
		require.Equal(t, runtime.GOOS == "linux", r.ServerMeasured)
	}
}

// TestRunTLSOpenLoopSlowServer: a TLS server that takes 8 ms over each
// echo, against an interval of 5 ms between a connection's messages,
// holds messages back, more and more, and their wait is in their
// latency, not in the generator's lag: at the median, a message held back
// leaves as soon as its echo makes room. (Whether a busy test machine let
// the generator keep up is for TestGeneratorKeepsUp to find out.)
func TestRunTLSOpenLoopSlowServer(t *testing.T) {
	testkit.CheckLeaks(t)
	addr, _ := startSlowTLSEcho(t, 0, 8*time.Millisecond)
	log := new(logBuffer)
	cfg := quickTLS(addr, tls.VersionTLS13)
	cfg.Conns, cfg.Rate, cfg.Log, cfg.LagLimit = 10, 2000, log, 20*time.Millisecond
	r, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	checkSane(t, r, log)
	o := r.Open
	require.NotNil(t, o)
	require.Greater(t, o.Held, o.Sent/2, "%+v", o)
	require.Positive(t, o.Backlog, "%+v", o)
	require.Less(t, o.LagP50, time.Millisecond, "%+v", o)
	require.Greater(t, r.P50, 8*time.Millisecond)
	require.Less(t, r.MsgsPerSec, 0.8*cfg.Rate, "the server caps the rate")
}
