package reactor

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/poller"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// pollers runs f once per readiness mechanism the machine has: the best one
// (epoll on Linux) and poll(2).
func pollers(t *testing.T, f func(t *testing.T, opt Option)) {
	t.Run("best", func(t *testing.T) { f(t, WithPoller(poller.New)) })
	t.Run("poll", func(t *testing.T) { f(t, WithPoller(poller.NewPoll)) })
}

// recorder is a Handler for tests. It echoes unless data is set, and
// records every OnClose, checking that each connection closes exactly once.
type recorder struct {
	t      testing.TB
	open   func(c *Conn)
	data   func(c *Conn)
	mu     sync.Mutex
	closes map[*Conn]error
	closed chan closeEvent
}

type closeEvent struct {
	c   *Conn
	err error
}

func newRecorder(t testing.TB) *recorder {
	return &recorder{t: t, closes: map[*Conn]error{}, closed: make(chan closeEvent, 100000)}
}

func (r *recorder) OnOpen(c *Conn) {
	if r.open != nil {
		r.open(c)
	}
}

func (r *recorder) OnData(c *Conn) {
	if r.data != nil {
		r.data(c)
		return
	}
	echo(c)
}

func (r *recorder) OnClose(c *Conn, err error) {
	r.mu.Lock()
	_, twice := r.closes[c]
	r.closes[c] = err
	r.mu.Unlock()
	if twice {
		r.t.Errorf("OnClose called twice for fd %d", c.Fd())
	}
	r.closed <- closeEvent{c, err}
}

// nextClose waits for the next OnClose.
func (r *recorder) nextClose(t testing.TB) closeEvent {
	t.Helper()
	select {
	case ev := <-r.closed:
		return ev
	case <-time.After(testkit.Limit):
		t.Fatal("no OnClose")
		return closeEvent{}
	}
}

// onCloseHook runs hook in OnClose before the recorder records it.
type onCloseHook struct {
	*recorder
	hook func(c *Conn, err error)
}

func (h *onCloseHook) OnClose(c *Conn, err error) {
	h.hook(c, err)
	h.recorder.OnClose(c, err)
}

// echo writes back every byte it is given.
func echo(c *Conn) {
	p, _ := c.Next(0)
	if _, err := c.Write(p); err != nil {
		c.Close()
	}
}

// serve starts a loop with handler h listening on 127.0.0.1:0 and returns
// it with its address. At cleanup it stops the loop, checks that Run
// returned nil, and checks that the goroutines and fds the test started
// with are all that is left.
func serve(t *testing.T, h Handler, opts ...Option) (*Loop, string) {
	t.Helper()
	testkit.CheckLeaks(t)
	l, err := New(h, opts...)
	require.NoError(t, err)
	addr, err := l.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	run(t, l)
	return l, addr.String()
}

// startLoop runs a new loop listening on 127.0.0.1:0 and returns it, its
// address and the channel Run's result comes on. The test stops it.
func startLoop(t *testing.T, h Handler, opts ...Option) (*Loop, string, chan error) {
	t.Helper()
	testkit.CheckLeaks(t)
	l, err := New(h, opts...)
	require.NoError(t, err)
	addr, err := l.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- l.Run(context.Background()) }()
	return l, addr.String(), done
}

// run runs l on a goroutine until the test ends.
func run(t *testing.T, l *Loop) {
	done := make(chan error, 1)
	go func() { done <- l.Run(context.Background()) }()
	t.Cleanup(func() {
		l.Stop()
		waitRun(t, done, "Run after Stop")
	})
}

// runGroup starts g on a goroutine; at cleanup it stops it and checks that
// Run returned nil.
func runGroup(t *testing.T, g *Group) {
	done := make(chan error, 1)
	go func() { done <- g.Run(context.Background()) }()
	t.Cleanup(func() {
		g.Stop()
		waitRun(t, done, "Group.Run after Stop")
	})
}

// newTestGroup returns a group of the given number of loops, each with a
// recorder as its handler, and the recorders. At cleanup it checks for
// leaks; the test runs and stops the group.
func newTestGroup(t *testing.T, loops int, opts ...GroupOption) (*Group, []*recorder) {
	testkit.CheckLeaks(t)
	recs := make([]*recorder, loops)
	g, err := NewGroup(func(i int) Handler {
		recs[i] = newRecorder(t)
		return recs[i]
	}, append(opts, WithLoops(loops))...)
	require.NoError(t, err)
	return g, recs
}

// waitRun waits for the result of a Run (of a Loop or a Group) sent on done
// and checks that it is nil.
func waitRun(t testing.TB, done <-chan error, what string) {
	t.Helper()
	select {
	case err := <-done:
		require.NoError(t, err, what)
	case <-time.After(testkit.Limit):
		t.Fatalf("%s did not return", what)
	}
}

// dial connects to addr with a deadline on every operation.
func dial(t testing.TB, network, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout(network, addr, testkit.Limit)
	require.NoError(t, err)
	require.NoError(t, c.SetDeadline(time.Now().Add(testkit.Limit)))
	t.Cleanup(func() { c.Close() })
	return c
}

// roundTrip writes p from a goroutine while reading len(p) bytes back, and
// returns what came back.
func roundTrip(t testing.TB, c net.Conn, p []byte) []byte {
	t.Helper()
	werr := make(chan error, 1)
	go func() {
		_, err := c.Write(p)
		werr <- err
	}()
	got := make([]byte, len(p))
	_, err := io.ReadFull(c, got)
	require.NoError(t, err)
	require.NoError(t, <-werr)
	return got
}

// payload returns n bytes of a repeating pattern that shows misordering.
func payload(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i*7 + i/251)
	}
	return p
}

func discardLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// isConnBroken tells whether err is what a write or read on a connection
// the peer reset or closed gives.
func isConnBroken(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// socketpairFDs returns the fds of a new pair of connected unix stream
// sockets; the test closes them.
func socketpairFDs(t *testing.T) (int, int) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	require.NoError(t, err)
	return fds[0], fds[1]
}
