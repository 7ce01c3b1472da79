package reactor

import (
	"bufio"
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// switcher is a line protocol until the line "SWITCH": then it answers
// "OK" and hands the connection to next, with whatever followed the line.
type switcher struct {
	*recorder
	next *shouter
}

func (s *switcher) OnData(c *Conn) {
	for {
		p, _ := c.Peek(0)
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			return
		}
		c.Discard(i + 1)
		if string(p[:i]) != "SWITCH" {
			c.Write([]byte("line: " + string(p[:i]) + "\n"))
			continue
		}
		c.Write([]byte("OK\n"))
		c.SetHandler(s.next)
		s.next.OnOpen(c)
		if c.Buffered() > 0 {
			s.next.OnData(c)
		}
		return
	}
}

func (s *switcher) OnClose(c *Conn, err error) {
	s.t.Errorf("the first handler's OnClose after the switch (%v)", err)
}

// shouter answers everything in upper case, and says goodbye when idle;
// it records its own callbacks.
type shouter struct {
	*recorder
	opened int
	idles  int
}

func (s *shouter) OnOpen(c *Conn) { s.opened++ }

func (s *shouter) OnData(c *Conn) {
	p, _ := c.Next(0)
	c.Write(bytes.ToUpper(p))
}

func (s *shouter) OnIdle(c *Conn) bool {
	s.idles++
	c.Write([]byte("bye\n"))
	return false
}

// TestSetHandler: a connection handed over to another handler gets its
// callbacks from then on, its optional ones included, and the bytes that
// followed the switch reach the new handler.
func TestSetHandler(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		next := &shouter{recorder: newRecorder(t)}
		h := &switcher{recorder: newRecorder(t), next: next}
		l, addr := serve(t, h, opt, WithReadTimeout(100*time.Millisecond))
		c := dial(t, "tcp", addr)
		r := bufio.NewReader(c)
		_, err := c.Write([]byte("hello\nSWITCH\nafter the switch\n"))
		require.NoError(t, err)
		for _, want := range []string{"line: hello\n", "OK\n", "AFTER THE SWITCH\n"} {
			got, err := r.ReadString('\n')
			require.NoError(t, err)
			require.Equal(t, want, got)
		}
		_, err = c.Write([]byte("more\n"))
		require.NoError(t, err)
		got, err := r.ReadString('\n')
		require.NoError(t, err)
		require.Equal(t, "MORE\n", got)
		rest, err := io.ReadAll(r) // silent: the new handler's OnIdle says goodbye
		require.NoError(t, err)
		require.Equal(t, "bye\n", string(rest))
		require.ErrorIs(t, next.nextClose(t).err, ErrReadTimeout)
		done := make(chan [2]int, 1)
		require.NoError(t, l.Post(func() { done <- [2]int{next.opened, next.idles} }))
		require.Equal(t, [2]int{1, 1}, <-done)
	})
}
