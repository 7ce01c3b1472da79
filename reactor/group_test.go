package reactor

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

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

func newTestGroup(t *testing.T, loops int, opts ...GroupOption) (*Group, []*recorder) {
	checkLeaks(t)
	recs := make([]*recorder, loops)
	g, err := NewGroup(func(i int) Handler {
		recs[i] = newRecorder(t)
		return recs[i]
	}, append(opts, WithLoops(loops))...)
	require.NoError(t, err)
	return g, recs
}

func TestGroupSpreadsConnections(t *testing.T) {
	for _, mode := range []struct {
		name string
		opts []GroupOption
	}{
		{"reuseport", []GroupOption{WithAcceptMode(AcceptReusePort)}},
		{"handoff-roundrobin", []GroupOption{WithAcceptMode(AcceptHandoff)}},
		{"handoff-leastconns", []GroupOption{WithAcceptMode(AcceptHandoff), WithBalance(LeastConns)}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			g, _ := newTestGroup(t, 3, mode.opts...)
			addr, err := g.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			runGroup(t, g)
			const n = 90
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c := dial(t, "tcp", addr.String())
					msg := []byte(fmt.Sprint("client ", i))
					if _, err := c.Write(msg); err != nil {
						t.Error(err)
						return
					}
					got := make([]byte, len(msg))
					if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(msg, got) {
						t.Errorf("client %d: %q, %v", i, got, err)
					}
				}()
			}
			wg.Wait()
			waitUntil(t, "every connection counted", func() bool {
				sum, _ := g.Stats()
				return sum.Accepted == n
			})
			_, each := g.Stats()
			for i, s := range each {
				require.Positive(t, s.Accepted, "loop %d served no connection", i)
			}
		})
	}
}

// TestGroupDrain: Stop while every connection of every loop still has
// output queued; each client gets all of it, then EOF.
func TestGroupDrain(t *testing.T) {
	want := payload(1 << 20)
	g, recs := newTestGroup(t, 2, WithAcceptMode(AcceptHandoff))
	for _, r := range recs {
		r.open = func(c *Conn) { c.Write(want) }
	}
	addr, err := g.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- g.Run(context.Background()) }()
	conns := make([]net.Conn, 10)
	for i := range conns {
		conns[i] = dial(t, "tcp", addr.String())
	}
	waitUntil(t, "every connection open", func() bool { sum, _ := g.Stats(); return sum.Conns == len(conns) })
	g.Stop()
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := io.ReadAll(c)
			c.Close()
			if err != nil || !bytes.Equal(want, got) {
				t.Errorf("read %d of %d bytes, err %v", len(got), len(want), err)
			}
		}()
	}
	wg.Wait()
	waitRun(t, done, "Group.Run after Stop")
}

// TestGroupPanicStaysInItsLoop: a handler panic closes that connection;
// every loop goes on serving.
func TestGroupPanicStaysInItsLoop(t *testing.T) {
	g, recs := newTestGroup(t, 2, WithAcceptMode(AcceptHandoff), WithLoopOptions(WithLogger(discardLogger())))
	for _, r := range recs {
		r.data = func(c *Conn) {
			if p, _ := c.Peek(0); bytes.Equal(p, []byte("boom")) {
				panic("boom")
			}
			echo(c)
		}
	}
	addr, err := g.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	runGroup(t, g)
	bad := dial(t, "tcp", addr.String())
	_, err = bad.Write([]byte("boom"))
	require.NoError(t, err)
	_, err = io.ReadAll(bad)
	require.True(t, err == nil || isConnBroken(err))
	for i := range 4 { // round robin: both loops
		c := dial(t, "tcp", addr.String())
		msg := []byte(fmt.Sprint("after the panic ", i))
		require.Equal(t, msg, roundTrip(t, c, msg))
	}
	sum, _ := g.Stats()
	require.Equal(t, uint64(1), sum.Panics)
}

// TestListenFD passes a listening socket's fd into a loop, as systemd
// socket activation or a restarting parent would.
func TestListenFD(t *testing.T) {
	for _, loops := range []int{1, 2} {
		t.Run(fmt.Sprint(loops, " loops"), func(t *testing.T) {
			g, _ := newTestGroup(t, loops)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			f, err := ln.(*net.TCPListener).File() // a dup of the listening fd
			require.NoError(t, err)
			ln.Close()
			fd, err := unix.Dup(int(f.Fd()))
			require.NoError(t, err)
			f.Close()
			addr, err := g.ListenFD(fd)
			require.NoError(t, err)
			require.Equal(t, ln.Addr().String(), addr.String())
			runGroup(t, g)
			for i := range 4 {
				c := dial(t, "tcp", addr.String())
				msg := []byte(fmt.Sprint("inherited ", i))
				require.Equal(t, msg, roundTrip(t, c, msg))
			}
		})
	}
}

func TestListenFDRefusesOtherSockets(t *testing.T) {
	l, err := New(newRecorder(t))
	require.NoError(t, err)
	defer func() { l.Stop(); l.Run(context.Background()) }()
	a, b := socketpairFDs(t)
	defer unix.Close(b)
	_, err = l.ListenFD(a)
	require.ErrorIs(t, err, unix.EINVAL, "a socket pair is not listening")
	unix.Close(a)
}

func socketpairFDs(t *testing.T) (int, int) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	require.NoError(t, err)
	return fds[0], fds[1]
}
