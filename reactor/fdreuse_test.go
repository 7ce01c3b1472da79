package reactor

import (
	"net"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// TestFDReuse: a readiness report collected in a pass for an fd that a
// callback of the same pass closes never reaches the next owner of the fd's
// number, whatever owned it: a connection, a listener, a packet socket, a
// TLS connection whose handshake is in flight. Packet socket A and the
// owner B are made readable while the loop is held, so that one wait
// reports both, A first; A's OnPacket closes B and at once dials a
// listener whose backlog is full, so that the connect stays in progress and
// the new connection D would get B's number if it were free. A report of B
// reaching D would make D's connect look finished: OnOpen before the
// connection exists.
//
// A listener closes only when shutdown begins (beginShutdown, which runs
// before the wait, when no report is outstanding) or when the loop ends;
// the test closes one from inside the read phase with fdOwner.stop, the
// call beginShutdown makes, which is what a Close of a listener would do.
func TestFDReuse(t *testing.T) {
	for _, kind := range []string{"conn", "listener", "packet", "tls-handshake"} {
		t.Run(kind, func(t *testing.T) {
			pollers(t, func(t *testing.T, opt Option) { testFDReuse(t, kind, opt) })
		})
	}
}

// fdReuseOutcome is what A's OnPacket found and did, as of the pass after.
type fdReuseOutcome struct {
	bAhead    bool     // B's report of the pass was still to come
	bFD, dFD  int      // B's number and D's
	opened    bool     // OnOpen ran for D
	remote    net.Addr // D's RemoteAddr in that OnOpen
	closed    bool     // OnClose ran for D
	stillDial bool     // D is still connecting
}

func testFDReuse(t *testing.T, kind string, opt Option) {
	testkit.CheckLeaks(t)
	_, stuck := fullBacklog(t)
	h := newPacketEcho(t)
	l, err := New(h, opt, WithLogger(discardLogger()))
	require.NoError(t, err)
	a, err := l.ListenPacket("udp4", "127.0.0.1:0") // first, so that poll(2) reports it first too
	require.NoError(t, err)

	// B's part is set by this goroutine before the gate's Post hands it
	// to the loop; d, out and fired are the loop goroutine's own.
	var (
		bfd        int
		closeB     func() error
		bStillOpen func() bool // B is what the case says, its report not yet handled
		accepted   = make(chan *Conn, 1)
		d          *Conn
		out        fdReuseOutcome
		fired      bool
		done       = make(chan fdReuseOutcome, 1)
	)
	h.open = func(c *Conn) {
		if c == d {
			out.opened, out.remote = true, c.RemoteAddr()
			return
		}
		accepted <- c
	}
	h.onPacket = func(pc *PacketConn, p *Packet) {
		if pc != a || fired {
			return
		}
		fired = true
		ia, ib := slices.Index(l.ready.Read, a.Fd()), slices.Index(l.ready.Read, bfd)
		out.bAhead = ia >= 0 && ib > ia && bStillOpen()
		out.bFD = bfd
		assert.NoError(t, closeB())
		var err error
		d, err = l.Dial("tcp", stuck, 0)
		if !assert.NoError(t, err) {
			return
		}
		out.dFD = d.Fd()
		// Posted from the read phase, this runs in the next pass: after
		// every report of this one was handed out.
		assert.NoError(t, l.Post(func() {
			h.mu.Lock()
			_, out.closed = h.closes[d]
			h.mu.Unlock()
			out.stillDial = d.state == stConnecting
			done <- out
		}))
	}

	// B, and how to make it readable.
	var makeReady func()
	switch kind {
	case "packet":
		b, err := l.ListenPacket("udp4", "127.0.0.1:0")
		require.NoError(t, err)
		bfd = b.Fd()
		makeReady = func() { sendUDP(t, b.LocalAddr()) }
		closeB = b.Close
		bStillOpen = func() bool { return !b.closed }
		run(t, l)
	case "listener":
		addr, err := l.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		bfd = listenerFD(t, l, addr)
		makeReady = func() { dial(t, "tcp", addr.String()) } // accepted by the kernel, not yet by the loop
		closeB = func() error { l.fds[bfd].stop(); return nil }
		bStillOpen = func() bool { ln, ok := l.fds[bfd].(*listener); return ok && !ln.closed }
		run(t, l)
	case "conn":
		addr, err := l.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		run(t, l)
		client := dial(t, "tcp", addr.String())
		var b *Conn
		select {
		case b = <-accepted:
		case <-time.After(testkit.Limit):
			t.Fatal("no OnOpen")
		}
		bfd = b.Fd()
		makeReady = func() { _, err := client.Write([]byte("x")); require.NoError(t, err) }
		closeB = b.Close
		bStillOpen = func() bool { return b.state == stOpen }
	case "tls-handshake":
		srv, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		t.Cleanup(func() { srv.Close() })
		b, err := l.DialTLS("tcp", srv.Addr().String(), testkit.ClientTLS(t), 0)
		require.NoError(t, err)
		run(t, l)
		require.NoError(t, srv.(*net.TCPListener).SetDeadline(time.Now().Add(testkit.Limit)))
		peer, err := srv.Accept()
		require.NoError(t, err)
		t.Cleanup(func() { peer.Close() })
		require.NoError(t, peer.SetDeadline(time.Now().Add(testkit.Limit)))
		// The ClientHello has come: the handshake goroutine waits for the
		// server's answer.
		_, err = peer.Read(make([]byte, 1))
		require.NoError(t, err)
		bfd = b.Fd()
		makeReady = func() { _, err := peer.Write([]byte{0x16}); require.NoError(t, err) } // a record begins
		closeB = b.Close
		bStillOpen = func() bool { return b.state == stHandshake }
	}

	// Hold the loop while A, then B, become readable.
	gate, held := make(chan struct{}), make(chan struct{})
	require.NoError(t, l.Post(func() { close(held); <-gate }))
	<-held
	sendUDP(t, a.LocalAddr())
	waitReadable(t, a.Fd())
	makeReady()
	waitReadable(t, bfd)
	close(gate)

	var got fdReuseOutcome
	select {
	case got = <-done:
	case <-time.After(testkit.Limit):
		t.Fatal("no OnPacket")
	}
	require.True(t, got.bAhead, "B's report must come after A's in the pass, or the test proves nothing")
	t.Logf("B's fd %d; D's fd %d", got.bFD, got.dFD)
	require.False(t, got.opened, "OnOpen ran for a connection still connecting (RemoteAddr %v): fd %d's report reached its next owner", got.remote, got.bFD)
	require.False(t, got.closed, "OnClose ran for a connection still connecting: fd %d's report reached its next owner", got.bFD)
	require.True(t, got.stillDial, "the connect is still in progress")
}

// fullBacklog returns a listener whose accept queue (backlog 0) is full:
// a connect to it stays in progress (its SYN dropped, retried after 1 s,
// 3 s...) until the test accepts the filler connection.
func fullBacklog(t *testing.T) (net.Listener, string) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	require.NoError(t, err)
	unix.CloseOnExec(fd)
	require.NoError(t, unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	require.NoError(t, unix.Listen(fd, 0))
	f := os.NewFile(uintptr(fd), "listener")
	ln, err := net.FileListener(f)
	f.Close()
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	addr := ln.Addr().String()
	dial(t, "tcp", addr) // the filler
	return ln, addr
}

// listenerFD returns the fd of l's listener on addr; before Run only.
func listenerFD(t *testing.T, l *Loop, addr net.Addr) int {
	for fd, o := range l.fds {
		if ln, ok := o.(*listener); ok && ln.addr.String() == addr.String() {
			return fd
		}
	}
	t.Fatalf("no listener on %v", addr)
	return -1
}

// sendUDP sends one datagram to addr from a socket of its own.
func sendUDP(t *testing.T, addr net.Addr) {
	c, err := net.DialUDP("udp4", nil, addr.(*net.UDPAddr))
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write([]byte("x"))
	require.NoError(t, err)
}

// waitReadable waits until fd, which the loop owns, has something to read.
// poll(2) only looks: nothing is taken.
func waitReadable(t *testing.T, fd int) {
	t.Helper()
	deadline := time.Now().Add(testkit.Limit)
	for {
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(pfd, int(time.Until(deadline)/time.Millisecond))
		if err == unix.EINTR {
			continue
		}
		require.NoError(t, err)
		require.Equal(t, 1, n, "fd %d did not become readable", fd)
		return
	}
}
