package reactor

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
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

func TestReadTimeout(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		rec := newRecorder(t)
		l, addr := serve(t, rec, opt, WithReadTimeout(300*time.Millisecond))
		c := dial(t, "tcp", addr)
		require.Equal(t, []byte("hi"), roundTrip(t, c, []byte("hi")))
		// Now the client goes silent: a dead peer.
		ev := rec.nextClose(t)
		require.ErrorIs(t, ev.err, ErrReadTimeout)
		require.ErrorIs(t, ev.err, os.ErrDeadlineExceeded)
		_, err := io.ReadAll(c)
		require.True(t, err == nil || isConnBroken(err), "the client sees the connection end: %v", err)
		waitUntil(t, "no open connection", func() bool { return l.Stats().Conns == 0 })
	})
}

func TestSetReadTimeoutPerConnection(t *testing.T) {
	rec := newRecorder(t)
	rec.open = func(c *Conn) { c.SetReadTimeout(20 * time.Millisecond) }
	_, addr := serve(t, rec)
	dial(t, "tcp", addr)
	require.ErrorIs(t, rec.nextClose(t).err, ErrReadTimeout)
}

// TestWriteTimeout: a peer that stops reading cannot hold queued output
// forever.
func TestWriteTimeout(t *testing.T) {
	rec := newRecorder(t)
	rec.open = func(c *Conn) { c.Write(payload(32 << 20)) }
	_, addr := serve(t, rec, WithMaxOutput(32<<20), WithWriteTimeout(30*time.Millisecond))
	dial(t, "tcp", addr) // never reads
	ev := rec.nextClose(t)
	require.ErrorIs(t, ev.err, ErrWriteTimeout)
	require.ErrorIs(t, ev.err, os.ErrDeadlineExceeded)
}

func TestTimers(t *testing.T) {
	l, _ := serve(t, newRecorder(t))
	order := make(chan string, 10)
	require.NoError(t, l.Post(func() {
		l.AfterFunc(30*time.Millisecond, func() { order <- "30ms" })
		l.AfterFunc(10*time.Millisecond, func() { order <- "10ms" })
		stopped := l.AfterFunc(20*time.Millisecond, func() { order <- "stopped" })
		assert.True(t, stopped.Stop())
		assert.False(t, stopped.Stop())
		moved := l.AfterFunc(time.Hour, func() { order <- "reset to 40ms" })
		assert.True(t, moved.Reset(40*time.Millisecond))
		l.AfterFunc(50*time.Millisecond, func() { close(order) })
	}))
	var got []string
	for s := range order {
		got = append(got, s)
	}
	require.Equal(t, []string{"10ms", "30ms", "reset to 40ms"}, got)

	// No timer due: the loop must not wake up at all. The pass that ran the
	// last timer ends with a wait of its own, which is counted when it
	// starts: let the loop get there first.
	waitUntil(t, "the loop idle in its wait", func() bool {
		w := l.Stats().Waits
		time.Sleep(10 * time.Millisecond)
		return l.Stats().Waits == w
	})
	before := l.Stats().Waits
	time.Sleep(50 * time.Millisecond) // observing that nothing happens
	require.Equal(t, before, l.Stats().Waits, "an idle loop without timers woke up")
}

// TestDialSameLoop: a client connection dialed by the loop talks to the
// loop's own listener; bytes written before OnOpen go out once connected.
func TestDialSameLoop(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		for _, network := range []string{"tcp", "unix"} {
			t.Run(network, func(t *testing.T) {
				rec := newRecorder(t)
				reply := make(chan string, 1)
				opened := make(chan bool, 1)
				rec.open = func(c *Conn) {
					if c.Context() == "client" {
						opened <- true
					}
				}
				rec.data = func(c *Conn) {
					p, _ := c.Next(0)
					if c.Context() == "client" {
						reply <- string(p)
						c.Close()
						return
					}
					c.Write(bytes.ToUpper(p))
				}
				l, err := New(rec, opt)
				require.NoError(t, err)
				checkLeaks(t)
				addr := "127.0.0.1:0"
				if network == "unix" {
					addr = t.TempDir() + "/dial.sock"
				}
				la, err := l.Listen(network, addr)
				require.NoError(t, err)
				c, err := l.Dial(network, la.String(), time.Second)
				require.NoError(t, err)
				c.SetContext("client")
				_, err = c.WriteString("ping")
				require.NoError(t, err)
				run(t, l)
				require.True(t, <-opened)
				require.Equal(t, "PING", <-reply)
				require.Equal(t, uint64(1), l.Stats().Dialed)
			})
		}
	})
}

func TestDialRefused(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		closedAddr := ln.Addr().String()
		ln.Close()

		rec := newRecorder(t)
		rec.open = func(c *Conn) { t.Errorf("OnOpen for a refused dial") }
		l, _ := serve(t, rec, opt)
		dialed := make(chan *Conn, 1)
		require.NoError(t, l.Post(func() {
			c, err := l.Dial("tcp", closedAddr, time.Second)
			assert.NoError(t, err)
			dialed <- c
		}))
		ev := rec.nextClose(t)
		require.Equal(t, <-dialed, ev.c)
		require.ErrorIs(t, ev.err, syscall.ECONNREFUSED)
	})
}

// TestDialTimeout dials a listener whose accept queue is full and never
// drained: the kernel drops the SYN, the connect hangs, the timeout fires.
func TestDialTimeout(t *testing.T) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	require.NoError(t, err)
	defer unix.Close(fd)
	require.NoError(t, unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	require.NoError(t, unix.Listen(fd, 0))
	sa, err := unix.Getsockname(fd)
	require.NoError(t, err)
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*unix.SockaddrInet4).Port)
	for range 3 { // fill the accept queue (backlog 0 holds one)
		c, err := net.DialTimeout("tcp", addr, 50*time.Millisecond)
		if err != nil {
			break
		}
		defer c.Close()
	}

	rec := newRecorder(t)
	l, _ := serve(t, rec)
	require.NoError(t, l.Post(func() {
		_, err := l.Dial("tcp", addr, 50*time.Millisecond)
		assert.NoError(t, err)
	}))
	ev := rec.nextClose(t)
	require.ErrorIs(t, ev.err, ErrDialTimeout)
	require.ErrorIs(t, ev.err, os.ErrDeadlineExceeded)
}
