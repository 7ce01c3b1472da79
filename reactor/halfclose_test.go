package reactor

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPeerHalfCloseEcho: the client sends, then half-closes (FIN) and
// keeps reading; the echo server sends back every byte received before the
// FIN, then closes, and OnClose reports io.EOF.
func TestPeerHalfCloseEcho(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		rec := newRecorder(t)
		_, addr := serve(t, rec, opt)
		c := dial(t, "tcp", addr)
		want := payload(3 << 20)
		go func() {
			c.Write(want)
			c.(*net.TCPConn).CloseWrite()
		}()
		got, err := io.ReadAll(c)
		require.NoError(t, err)
		require.True(t, bytes.Equal(want, got), "echoed %d of %d bytes", len(got), len(want))
		require.ErrorIs(t, rec.nextClose(t).err, io.EOF)
	})
}

// requestCounter answers, HTTP/1.0 style, once the client has half-closed:
// it counts the request bytes and writes the count after the peer's FIN.
type requestCounter struct {
	*recorder
	n map[*Conn]int
}

func (h requestCounter) OnData(c *Conn) {
	p, _ := c.Next(0)
	h.n[c] += len(p)
}

func (h requestCounter) OnPeerClose(c *Conn) {
	assert.True(h.t, c.PeerClosed())
	fmt.Fprintf(connWriter{c}, "received %d bytes", h.n[c])
	c.Close()
}

type connWriter struct{ c *Conn }

func (w connWriter) Write(p []byte) (int, error) { return w.c.Write(p) }

func TestHalfCloserRespondsAfterFIN(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		h := requestCounter{newRecorder(t), map[*Conn]int{}}
		_, addr := serve(t, h, opt)
		c := dial(t, "tcp", addr)
		_, err := c.Write(payload(100000))
		require.NoError(t, err)
		require.NoError(t, c.(*net.TCPConn).CloseWrite())
		got, err := io.ReadAll(c)
		require.NoError(t, err)
		require.Equal(t, "received 100000 bytes", string(got))
		require.ErrorIs(t, h.nextClose(t).err, io.EOF)
	})
}

// TestCloseWrite: the server half-closes after its greeting and keeps
// reading what the client sends; when the client's FIN comes, the
// connection closes.
func TestCloseWrite(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		rec := newRecorder(t)
		got := make(chan string, 10)
		rec.open = func(c *Conn) {
			c.WriteString("hello")
			assert.NoError(t, c.CloseWrite())
			_, err := c.WriteString("more")
			assert.ErrorIs(t, err, ErrClosed)
			assert.ErrorIs(t, c.CloseWrite(), ErrClosed)
		}
		rec.data = func(c *Conn) {
			p, _ := c.Next(0)
			got <- string(p)
		}
		_, addr := serve(t, rec, opt)
		c := dial(t, "tcp", addr)
		greeting, err := io.ReadAll(c)
		require.NoError(t, err, "the server's FIN ends the greeting")
		require.Equal(t, "hello", string(greeting))
		_, err = c.Write([]byte("still listening?"))
		require.NoError(t, err)
		require.Equal(t, "still listening?", <-got)
		require.NoError(t, c.Close())
		require.ErrorIs(t, rec.nextClose(t).err, io.EOF)
	})
}

// TestPeerFINWhileClosingDoesNotSpin: Close with output pending, then the
// peer's FIN: read interest must go, or the loop spins on a 0-byte read
// every pass.
func TestPeerFINWhileClosingDoesNotSpin(t *testing.T) {
	r := newRecorder(t)
	big := payload(4 << 20)
	r.open = func(c *Conn) {
		c.Write(big)
		c.Close()
	}
	l, addr := serve(t, r, WithMaxOutput(8<<20), WithLinger(5*time.Second))
	cc := dial(t, "tcp", addr)
	defer cc.Close()
	testkit.WaitUntil(t, "output blocked", func() bool { return l.Stats().WriteWaits > 0 })
	cc.(*net.TCPConn).CloseWrite()
	testkit.WaitUntil(t, "the FIN read", func() bool { return l.Stats().Reads > 0 })
	before := l.Stats().Reads
	time.Sleep(300 * time.Millisecond) // observing that the loop stays idle
	after := l.Stats().Reads
	io.Copy(io.Discard, cc)
	t.Logf("server reads in 300ms while idle: %d", after-before)
	require.Less(t, after-before, uint64(10), "busy loop: read(2) returning 0 repeatedly")
}
