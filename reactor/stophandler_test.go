package reactor

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

// goodbye says goodbye to each connection when the loop stops; a
// connection that said "quiet" is closed by the handler itself instead.
type goodbye struct{ *recorder }

func (g *goodbye) OnData(c *Conn) {
	p, _ := c.Next(0)
	c.SetContext(string(p))
	c.Write(p)
}

func (g *goodbye) OnStop(c *Conn) {
	if c.Context() == "quiet" {
		c.CloseWithError(io.ErrClosedPipe)
		return
	}
	c.Write([]byte("going away\n"))
}

// TestStopHandler: OnStop runs for each open connection when the loop
// stops, and what it writes leaves before FIN; a connection it closes
// itself keeps its reason.
func TestStopHandler(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		h := &goodbye{recorder: newRecorder(t)}
		l, addr, done := startLoop(t, h, opt)
		loud := dial(t, "tcp", addr)
		quiet := dial(t, "tcp", addr)
		require.Equal(t, []byte("loud"), roundTrip(t, loud, []byte("loud")))
		require.Equal(t, []byte("quiet"), roundTrip(t, quiet, []byte("quiet")))
		l.Stop()
		got, err := io.ReadAll(loud)
		require.NoError(t, err)
		require.Equal(t, "going away\n", string(got))
		got, err = io.ReadAll(quiet)
		require.NoError(t, err)
		require.Empty(t, got)
		waitRun(t, done, "Run after Stop")
		reasons := map[error]int{}
		for range 2 {
			reasons[h.nextClose(t).err]++
		}
		require.Equal(t, map[error]int{ErrStopped: 1, io.ErrClosedPipe: 1}, reasons)
	})
}
