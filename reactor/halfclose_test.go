package reactor

// Regression tests for a second read of the dial, half-close and timeout
// paths: each failed before its fix.

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// CloseWrite before the connect finishes, with nothing queued: FIN is never sent.
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

// SetReadTimeout on a dialed conn before OnOpen is never enforced.
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

// Close with output pending, then the peer's FIN: read interest must go, or
// the loop spins on a 0-byte read every pass.
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
	waitUntil(t, "output blocked", func() bool { return l.Stats().WriteWaits > 0 })
	cc.(*net.TCPConn).CloseWrite()
	waitUntil(t, "the FIN read", func() bool { return l.Stats().Reads > 0 })
	before := l.Stats().Reads
	time.Sleep(300 * time.Millisecond) // observing that the loop stays idle
	after := l.Stats().Reads
	io.Copy(io.Discard, cc)
	t.Logf("server reads in 300ms while idle: %d", after-before)
	require.Less(t, after-before, uint64(10), "busy loop: read(2) returning 0 repeatedly")
}

// A SetReadTimeout made between Dial and OnOpen is overwritten by the loop default.
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

// Close while a read timeout is set: the linger wait for FIN ends in ErrReadTimeout, not nil.
func TestCloseReasonNotReadTimeout(t *testing.T) {
	r := newRecorder(t)
	r.open = func(c *Conn) { c.Close() }
	_, addr := serve(t, r, WithReadTimeout(100*time.Millisecond), WithLinger(time.Second))
	cc := dial(t, "tcp", addr)
	defer cc.Close()
	ev := r.nextClose(t)
	require.NoError(t, ev.err, "Close must report nil")
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

// TestOneLargeWritePauses: a single write past the high watermark pauses
// reading, like several smaller ones.
func TestOneLargeWritePauses(t *testing.T) {
	rec := newRecorder(t)
	rec.open = func(c *Conn) {
		// A small send buffer, so that most of the write stays queued.
		assert.NoError(t, unix.SetsockoptInt(c.Fd(), unix.SOL_SOCKET, unix.SO_SNDBUF, 16<<10))
	}
	rec.data = func(c *Conn) {
		c.Next(0)
		c.Write(payload(2 << 20))
	}
	l, addr := serve(t, rec)
	c := dial(t, "tcp", addr)
	_, err := c.Write([]byte("go"))
	require.NoError(t, err)
	waitUntil(t, "reading paused", func() bool { return l.Stats().ReadPauses == 1 })
}
