package reactor

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCloseWhileConnectingWaitsForConnect: Dial with a 10 s timeout, Write,
// Close before the connect has finished. The close-stall bound (linger, at
// least 1 s) does not run while the socket is still connecting: when the
// server is slow to complete the handshake (full accept queue, a dropped
// SYN retried after 1 s, 3 s...) the connection is not dropped after 1 s;
// once the server accepts, within the 10 s the Dial allowed, it gets the
// written bytes and then FIN, and OnClose reports nil.
func TestCloseWhileConnectingWaitsForConnect(t *testing.T) {
	ln, addr := fullBacklog(t)
	rec := newRecorder(t)
	l, err := New(rec, WithLinger(time.Millisecond)) // close stall: 1 s
	require.NoError(t, err)
	run(t, l)
	require.NoError(t, l.Post(func() {
		c, err := l.Dial("tcp", addr, 10*time.Second)
		if !assert.NoError(t, err) {
			return
		}
		c.WriteString("hello")
		c.Close()
	}))
	time.Sleep(1500 * time.Millisecond) // past the 1 s close stall, the connect still pending
	got, err := acceptAfterFiller(t, ln)
	ev := rec.nextClose(t)
	require.NoError(t, err, "the dialed connection never reached the server; OnClose reported %v", ev.err)
	require.Equal(t, "hello", got)
	require.NoError(t, ev.err)
}

// TestWriteTimeoutWhileConnecting: the same with a write timeout set on the
// dialed connection before it connected (SetWriteTimeout right after Dial,
// then Write). The write-idle clock does not run while the connect is in
// progress, as the read-idle clock and the close stall do not: the
// connection is not closed with ErrWriteTimeout before it ever connected;
// once the server accepts, within the 10 s the Dial allowed, it gets the
// written bytes.
func TestWriteTimeoutWhileConnecting(t *testing.T) {
	ln, addr := fullBacklog(t)
	rec := newRecorder(t)
	rec.open = func(c *Conn) { c.Close() } // connected: "hello" has left
	l, err := New(rec)
	require.NoError(t, err)
	run(t, l)
	require.NoError(t, l.Post(func() {
		c, err := l.Dial("tcp", addr, 10*time.Second)
		if !assert.NoError(t, err) {
			return
		}
		c.SetWriteTimeout(time.Second)
		c.WriteString("hello")
	}))
	time.Sleep(1500 * time.Millisecond) // past the 1 s close stall, the connect still pending
	got, err := acceptAfterFiller(t, ln)
	ev := rec.nextClose(t)
	require.NoError(t, err, "the dialed connection never reached the server; OnClose reported %v", ev.err)
	require.Equal(t, "hello", got)
	require.NoError(t, ev.err)
}

// acceptAfterFiller accepts (and closes) the filler, then waits up to 8 s
// for the loop's connection and returns what it sends before EOF.
func acceptAfterFiller(t *testing.T, ln net.Listener) (string, error) {
	first, err := ln.Accept()
	require.NoError(t, err)
	first.Close()
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(8 * time.Second))
	sc, err := ln.Accept()
	if err != nil {
		return "", err
	}
	defer sc.Close()
	sc.SetDeadline(time.Now().Add(5 * time.Second))
	got, err := io.ReadAll(sc)
	return string(got), err
}
