package reactor

import (
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/poller"
	"github.com/stretchr/testify/require"
)

// TestPeerReset: a client that resets (RST) mid-transfer makes the server
// close that connection with ECONNRESET (or EPIPE, if a write saw it
// first).
func TestPeerReset(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		rec := newRecorder(t)
		_, addr := serve(t, rec, opt)
		c := dial(t, "tcp", addr)
		_, err := c.Write(payload(1 << 20))
		require.NoError(t, err)
		_, err = io.ReadFull(c, make([]byte, 1000)) // the echo has started
		require.NoError(t, err)
		require.NoError(t, c.(*net.TCPConn).SetLinger(0))
		require.NoError(t, c.Close())
		ev := rec.nextClose(t)
		require.True(t, isConnBroken(ev.err), "OnClose reason %v, want ECONNRESET or EPIPE", ev.err)
	})
}

// TestPeerCloseMidTransfer: a client sends 4 MiB and closes without reading
// the echo. The server's writes then fail; the connection must close once,
// with an error, and the server must go on serving.
func TestPeerCloseMidTransfer(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		rec := newRecorder(t)
		l, addr := serve(t, rec, opt)
		c := dial(t, "tcp", addr)
		go func() {
			c.Write(payload(4 << 20))
			c.Close()
		}()
		ev := rec.nextClose(t)
		require.Error(t, ev.err)
		c2 := dial(t, "tcp", addr)
		require.Equal(t, []byte("still here"), roundTrip(t, c2, []byte("still here")))
		testkit.WaitUntil(t, "one open connection", func() bool { return l.Stats().Conns == 1 })
	})
}

// TestWriteAfterPeerReset: writing to a peer that reset the connection
// fails with an error (EPIPE or ECONNRESET); SIGPIPE does not kill the
// process, because the Go runtime does not let it for sockets (and on
// macOS the socket has SO_NOSIGPIPE).
func TestWriteAfterPeerReset(t *testing.T) {
	rec := newRecorder(t)
	conns := make(chan *Conn, 1)
	rec.open = func(c *Conn) { conns <- c }
	rec.data = func(c *Conn) {}
	l, addr := serve(t, rec)
	c := dial(t, "tcp", addr)
	sc := <-conns
	c.(*net.TCPConn).SetLinger(0)
	c.Close()
	for range 20 { // write until the loop notices; each pass sends
		l.Post(func() { sc.Write(payload(1000)) })
		select {
		case ev := <-rec.closed:
			require.True(t, isConnBroken(ev.err), "reason %v", ev.err)
			require.True(t, errors.Is(ev.err, syscall.EPIPE) || errors.Is(ev.err, syscall.ECONNRESET))
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatal("the write to a reset peer never failed")
}

// failingModify is a poller whose Modify fails once armed: the loop cannot
// tell it what a connection waits for any more.
type failingModify struct {
	poller.Poller
	fail chan struct{} // closed to arm
}

func (p *failingModify) Modify(fd int, in poller.Interest) error {
	select {
	case <-p.fail:
		return errors.New("injected poller failure")
	default:
		return p.Poller.Modify(fd, in)
	}
}

// TestDroppedOutputResets: every path on which the loop drops queued
// output resets the connection, so that a peer reading the truncated
// stream gets ECONNRESET instead of a clean EOF.
func TestDroppedOutputResets(t *testing.T) {
	const queued = 32 << 20 // more than the socket buffers hold
	fail := make(chan struct{})
	queue := func(c *Conn) { c.Write(payload(queued)) }
	noPause := WithWriteWatermarks(1<<20, queued) // reading goes on while the output waits
	cases := []struct {
		name   string
		opts   []Option
		open   func(c *Conn) // when the connection opens
		data   func(c *Conn) // on the client's byte, sent once output waits
		reason error
	}{
		{"write timeout", []Option{WithWriteTimeout(50 * time.Millisecond)}, queue, nil, ErrWriteTimeout},
		{"read timeout", []Option{WithReadTimeout(50 * time.Millisecond), noPause}, queue, nil, ErrReadTimeout},
		{"panic", []Option{noPause}, queue, func(c *Conn) { panic("handler bug") }, nil},
		// Queuing pauses reading, which the poller is told, and refuses.
		{"poller failure", []Option{WithPoller(func() (poller.Poller, error) {
			p, err := poller.New()
			return &failingModify{Poller: p, fail: fail}, err
		})}, func(c *Conn) { close(fail) }, queue, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t)
			rec.open = tc.open
			rec.data = func(*Conn) {}
			if tc.data != nil {
				rec.data = tc.data
			}
			opts := append([]Option{WithMaxOutput(queued), WithLogger(discardLogger())}, tc.opts...)
			l, addr := serve(t, rec, opts...)
			c := dial(t, "tcp", addr)
			if tc.data != nil {
				if tc.name != "poller failure" {
					testkit.WaitUntil(t, "output waiting for the reader", func() bool { return l.Stats().WriteWaits > 0 })
				}
				_, err := c.Write([]byte("x"))
				require.NoError(t, err)
			}
			ev := rec.nextClose(t)
			if tc.reason != nil {
				require.ErrorIs(t, ev.err, tc.reason)
			} else {
				require.Error(t, ev.err)
			}
			n, err := io.Copy(io.Discard, c)
			require.Less(t, n, int64(queued))
			require.ErrorIs(t, err, syscall.ECONNRESET, "got %d of %d bytes and then %v, want a reset", n, queued, err)
		})
	}
}
