package reactor

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// shortTempDir returns a new directory with a short path, for unix socket
// names whose length the test controls; it is removed at cleanup.
func shortTempDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "rx")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// nameOfLen returns dir/prefix followed by x's, n bytes in all.
func nameOfLen(t *testing.T, dir, prefix string, n int) string {
	name := filepath.Join(dir, prefix)
	require.Less(t, len(name), n)
	return name + strings.Repeat("x", n-len(name))
}

// unixgramAt binds a unixgram socket at name, closed at cleanup.
func unixgramAt(t *testing.T, name string) *net.UnixConn {
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// readDatagram reads one datagram from c, with a deadline.
func readDatagram(t *testing.T, c *net.UnixConn) string {
	t.Helper()
	buf := make([]byte, 64)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
	n, err := c.Read(buf)
	require.NoError(t, err)
	return string(buf[:n])
}

// TestPacketUnixNameTooLong: a unixgram destination longer than a socket
// address holds is refused by WriteToUnix with an error wrapping EINVAL,
// and nothing is queued, instead of going, cut short, to another socket.
// The longest names that fit reach their sockets whole: a path one byte
// shorter than sun_path (its NUL takes the last byte, as for the net
// package and bind) and, on Linux, an abstract name filling sun_path (its
// '@' stands for the leading NUL).
func TestPacketUnixNameTooLong(t *testing.T) {
	packetModes(t, func(t *testing.T, batched bool, opts ...Option) {
		room := len(unix.RawSockaddrUnix{}.Path)
		dir := shortTempDir(t)
		fits := unixgramAt(t, nameOfLen(t, dir, "a", room-1))
		tooLong := nameOfLen(t, dir, "b", room)
		// Where tooLong went when it was cut to fit.
		decoy := unixgramAt(t, tooLong[:room-1])
		var abstract *net.UnixConn
		if runtime.GOOS == "linux" {
			abstract = unixgramAt(t, nameOfLen(t, "@"+filepath.Base(dir), "", room))
		}

		h := newPacketEcho(t)
		l, pc := servePacket(t, h, "unixgram", filepath.Join(dir, "s"), opts...)
		errs := make(chan error, 5)
		to := func(name string) *net.UnixAddr { return &net.UnixAddr{Name: name, Net: "unixgram"} }
		require.NoError(t, l.Post(func() {
			errs <- pc.WriteToUnix([]byte("cut"), to(tooLong))
			errs <- pc.WriteToUnix([]byte("cut"), to("@"+strings.Repeat("x", room)))
			if pc.Pending() != 0 {
				t.Errorf("%d datagrams queued after refusals", pc.Pending())
			}
			errs <- pc.WriteToUnix([]byte("whole"), to(fits.LocalAddr().String()))
			errs <- pc.WriteToUnix([]byte("first"), to(decoy.LocalAddr().String()))
			if abstract != nil {
				errs <- pc.WriteToUnix([]byte("abstract"), to(abstract.LocalAddr().String()))
			} else {
				errs <- nil
			}
		}))
		for i := range 2 {
			err := <-errs
			require.ErrorIs(t, err, unix.EINVAL, "name %d", i)
			require.ErrorContains(t, err, "WriteToUnix")
		}
		for range 3 {
			require.NoError(t, <-errs)
		}
		require.Equal(t, "whole", readDatagram(t, fits), "the longest path that fits")
		require.Equal(t, "first", readDatagram(t, decoy), "nothing reached the socket named by the cut name")
		if abstract != nil {
			require.Len(t, abstract.LocalAddr().String(), room)
			require.Equal(t, "abstract", readDatagram(t, abstract), "the longest abstract name")
		}
		require.Empty(t, h.errors())
		require.Zero(t, l.Stats().PacketsDropped)
	})
}

// loopbackInterface returns the machine's loopback interface.
func loopbackInterface(t *testing.T) net.Interface {
	ifs, err := net.Interfaces()
	require.NoError(t, err)
	for _, ifi := range ifs {
		if ifi.Flags&net.FlagLoopback != 0 {
			return ifi
		}
	}
	t.Fatal("no loopback interface")
	return net.Interface{}
}

// TestPacketZoneNoAllocation: a zoned IPv6 address costs no interface
// lookup per datagram: in steady state the loop allocates nothing to send
// to one (the replies go to ::1 with the loopback's zone, which the system
// accepts and ignores), nor to name the zone of a sender (a link-local
// source, made up: the loopback may have no link-local address).
func TestPacketZoneNoAllocation(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		lo := loopbackInterface(t)
		h := newPacketEcho(t)
		h.onPacket = func(pc *PacketConn, p *Packet) {
			to := netip.AddrPortFrom(p.From.Addr().WithZone(lo.Name), p.From.Port())
			if err := pc.WriteTo(p.Data, to); err != nil {
				t.Errorf("WriteTo %v: %v", to, err)
			}
		}
		l, pc := servePacket(t, h, "udp6", "[::1]:0", opt)
		c, err := net.DialUDP("udp6", nil, pc.LocalAddr().(*net.UDPAddr))
		require.NoError(t, err)
		defer c.Close()
		buf := make([]byte, 64)
		echo := func(n int) {
			for range n {
				_, err := c.Write(buf)
				require.NoError(t, err)
				require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
				_, err = c.Read(buf)
				require.NoError(t, err)
			}
		}
		echo(100) // warm up
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		const n = 2000
		echo(n)
		runtime.ReadMemStats(&after)
		perDatagram := float64(after.Mallocs-before.Mallocs) / n
		require.Less(t, perDatagram, 0.05, "allocations per datagram sent to a zoned address (whole process)")

		// The sender's zone, named by the read phase's source.
		type named struct {
			from   netip.AddrPort
			allocs float64
		}
		got := make(chan named, 1)
		require.NoError(t, l.Post(func() {
			from := netip.MustParseAddrPort("[fe80::1]:9")
			var p Packet
			p.From = l.withZone(from, uint32(lo.Index))
			allocs := testing.AllocsPerRun(1000, func() { p.From = l.withZone(from, uint32(lo.Index)) })
			got <- named{p.From, allocs}
		}))
		r := testkit.Receive(t, got, "the zone named")
		require.Equal(t, netip.MustParseAddrPort("[fe80::1%"+lo.Name+"]:9"), r.from)
		require.Zero(t, r.allocs, "allocations per sender's zone named")
	})
}

