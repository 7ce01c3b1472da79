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

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

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
				testkit.CheckLeaks(t)
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

// TestCloseBeforeConnect: Close on a dialed connection before it connects
// ends it with OnClose(nil) and no OnOpen.
func TestCloseBeforeConnect(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	r := newRecorder(t)
	r.open = func(c *Conn) { t.Error("OnOpen after Close") }
	l, err := New(r)
	require.NoError(t, err)
	run(t, l)
	require.NoError(t, l.Post(func() {
		c, err := l.Dial("tcp", ln.Addr().String(), 0)
		if assert.NoError(t, err) {
			assert.NoError(t, c.Close())
		}
	}))
	require.NoError(t, r.nextClose(t).err)
}

// TestCloseWriteBeforeConnect: CloseWrite on a dialed connection before it
// connects, with nothing queued, sends FIN once it has connected.
func TestCloseWriteBeforeConnect(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	r := newRecorder(t)
	l, err := New(r)
	require.NoError(t, err)
	run(t, l)
	require.NoError(t, l.Post(func() {
		c, err := l.Dial("tcp", ln.Addr().String(), 0)
		if err != nil {
			t.Error(err)
			return
		}
		if err := c.CloseWrite(); err != nil {
			t.Error(err)
		}
	}))
	sc, err := ln.Accept()
	require.NoError(t, err)
	defer sc.Close()
	sc.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, err = sc.Read(make([]byte, 1))
	require.ErrorIs(t, err, io.EOF, "peer never got FIN after CloseWrite before connect")
}

// TestReadTimeoutOnDialed: a read timeout set on a dialed connection before
// OnOpen is enforced once it has connected.
func TestReadTimeoutOnDialed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	r := newRecorder(t)
	l, err := New(r)
	require.NoError(t, err)
	run(t, l)
	require.NoError(t, l.Post(func() {
		c, err := l.Dial("tcp", ln.Addr().String(), 0)
		if err != nil {
			t.Error(err)
			return
		}
		c.SetReadTimeout(100 * time.Millisecond)
	}))
	sc, err := ln.Accept()
	require.NoError(t, err)
	defer sc.Close()
	select {
	case ev := <-r.closed:
		require.ErrorIs(t, ev.err, ErrReadTimeout)
	case <-time.After(2 * time.Second):
		t.Fatal("read timeout of 100ms never fired on dialed connection")
	}
}

// TestDialedTimeoutNotOverwritten: a SetReadTimeout made between Dial and
// OnOpen is kept, not overwritten by the loop's default (WithReadTimeout).
func TestDialedTimeoutNotOverwritten(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	r := newRecorder(t)
	l, err := New(r, WithReadTimeout(100*time.Millisecond))
	require.NoError(t, err)
	run(t, l)
	require.NoError(t, l.Post(func() {
		c, _ := l.Dial("tcp", ln.Addr().String(), 0)
		c.SetReadTimeout(0) // off for this connection
	}))
	sc, err := ln.Accept()
	require.NoError(t, err)
	defer sc.Close()
	select {
	case ev := <-r.closed:
		t.Fatalf("closed with %v although its read timeout was turned off", ev.err)
	case <-time.After(500 * time.Millisecond):
	}
}
