package reactor

import (
	"bytes"
	"crypto/tls"
	"io"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// framer answers "go" with frames written by Writev: a small header and a
// payload, large or small, then reports what was queued.
type framer struct {
	*recorder
	sndbuf  int
	frames  [][2][]byte
	pending chan int
}

func (f *framer) OnOpen(c *Conn) {
	if f.sndbuf > 0 {
		assert.NoError(f.t, unix.SetsockoptInt(c.Fd(), unix.SOL_SOCKET, unix.SO_SNDBUF, f.sndbuf))
	}
}

func (f *framer) OnData(c *Conn) {
	if p, _ := c.Peek(0); len(p) < 2 {
		return
	}
	c.Next(2)
	for _, fr := range f.frames {
		n, err := c.Writev(fr[0], fr[1])
		assert.NoError(f.t, err)
		assert.Equal(f.t, len(fr[0])+len(fr[1]), n)
	}
	f.pending <- c.Pending()
}

func (f *framer) want() []byte {
	var b []byte
	for _, fr := range f.frames {
		b = append(append(b, fr[0]...), fr[1]...)
	}
	return b
}

// TestWritev: frames written as a header and a payload reach the peer
// whole and in order, whether the first large one leaves at once (with a
// socket too small for it: what it does not take is queued) or they are
// queued; a header alone and a payload alone work too.
func TestWritev(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		for _, sndbuf := range []int{0, 16 << 10} {
			f := &framer{recorder: newRecorder(t), sndbuf: sndbuf, pending: make(chan int, 1), frames: [][2][]byte{
				{[]byte("HEAD1"), payload(200 << 10)},
				{[]byte("h2"), []byte("small")},
				{nil, payload(20 << 10)},
				{[]byte("tail"), nil},
			}}
			_, addr := serve(t, f, opt)
			c := dial(t, "tcp", addr)
			_, err := c.Write([]byte("go"))
			require.NoError(t, err)
			want := f.want()
			got := make([]byte, len(want))
			_, err = io.ReadFull(c, got)
			require.NoError(t, err)
			require.True(t, bytes.Equal(want, got), "bytes or order differ (sndbuf %d)", sndbuf)
			if sndbuf > 0 {
				require.Positive(t, <-f.pending, "a small socket leaves the rest queued")
			}
		}
	})
}

// TestWritevAllOrNothing: a header and payload that do not fit the output
// together are refused whole, and nothing is queued.
func TestWritevAllOrNothing(t *testing.T) {
	rec := newRecorder(t)
	got := make(chan [2]int, 1)
	rec.open = func(c *Conn) {
		_, err := c.Writev(payload(600), payload(500))
		pending := c.Pending()
		n, err2 := c.Writev(payload(300), payload(100))
		if assert.ErrorIs(t, err, ErrOutputFull) && assert.NoError(t, err2) {
			got <- [2]int{pending, n}
		}
	}
	_, addr := serve(t, rec, WithMaxOutput(1000))
	dial(t, "tcp", addr)
	require.Equal(t, [2]int{0, 400}, testkit.Receive(t, got, "the writes"))
}

// TestWritevTLS: on a TLS connection Writev encrypts both, in order.
func TestWritevTLS(t *testing.T) {
	f := &framer{recorder: newRecorder(t), pending: make(chan int, 1), frames: [][2][]byte{
		{[]byte("HEAD"), payload(100 << 10)}, {[]byte("h2"), []byte("small")},
	}}
	_, addr := serveTLS(t, f, testkit.ServerTLS(t))
	c := tls.Client(dial(t, "tcp", addr), testkit.ClientTLS(t))
	_, err := c.Write([]byte("go"))
	require.NoError(t, err)
	want := f.want()
	got := make([]byte, len(want))
	_, err = io.ReadFull(c, got)
	require.NoError(t, err)
	require.True(t, bytes.Equal(want, got))
}

// TestWritevTLSAllOrNothing: on TLS, where each slice is sealed into
// records of its own, a header and payload that Available says fit
// together but whose two sets of records do not are refused whole, not
// the header queued and the payload refused.
func TestWritevTLSAllOrNothing(t *testing.T) {
	rec := newRecorder(t)
	type outcome struct {
		overflows   bool
		n, before   int
		err         error
		pendingThen int
	}
	got := make(chan outcome, 1)
	rec.open = func(c *Conn) {
		avail := c.Available()
		a, b := avail/2, avail-avail/2
		room := c.loop.cfg.maxOutput - c.Pending()
		o := outcome{overflows: tlsSealedSize(a)+tlsSealedSize(b) > room, before: c.Pending()}
		o.n, o.err = c.Writev(payload(a), payload(b))
		o.pendingThen = c.Pending()
		got <- o
	}
	_, addr := serveTLS(t, rec, testkit.ServerTLS(t), WithMaxOutput(1000))
	c := tls.Client(dial(t, "tcp", addr), testkit.ClientTLS(t))
	require.NoError(t, c.Handshake())
	o := testkit.Receive(t, got, "the write")
	require.True(t, o.overflows, "the test's sizes must overflow as two sets of records")
	require.ErrorIs(t, o.err, ErrOutputFull)
	require.Zero(t, o.n)
	require.Equal(t, o.before, o.pendingThen, "nothing queued")
}