// TestPacketErrorNames: an error reaching OnPacketError names the system
// call that failed, the one actually made (recvmmsg or recvmsg, sendmmsg
// or sendmsg), and wraps the system's error: an ICMP refusal on a
// connected UDP socket comes from the receive call, a unixgram datagram to
// a name nothing is bound to fails in the send call.
func TestPacketErrorNames(t *testing.T) {
	packetModes(t, func(t *testing.T, batched bool, opts ...Option) {
		recvCall, sendCall := "recvmsg", "sendmsg"
		if batched && runtime.GOOS == "linux" {
			recvCall, sendCall = "recvmmsg", "sendmmsg"
		}
		// A port that nothing listens on: bound, then closed.
		probe, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		require.NoError(t, err)
		refused := probe.LocalAddr().String()
		probe.Close()
		dir := shortTempDir(t)

		h := newPacketEcho(t)
		l, pc := servePacket(t, h, "unixgram", filepath.Join(dir, "s"), opts...)
		errs := make(chan error, 2)
		require.NoError(t, l.Post(func() {
			c, err := l.DialPacket("udp4", refused)
			if err == nil {
				err = c.Write([]byte("anyone?"))
			}
			errs <- err
			errs <- pc.WriteToUnix([]byte("anyone?"), &net.UnixAddr{Name: filepath.Join(dir, "nobody"), Net: "unixgram"})
		}))
		require.NoError(t, <-errs)
		require.NoError(t, <-errs)
		var refusal, missing error
		testkit.WaitUntil(t, "both errors", func() bool {
			for _, err := range h.errors() {
				switch {
				case errors.Is(err, unix.ECONNREFUSED):
					refusal = err
				case errors.Is(err, unix.ENOENT):
					missing = err
				}
			}
			return refusal != nil && missing != nil
		})
		var se *os.SyscallError
		require.ErrorAs(t, refusal, &se)
		require.Equal(t, recvCall, se.Syscall, "%v", refusal)
		require.ErrorAs(t, missing, &se)
		require.Equal(t, sendCall, se.Syscall, "%v", missing)
		testkit.WaitUntil(t, "the counter", func() bool { return l.Stats().PacketErrors == 2 })
	})
}

// sendNeverRead sends n datagrams with send, from a peer that never reads.
func sendNeverRead(t *testing.T, n int, send func(p []byte) error) {
	for i := range n {
		require.NoError(t, send(datagram(i, 100)), "datagram %d", i)
	}
}

// readReplies sends n datagrams with send and reads their echoes from c,
// in order.
func readReplies(t *testing.T, c net.Conn, n int, send func(p []byte) error) {
	buf := make([]byte, 256)
	for i := range n {
		require.NoError(t, send(datagram(1000+i, 50)))
	}
	for i := range n {
		require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
		k, err := c.Read(buf)
		require.NoError(t, err, "reply %d of %d", i, n)
		require.Equal(t, datagram(1000+i, 50), buf[:k])
	}
}

