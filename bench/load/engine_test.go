package load

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

// echoHandler is the echo server the engine is tested against. With
// corruptAt > 0 it flips a bit of the byte at that offset of every
// connection's stream.
type echoHandler struct {
	corruptAt int
}

type echoState struct{ seen int }

func (h echoHandler) OnOpen(c *reactor.Conn) { c.SetContext(&echoState{}) }

func (h echoHandler) OnData(c *reactor.Conn) {
	p, _ := c.Next(0)
	st := c.Context().(*echoState)
	if i := h.corruptAt - st.seen; h.corruptAt > 0 && 0 <= i && i < len(p) {
		p = bytes.Clone(p)
		p[i] ^= 0x10
	}
	st.seen += len(p)
	if _, err := c.Write(p); err != nil {
		c.Close()
	}
}

func (echoHandler) OnClose(*reactor.Conn, error) {}

// startEcho runs an echo server on its own loop and goroutine until the
// test ends, and returns its address.
func startEcho(t *testing.T, network string, h reactor.Handler) string {
	t.Helper()
	l, err := reactor.New(h)
	require.NoError(t, err)
	addr := "127.0.0.1:0"
	if network == "unix" {
		addr = filepath.Join(t.TempDir(), "echo.sock")
	}
	a, err := l.Listen(network, addr)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- l.Run(context.Background()) }()
	t.Cleanup(func() {
		l.Stop()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(testkit.Limit):
			t.Fatal("the echo server did not stop")
		}
	})
	return a.String()
}

// logBuffer is a Config.Log the test can read after the run.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func quick(addr string) Config {
	return Config{
		Addr:     addr,
		Conns:    20,
		Warmup:   50 * time.Millisecond,
		Duration: 300 * time.Millisecond,
	}
}

func checkSane(t *testing.T, r Result, log *logBuffer) {
	t.Helper()
	require.Zero(t, r.Errors, "log:\n%s", log)
	require.Positive(t, r.Msgs)
	require.Positive(t, r.MsgsPerSec)
	require.Positive(t, r.P50)
	require.LessOrEqual(t, r.P50, r.P99)
	require.LessOrEqual(t, r.P99, r.P999)
	require.LessOrEqual(t, r.P999, r.Max)
	// The window closes on a timer: never early, late if the machine is busy.
	require.GreaterOrEqual(t, r.Duration, 300*time.Millisecond)
	require.Less(t, r.Duration, testkit.Limit)
}

func TestRunClosedLoop(t *testing.T) {
	testkit.CheckLeaks(t)
	addr := startEcho(t, "tcp", echoHandler{})
	for _, depth := range []int{1, 16} {
		log := new(logBuffer)
		cfg := quick(addr)
		cfg.Depth, cfg.Log = depth, log
		if runtime.GOOS == "linux" {
			cfg.ServerPID = os.Getpid() // the server runs in this process
		}
		r, err := Run(context.Background(), cfg)
		require.NoError(t, err, "depth %d", depth)
		checkSane(t, r, log)
		require.Equal(t, depth, r.Depth)
		require.Equal(t, runtime.GOOS == "linux", r.ServerMeasured)
		require.Positive(t, r.ClientCPUPerMsg)
	}
}

func TestRunOpenLoop(t *testing.T) {
	testkit.CheckLeaks(t)
	addr := startEcho(t, "tcp", echoHandler{})
	log := new(logBuffer)
	cfg := quick(addr)
	cfg.Conns, cfg.Rate, cfg.Log = 10, 2000, log
	start := time.Now()
	r, err := Run(context.Background(), cfg)
	ran := time.Since(start)
	require.NoError(t, err)
	checkSane(t, r, log)
	// The schedule sets the pace (closed loop would echo tens of thousands
	// a second): a message is sent only once its time on the schedule has
	// come, and the schedule starts inside Run, so no more than 2000/s of
	// the time Run took, plus the message due at the start, can have been
	// sent, let alone echoed in the window. The bound is on Run's whole
	// span, not on Warmup+Duration: the window opens on a timer that may
	// fire late, and the messages that fell due meanwhile are sent late and
	// echoed inside the window.
	due := cfg.Rate*ran.Seconds() + 1
	require.LessOrEqual(t, float64(r.Msgs), due, "echoes counted, against messages due while Run ran (%v)", ran)
	require.NotNil(t, r.Open)
	require.Positive(t, r.Open.Sent)
}

func TestRunUnixSocket(t *testing.T) {
	testkit.CheckLeaks(t)
	addr := startEcho(t, "unix", echoHandler{})
	log := new(logBuffer)
	cfg := quick(addr)
	cfg.Network, cfg.Size, cfg.Depth, cfg.Log = "unix", 4096, 4, log
	r, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	checkSane(t, r, log)
}

// TestRunDetectsCorruption: a server that flips one bit in each stream is
// caught, on every connection, which is then closed.
func TestRunDetectsCorruption(t *testing.T) {
	testkit.CheckLeaks(t)
	addr := startEcho(t, "tcp", echoHandler{corruptAt: 100})
	log := new(logBuffer)
	cfg := quick(addr)
	cfg.Conns, cfg.Log = 5, log
	r, err := Run(context.Background(), cfg)
	require.NoError(t, err, "a bad server is a result, not a failure of the run")
	require.Equal(t, uint64(5), r.Errors)
	require.Contains(t, log.String(), "echo: message 1, byte 36: got")
}

func TestRunNoServer(t *testing.T) {
	testkit.CheckLeaks(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now
	log := new(logBuffer)
	cfg := quick(addr)
	cfg.Conns, cfg.Log = 3, log
	r, err := Run(context.Background(), cfg)
	require.ErrorContains(t, err, "no connection")
	require.Equal(t, uint64(3), r.Errors)
}

// cancelOn is a Config.Log that cancels the run when a line holds a word.
type cancelOn struct {
	logBuffer
	word   string
	cancel context.CancelFunc
}

func (c *cancelOn) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte(c.word)) {
		c.cancel()
	}
	return c.logBuffer.Write(p)
}

// TestRunCancelled: a run ends when its context does, in the middle of the
// measured window (as on SIGINT), and says so.
func TestRunCancelled(t *testing.T) {
	testkit.CheckLeaks(t)
	addr := startEcho(t, "tcp", echoHandler{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := quick(addr)
	cfg.Duration = time.Hour
	cfg.Progress = 20 * time.Millisecond
	cfg.Log = &cancelOn{word: "measuring", cancel: cancel}
	_, err := Run(ctx, cfg)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorContains(t, err, "stopped during measuring")
}

func TestRunIdle(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	testkit.CheckLeaks(t)
	addr := startEcho(t, "tcp", echoHandler{})
	log := new(logBuffer)
	r, err := RunIdle(context.Background(), Config{Addr: addr, Conns: 300, ServerPID: os.Getpid(), Log: log})
	require.NoError(t, err)
	require.Zero(t, r.Errors, "log:\n%s", log)
	require.Equal(t, 300, r.IdleConns)
	require.Positive(t, r.RSSBefore)
	require.Positive(t, r.RSSAfter)

	_, err = RunIdle(context.Background(), Config{Addr: addr})
	require.ErrorContains(t, err, "pid")
}
