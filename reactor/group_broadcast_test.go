package reactor

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/poller"
	"github.com/stretchr/testify/require"
)

// room is a chat room spread over a group: each loop's handler keeps that
// loop's members and writes every line it is given to them; a line from a
// member reaches every loop through PostAll.
type room struct {
	*recorder
	members map[*Conn]bool
	rooms   []*room // every loop's, by index
	t       *testing.T
}

func (r *room) OnOpen(c *Conn) {
	l := c.Loop()
	if l.Group() == nil || l.Group().Loop(l.Index()) != l || r.rooms[l.Index()] != r {
		r.t.Errorf("loop %d does not know its place in its group", l.Index())
	}
	r.members[c] = true
}

func (r *room) OnData(c *Conn) {
	line, _ := c.Next(0)
	msg := string(line)
	c.Loop().Group().PostAll(func(i int) {
		for m := range r.rooms[i].members {
			m.WriteString(msg)
		}
	})
}

func (r *room) OnClose(c *Conn, err error) {
	delete(r.members, c)
	r.recorder.OnClose(c, err)
}

// TestGroupPostAll: a line from a member of one loop reaches the members
// of every loop.
func TestGroupPostAll(t *testing.T) {
	testkit.CheckLeaks(t)
	const loops, members = 3, 9
	rooms := make([]*room, loops)
	g, err := NewGroup(func(i int) Handler {
		rooms[i] = &room{recorder: newRecorder(t), members: map[*Conn]bool{}, rooms: rooms, t: t}
		return rooms[i]
	}, WithLoops(loops), WithAcceptMode(AcceptHandoff))
	require.NoError(t, err)
	require.Equal(t, loops, g.Len())
	addr, err := g.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	runGroup(t, g)

	var readers []*bufio.Reader
	var conns []net.Conn
	for range members {
		c := dial(t, "tcp", addr.String())
		conns = append(conns, c)
		readers = append(readers, bufio.NewReader(c))
	}
	testkit.WaitUntil(t, "every member in its room", func() bool {
		sum, _ := g.Stats()
		return sum.Conns == members
	})
	for i, c := range conns {
		msg := fmt.Sprintf("line %d from member %d\n", i, i)
		_, err := c.Write([]byte(msg))
		require.NoError(t, err)
		for j, r := range readers {
			got, err := r.ReadString('\n')
			require.NoError(t, err)
			require.Equal(t, msg, got, "member %d", j)
		}
	}
	_, each := g.Stats()
	for i, st := range each {
		require.Equal(t, members/loops, st.Conns, "loop %d", i)
	}
}

// TestGroupPostAllStopped: PostAll to a stopped group reports ErrStopped.
func TestGroupPostAllStopped(t *testing.T) {
	g, _ := newTestGroup(t, 2)
	g.Stop()
	require.NoError(t, g.Run(context.Background()))
	require.ErrorIs(t, g.PostAll(func(int) { t.Error("ran on a stopped loop") }), ErrStopped)
}

// failingAdd is a poller whose Add fails, for the second loop of a group.
type failingAdd struct{ poller.Poller }

var errRefused = errors.New("test: the poller refuses")

func (p failingAdd) Add(fd int, in poller.Interest) error { return errRefused }

// TestGroupListenFailureClosesListeners: when one loop of a SO_REUSEPORT
// group cannot listen, the listeners the others opened are closed: the
// address is free again, and nothing leaks.
func TestGroupListenFailureClosesListeners(t *testing.T) {
	testkit.CheckLeaks(t)
	var made atomic.Int32
	newPoller := func() (poller.Poller, error) {
		p, err := poller.New()
		if err != nil || made.Add(1) != 3 {
			return p, err
		}
		return failingAdd{p}, nil // the third loop's
	}
	g, err := NewGroup(func(int) Handler { return newRecorder(t) },
		WithLoops(3), WithAcceptMode(AcceptReusePort), WithLoopOptions(WithPoller(newPoller)))
	require.NoError(t, err)
	free, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := free.Addr().String()
	require.NoError(t, free.Close())

	_, err = g.Listen("tcp", addr)
	require.ErrorIs(t, err, errRefused)
	again, err := net.Listen("tcp", addr) // no SO_REUSEPORT: fails while any listener holds it
	require.NoError(t, err, "a loop's listener still holds the address")
	again.Close()
	g.Stop()
	require.NoError(t, g.Run(context.Background()))
}
