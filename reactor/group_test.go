package reactor

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

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
			testkit.WaitUntil(t, "every connection counted", func() bool {
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
	testkit.WaitUntil(t, "every connection open", func() bool { sum, _ := g.Stats(); return sum.Conns == len(conns) })
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

// TestGroupRunTwice: a second Run of a running group returns ErrRunning
// and leaves the first one serving; after the group stopped, Run returns
// ErrStopped.
func TestGroupRunTwice(t *testing.T) {
	g, _ := newTestGroup(t, 2)
	addr, err := g.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- g.Run(context.Background()) }()
	c := dial(t, "tcp", addr.String())
	require.Equal(t, []byte("one"), roundTrip(t, c, []byte("one")))
	require.ErrorIs(t, g.Run(context.Background()), ErrRunning)
	select {
	case err := <-done:
		t.Fatalf("the first Run returned %v after a second Run", err)
	case <-time.After(20 * time.Millisecond): // observing that nothing happens
	}
	c2 := dial(t, "tcp", addr.String())
	require.Equal(t, []byte("still serving"), roundTrip(t, c2, []byte("still serving")))
	g.Stop()
	waitRun(t, done, "Group.Run after Stop")
	require.ErrorIs(t, g.Run(context.Background()), ErrStopped)
}

// TestGroupLoop: Group.Loop(i) is the loop whose handler newHandler(i)
// made.
func TestGroupLoop(t *testing.T) {
	g, recs := newTestGroup(t, 3)
	for i, rec := range recs {
		require.Same(t, rec, g.Loop(i).h.(*recorder), "loop %d", i)
	}
	g.Stop()
	require.NoError(t, g.Run(context.Background()))
}