// TestPacketPeerThatDoesNotRead: on a unixgram socket that is not
// connected, a peer that never reads loses its own replies, counted in
// Stats.PacketsDropped, and holds up no one else's: peer a sends 3,000
// datagrams and never reads, then peer b gets the replies to its 5. (The
// peers' sockets are bound, not connected: see PacketConn for a peer that
// connects to the server.)
func TestPacketPeerThatDoesNotRead(t *testing.T) {
	packetModes(t, func(t *testing.T, batched bool, opts ...Option) {
		dir := shortTempDir(t)
		server := &net.UnixAddr{Name: filepath.Join(dir, "s"), Net: "unixgram"}
		h := newPacketEcho(t)
		l, _ := servePacket(t, h, "unixgram", server.Name, opts...)
		sender := func(c *net.UnixConn) func([]byte) error {
			return func(p []byte) error {
				if err := c.SetWriteDeadline(time.Now().Add(testkit.Limit)); err != nil {
					return err
				}
				_, err := c.WriteToUnix(p, server)
				return err
			}
		}
		const sent = 3000
		a, b := unixgramAt(t, filepath.Join(dir, "a")), unixgramAt(t, filepath.Join(dir, "b"))
		sendNeverRead(t, sent, sender(a))
		readReplies(t, b, 5, sender(b))
		var st Stats
		testkit.WaitUntil(t, "every datagram answered or dropped", func() bool {
			st = l.Stats()
			return st.PacketsIn == sent+5 && st.PacketsOut+st.PacketsDropped == sent+5
		})
		t.Logf("a's replies: %d sent, %d dropped", st.PacketsOut-5, st.PacketsDropped)
		require.NotZero(t, st.PacketsDropped, "a's queue is full")
		require.Empty(t, h.errors())
	})
}

// TestUDPPeerThatDoesNotRead: the same over UDP, where the system takes a
// datagram for a peer that does not read and drops it there: b is answered
// and the loop drops nothing.
func TestUDPPeerThatDoesNotRead(t *testing.T) {
	packetModes(t, func(t *testing.T, batched bool, opts ...Option) {
		h := newPacketEcho(t)
		l, pc := servePacket(t, h, "udp4", "127.0.0.1:0", opts...)
		peer := func() *net.UDPConn {
			c, err := net.DialUDP("udp4", nil, pc.LocalAddr().(*net.UDPAddr))
			require.NoError(t, err)
			t.Cleanup(func() { c.Close() })
			return c
		}
		a, b := peer(), peer()
		sendNeverRead(t, 3000, func(p []byte) error { _, err := a.Write(p); return err })
		// What a sent is read (or was dropped by the system) before b
		// sends: b's datagrams find room.
		testkit.WaitUntil(t, "the server's input read", func() bool {
			pfd := []unix.PollFd{{Fd: int32(pc.Fd()), Events: unix.POLLIN}}
			n, err := unix.Poll(pfd, 0)
			return err == nil && n == 0
		})
		readReplies(t, b, 5, func(p []byte) error { _, err := b.Write(p); return err })
		st := l.Stats()
		testkit.WaitUntil(t, "every datagram answered", func() bool { st = l.Stats(); return st.PacketsOut == st.PacketsIn })
		require.Zero(t, st.PacketsDropped)
		require.Empty(t, h.errors())
	})
}

// TestPacketConnectedWaitsForPeer: on a connected unixgram socket
// (DialPacket), a peer whose queue is full makes the datagrams wait, with
// write interest, and none is lost: the system reports when that one peer
// has room.
func TestPacketConnectedWaitsForPeer(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("a unixgram peer with a full queue makes the sender wait (EAGAIN) on Linux; other systems refuse the datagram (ENOBUFS)")
	}
	packetModes(t, func(t *testing.T, batched bool, opts ...Option) {
		dir := shortTempDir(t)
		peer := unixgramAt(t, filepath.Join(dir, "p"))
		testkit.CheckLeaks(t)
		h := newPacketEcho(t)
		l, err := New(h, opts...)
		require.NoError(t, err)
		pc, err := l.DialPacket("unixgram", peer.LocalAddr().String())
		require.NoError(t, err)
		run(t, l)
		const n = 200
		require.NoError(t, l.Post(func() {
			for i := range n {
				assert.NoError(t, pc.Write(datagram(i, 100)))
			}
		}))
		testkit.WaitUntil(t, "the peer's queue to be full", func() bool { return l.Stats().WriteWaits > 0 })
		buf := make([]byte, 256)
		for i := range n {
			require.NoError(t, peer.SetReadDeadline(time.Now().Add(5*time.Second)))
			k, err := peer.Read(buf)
			require.NoError(t, err, "datagram %d", i)
			require.Equal(t, datagram(i, 100), buf[:k], "datagram %d", i)
		}
		require.Zero(t, l.Stats().PacketsDropped)
	})
}
