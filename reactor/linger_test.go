package reactor

import (
	"io"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

// TestLingerTimeout: a peer that never sends its FIN cannot keep a closed
// connection open longer than the linger timeout.
func TestLingerTimeout(t *testing.T) {
	rec := newRecorder(t)
	rec.open = func(c *Conn) {
		c.WriteString("bye")
		c.Close()
	}
	_, addr := serve(t, rec, WithLinger(20*time.Millisecond))
	c := dial(t, "tcp", addr)
	got, err := io.ReadAll(c)
	require.NoError(t, err)
	require.Equal(t, "bye", string(got))
	require.NoError(t, rec.nextClose(t).err) // while the client still holds the connection open
}

// TestLingerExpires: a peer that never sends its FIN is waited for at most
// the linger; that shows in Stats.LingerTimeouts.
func TestLingerExpires(t *testing.T) {
	rec := newRecorder(t)
	rec.open = func(c *Conn) {
		c.WriteString("bye")
		c.Close()
	}
	l, addr := serve(t, rec, WithLinger(20*time.Millisecond))
	c := dial(t, "tcp", addr)
	got, err := io.ReadAll(c)
	require.NoError(t, err)
	require.Equal(t, "bye", string(got))
	require.NoError(t, rec.nextClose(t).err)
	testkit.WaitUntil(t, "the linger to expire", func() bool {
		s := l.Stats()
		return s.LingerTimeouts == 1 && s.Lingering == 0
	})
}

// TestLingerEndedByFINIsNoTimeout: the peer's FIN reaches a lingering
// connection within the linger, but the pass in which it is read runs long
// (here: the read of the FIN itself is slow; in production, other handlers
// in the same pass). The connection is released only in the next pass,
// after that pass has run its due timers, the linger's among them: the
// linger's timer must see that the FIN came and count no linger timeout.
func TestLingerEndedByFINIsNoTimeout(t *testing.T) {
	slowEOF := func(real syscalls) syscalls {
		s := real
		s.read = func(fd int, p []byte) (int, error) {
			n, err := real.read(fd, p)
			if n == 0 && err == nil {
				time.Sleep(100 * time.Millisecond) // a long pass
			}
			return n, err
		}
		return s
	}
	rec := newRecorder(t)
	rec.open = func(c *Conn) {
		c.WriteString("bye")
		c.Close()
	}
	l, addr := serve(t, rec, WithLinger(50*time.Millisecond), withSyscalls(slowEOF))
	c := dial(t, "tcp", addr)
	got, err := io.ReadAll(c)
	require.NoError(t, err)
	require.Equal(t, "bye", string(got))
	require.NoError(t, c.Close()) // the FIN, well within the linger
	testkit.WaitUntil(t, "the lingering connection released", func() bool {
		s := l.Stats()
		return s.Closed == 1 && s.Lingering == 0
	})
	require.Zero(t, l.Stats().LingerTimeouts, "the peer's FIN came within the linger")
}

// TestCloseReasonNotReadTimeout: Close on a connection with a read timeout
// reports nil to OnClose, not ErrReadTimeout, although the peer's FIN does
// not come within the read timeout.
func TestCloseReasonNotReadTimeout(t *testing.T) {
	r := newRecorder(t)
	r.open = func(c *Conn) { c.Close() }
	_, addr := serve(t, r, WithReadTimeout(100*time.Millisecond), WithLinger(time.Second))
	cc := dial(t, "tcp", addr)
	defer cc.Close()
	ev := r.nextClose(t)
	require.NoError(t, ev.err, "Close must report nil")
}
