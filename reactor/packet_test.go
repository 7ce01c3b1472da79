package reactor

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/sock"
	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// withPacketEach makes the loop move one datagram per system call, as on
// systems without recvmmsg and sendmmsg; for tests only.
func withPacketEach() Option {
	return func(c *config) error {
		c.packetEach = true
		return nil
	}
}

// packetModes runs f on both pollers, with batched I/O and with one system
// call per datagram (the path of systems without recvmmsg).
func packetModes(t *testing.T, f func(t *testing.T, batched bool, opts ...Option)) {
	pollers(t, func(t *testing.T, opt Option) {
		t.Run("batch", func(t *testing.T) { f(t, true, opt) })
		t.Run("each", func(t *testing.T) { f(t, false, opt, withPacketEach()) })
	})
}

// packetEcho is a PacketHandler that echoes every datagram to its sender,
// or does what onPacket says.
type packetEcho struct {
	*recorder
	onPacket func(pc *PacketConn, p *Packet)
	mu       sync.Mutex
	errs     []error
}

func newPacketEcho(t *testing.T) *packetEcho {
	return &packetEcho{recorder: newRecorder(t)}
}

func (h *packetEcho) OnPacket(pc *PacketConn, p *Packet) {
	if h.onPacket != nil {
		h.onPacket(pc, p)
		return
	}
	if err := pc.Reply(p, p.Data); err != nil {
		h.t.Errorf("Reply: %v", err)
	}
}

func (h *packetEcho) OnPacketError(pc *PacketConn, err error) {
	h.mu.Lock()
	h.errs = append(h.errs, err)
	h.mu.Unlock()
}

func (h *packetEcho) errors() []error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]error(nil), h.errs...)
}

// servePacket starts a loop with h serving a packet socket on network and
// address; at cleanup it stops the loop and checks for leaks.
func servePacket(t *testing.T, h Handler, network, address string, opts ...Option) (*Loop, *PacketConn) {
	t.Helper()
	testkit.CheckLeaks(t)
	l, err := New(h, opts...)
	require.NoError(t, err)
	pc, err := l.ListenPacket(network, address)
	require.NoError(t, err)
	run(t, l)
	return l, pc
}

// datagram i of a sequence: its number, then a pattern, size bytes in all
// (the number is cut short in datagrams under 4 bytes).
func datagram(i, size int) []byte {
	p := make([]byte, size)
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(i))
	copy(p, n[:])
	for j := 4; j < size; j++ {
		p[j] = byte(i + j*7)
	}
	return p
}

// TestUDPEchoAllSizes: 10,000 datagrams of sizes from 1 to 65,507 bytes
// come back byte for byte, none lost, none merged or split. The client
// keeps a bounded window in flight, a rate the loopback carries without
// dropping.
func TestUDPEchoAllSizes(t *testing.T) {
	packetModes(t, func(t *testing.T, batched bool, opts ...Option) {
		h := newPacketEcho(t)
		l, pc := servePacket(t, h, "udp4", "127.0.0.1:0", opts...)
		c, err := net.DialUDP("udp4", nil, pc.LocalAddr().(*net.UDPAddr))
		require.NoError(t, err)
		defer c.Close()
		c.SetReadBuffer(4 << 20)
		const total, window, windowBytes = 10000, 8, 160 << 10
		size := func(i int) int {
			switch i {
			case 0:
				return 1
			case 1:
				return maxUDPPayload
			}
			return 1 + (i*7919)%maxUDPPayload
		}
		buf := make([]byte, 1<<16)
		sent, got, inflight := 0, 0, 0
		for got < total {
			for sent < total && sent-got < window && inflight+size(sent) <= windowBytes || sent == got && sent < total {
				_, err := c.Write(datagram(sent, size(sent)))
				require.NoError(t, err)
				inflight += size(sent)
				sent++
			}
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, err := c.Read(buf)
			require.NoError(t, err, "datagram %d lost (sent %d)", got, sent)
			require.Equal(t, datagram(got, size(got)), buf[:n], "datagram %d", got)
			inflight -= size(got)
			got++
		}
		st := l.Stats()
		testkit.WaitUntil(t, "the counters", func() bool { st = l.Stats(); return st.PacketsOut == total })
		require.EqualValues(t, total, st.PacketsIn)
		require.Zero(t, st.PacketsTruncated)
		require.Zero(t, st.PacketsDropped)
		if !batched {
			require.GreaterOrEqual(t, st.PacketReads, st.PacketsIn, "one receive call per datagram")
		}
	})
}

// TestPacketBatching: datagrams waiting when the loop starts are taken a
// batch per system call, and the replies of a pass leave in batches too.
func TestPacketBatching(t *testing.T) {
	packetModes(t, func(t *testing.T, batched bool, opts ...Option) {
		testkit.CheckLeaks(t)
		h := newPacketEcho(t)
		l, err := New(h, opts...)
		require.NoError(t, err)
		pc, err := l.ListenPacket("udp4", "127.0.0.1:0")
		require.NoError(t, err)
		c, err := net.DialUDP("udp4", nil, pc.LocalAddr().(*net.UDPAddr))
		require.NoError(t, err)
		defer c.Close()
		const n = 100 // fits the socket buffers: nothing is dropped
		for i := range n {
			_, err := c.Write(datagram(i, 64))
			require.NoError(t, err)
		}
		run(t, l)
		buf := make([]byte, 128)
		for i := range n {
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			k, err := c.Read(buf)
			require.NoError(t, err)
			require.Equal(t, datagram(i, 64), buf[:k])
		}
		var st Stats
		testkit.WaitUntil(t, "the counters", func() bool { st = l.Stats(); return st.PacketsOut == n })
		if batched && runtime.GOOS == "linux" {
			require.LessOrEqual(t, st.PacketReads, uint64(4), "recvmmsg takes up to %d at once", sock.BatchSize)
			require.LessOrEqual(t, st.PacketWrites, uint64(4), "sendmmsg sends up to %d at once", sock.BatchSize)
		} else {
			require.GreaterOrEqual(t, st.PacketReads, uint64(n))
			require.GreaterOrEqual(t, st.PacketWrites, uint64(n))
		}
		t.Logf("%d datagrams: %d receive calls, %d send calls", n, st.PacketReads, st.PacketWrites)
	})
}

// unixgramPair returns a bound unixgram client socket in a temporary
// directory and the path for a server.
func unixgramClient(t *testing.T) (*net.UnixConn, string) {
	dir := t.TempDir()
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: filepath.Join(dir, "client"), Net: "unixgram"})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c, filepath.Join(dir, "server")
}

// TestPacketQueueWaitsForRoom: a peer that does not read fills the
// socket's send buffer (a unixgram peer's queue: on loopback UDP, the
// kernel never makes a sender wait); the datagrams queue on the loop, and
// leave in order once the peer reads.
func TestPacketQueueWaitsForRoom(t *testing.T) {
	packetModes(t, func(t *testing.T, batched bool, opts ...Option) {
		c, path := unixgramClient(t)
		const n = 500
		h := newPacketEcho(t)
		h.onPacket = func(pc *PacketConn, p *Packet) {
			for i := range n {
				require.NoError(t, pc.Reply(p, datagram(i, 1000)))
			}
		}
		l, pc := servePacket(t, h, "unixgram", path, opts...)
		unix.SetsockoptInt(pc.Fd(), unix.SOL_SOCKET, unix.SO_SNDBUF, 1) // the smallest the system allows
		_, err := c.WriteToUnix([]byte("go"), &net.UnixAddr{Name: path, Net: "unixgram"})
		require.NoError(t, err)
		testkit.WaitUntil(t, "the socket to be full", func() bool { return l.Stats().WriteWaits > 0 })
		buf := make([]byte, 2000)
		for i := range n {
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			k, err := c.Read(buf)
			require.NoError(t, err, "datagram %d", i)
			require.Equal(t, datagram(i, 1000), buf[:k], "datagram %d", i)
		}
		require.Zero(t, l.Stats().PacketsDropped)
	})
}

// TestPacketQueueBound: past WithPacketQueue, a send is refused with
// ErrOutputFull and counted, and nothing else is lost.
func TestPacketQueueBound(t *testing.T) {
	packetModes(t, func(t *testing.T, batched bool, opts ...Option) {
		c, path := unixgramClient(t)
		const n, queue = 300, 8
		refused := make(chan int, 1)
		h := newPacketEcho(t)
		h.onPacket = func(pc *PacketConn, p *Packet) {
			k := 0
			for i := range n {
				err := pc.Reply(p, datagram(i, 100))
				if err != nil {
					require.ErrorIs(t, err, ErrOutputFull)
					k++
				}
			}
			refused <- k
		}
		opts = append(opts, WithPacketQueue(queue, 1<<20))
		l, pc := servePacket(t, h, "unixgram", path, opts...)
		unix.SetsockoptInt(pc.Fd(), unix.SOL_SOCKET, unix.SO_SNDBUF, 1)
		_, err := c.WriteToUnix([]byte("go"), &net.UnixAddr{Name: path, Net: "unixgram"})
		require.NoError(t, err)
		k := <-refused
		require.Equal(t, n-queue, k, "all but the queue's worth are refused: none leave during OnPacket")
		testkit.WaitUntil(t, "the counter", func() bool { return l.Stats().PacketsDropped == uint64(k) })
		buf := make([]byte, 200)
		for i := range queue {
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			m, err := c.Read(buf)
			require.NoError(t, err)
			require.Equal(t, datagram(i, 100), buf[:m], "the queued ones leave, in order")
		}
	})
}

// TestPacketTruncated: a datagram larger than the read buffer is reported
// as truncated, without its bytes, and the next one is whole.
func TestPacketTruncated(t *testing.T) {
	packetModes(t, func(t *testing.T, batched bool, opts ...Option) {
		type seen struct {
			n         int
			truncated bool
		}
		got := make(chan seen, 10)
		h := newPacketEcho(t)
		h.onPacket = func(pc *PacketConn, p *Packet) { got <- seen{len(p.Data), p.Truncated} }
		l, pc := servePacket(t, h, "udp4", "127.0.0.1:0", append(opts, WithReadBufferSize(1024))...)
		c, err := net.DialUDP("udp4", nil, pc.LocalAddr().(*net.UDPAddr))
		require.NoError(t, err)
		defer c.Close()
		for _, n := range []int{2000, 1024, 10} {
			_, err := c.Write(datagram(0, n))
			require.NoError(t, err)
			select {
			case s := <-got:
				if n > 1024 {
					require.Equal(t, seen{0, true}, s)
				} else {
					require.Equal(t, seen{n, false}, s)
				}
			case <-time.After(testkit.Limit):
				t.Fatal("no OnPacket")
			}
		}
		testkit.WaitUntil(t, "the counter", func() bool { return l.Stats().PacketsTruncated == 1 })
	})
}

// TestPacketNetworks: IPv6 and unixgram echo, and a client on a loop
// (DialPacket) for each.
func TestPacketNetworks(t *testing.T) {
	for _, tc := range []struct{ network, address string }{
		{"udp6", "[::1]:0"},
		{"udp", "127.0.0.1:0"},
		{"unixgram", ""},
	} {
		t.Run(tc.network, func(t *testing.T) {
			packetModes(t, func(t *testing.T, batched bool, opts ...Option) {
				address := tc.address
				if tc.network == "unixgram" {
					address = filepath.Join(t.TempDir(), "server")
				}
				h := newPacketEcho(t)
				l, pc := servePacket(t, h, tc.network, address, opts...)
				if tc.network == "udp6" {
					_, ok := pc.LocalAddr().(*net.UDPAddr)
					require.True(t, ok)
				}
				// A client on a second loop.
				replies := make(chan []byte, 100)
				ch := newPacketEcho(t)
				ch.onPacket = func(pc *PacketConn, p *Packet) { replies <- append([]byte(nil), p.Data...) }
				cl, err := New(ch, opts...)
				require.NoError(t, err)
				client, err := cl.DialPacket(tc.network, pc.LocalAddr().String())
				require.NoError(t, err)
				run(t, cl)
				for i := range 50 {
					require.NoError(t, cl.Post(func() { require.NoError(t, client.Write(datagram(i, 1+i*100))) }))
					select {
					case p := <-replies:
						require.Equal(t, datagram(i, 1+i*100), p)
					case <-time.After(testkit.Limit):
						t.Fatal("no reply")
					}
				}
				testkit.WaitUntil(t, "the counter", func() bool { return l.Stats().PacketsIn == 50 })
			})
		})
	}
}

// TestDialPacketRefused: on a connected UDP socket, the ICMP error of a
// datagram sent where nothing listens reaches OnPacketError.
func TestDialPacketRefused(t *testing.T) {
	packetModes(t, func(t *testing.T, batched bool, opts ...Option) {
		// A port that nothing listens on: bound, then closed.
		probe, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		require.NoError(t, err)
		addr := probe.LocalAddr().String()
		probe.Close()
		h := newPacketEcho(t)
		testkit.CheckLeaks(t)
		l, err := New(h, opts...)
		require.NoError(t, err)
		pc, err := l.DialPacket("udp4", addr)
		require.NoError(t, err)
		run(t, l)
		require.NoError(t, l.Post(func() { pc.Write([]byte("anyone?")) }))
		testkit.WaitUntil(t, "ECONNREFUSED", func() bool {
			for _, err := range h.errors() {
				if errors.Is(err, unix.ECONNREFUSED) {
					return true
				}
			}
			return false
		})
	})
}

// TestPacketClose: Close releases the socket and its file, later calls
// return ErrClosed, and the loop's end closes the sockets left open
// (checkLeaks, at cleanup, counts the fds).
func TestPacketClose(t *testing.T) {
	packetModes(t, func(t *testing.T, batched bool, opts ...Option) {
		path := filepath.Join(t.TempDir(), "server")
		h := newPacketEcho(t)
		l, pc := servePacket(t, h, "unixgram", path, opts...)
		_, err := os.Stat(path)
		require.NoError(t, err)
		done := make(chan error, 3)
		require.NoError(t, l.Post(func() {
			done <- pc.Close()
			done <- pc.Close()
			done <- pc.WriteToUnix([]byte("x"), &net.UnixAddr{Name: path, Net: "unixgram"})
		}))
		require.NoError(t, <-done)
		require.ErrorIs(t, <-done, ErrClosed)
		require.ErrorIs(t, <-done, ErrClosed)
		_, err = os.Stat(path)
		require.ErrorIs(t, err, os.ErrNotExist, "the socket file is removed")
		// One more left open for the loop's end to close.
		require.NoError(t, l.Post(func() {
			_, err := l.ListenPacket("udp", "127.0.0.1:0")
			done <- err
		}))
		require.NoError(t, <-done)
	})
}

// TestPacketErrors: the API refuses what cannot be a datagram or has no
// destination, and a Handler without OnPacket cannot open a packet socket.
func TestPacketErrors(t *testing.T) {
	l, err := New(newRecorder(t))
	require.NoError(t, err)
	_, err = l.ListenPacket("udp", "127.0.0.1:0")
	require.ErrorContains(t, err, "PacketHandler")
	_, err = l.Listen("udp", "127.0.0.1:0")
	require.ErrorIs(t, err, ErrNetwork)
	_, err = l.Dial("unixgram", "/nonexistent", 0)
	require.ErrorIs(t, err, ErrNetwork)
	l.Stop()
	l.Run(context.Background())

	h := newPacketEcho(t)
	l, pc := servePacket(t, h, "udp4", "127.0.0.1:0")
	errs := make(chan error, 4)
	require.NoError(t, l.Post(func() {
		errs <- pc.WriteTo(make([]byte, maxUDPPayload+1), netip.MustParseAddrPort("127.0.0.1:9"))
		errs <- pc.WriteTo([]byte("x"), netip.AddrPort{})
		errs <- pc.WriteTo([]byte("x"), netip.MustParseAddrPort("[::1]:9"))
		errs <- pc.Write([]byte("x"))
	}))
	require.ErrorIs(t, <-errs, unix.EMSGSIZE)
	require.ErrorIs(t, <-errs, unix.EINVAL)
	require.ErrorIs(t, <-errs, unix.EAFNOSUPPORT)
	require.ErrorIs(t, <-errs, unix.EDESTADDRREQ)
}

// TestGroupListenPacket: a group serves UDP on every loop (where the
// system spreads datagrams by source), and every sender is answered.
func TestGroupListenPacket(t *testing.T) {
	testkit.CheckLeaks(t)
	g, err := NewGroup(func(int) Handler { return newPacketEcho(t) }, WithLoops(2))
	require.NoError(t, err)
	pcs, err := g.ListenPacket("udp4", "127.0.0.1:0")
	require.NoError(t, err)
	runGroup(t, g)
	const clients = 20
	for i := range clients {
		c, err := net.DialUDP("udp4", nil, pcs[0].LocalAddr().(*net.UDPAddr))
		require.NoError(t, err)
		_, err = c.Write(datagram(i, 32))
		require.NoError(t, err)
		buf := make([]byte, 64)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := c.Read(buf)
		require.NoError(t, err)
		require.Equal(t, datagram(i, 32), buf[:n])
		c.Close()
	}
	// The counters are published at the end of a pass, maybe after the reply.
	testkit.WaitUntil(t, "the counters", func() bool { sum, _ := g.Stats(); return sum.PacketsIn == clients })
	_, each := g.Stats()
	if sock.ReusePortBalances {
		require.NotNil(t, pcs[1])
		t.Logf("datagrams per loop: %d, %d", each[0].PacketsIn, each[1].PacketsIn)
	}
}

// TestPacketNoAllocation: in steady state the loop allocates nothing per
// datagram, received or sent (the client, net.UDPConn with AddrPort
// calls, allocates nothing either).
func TestPacketNoAllocation(t *testing.T) {
	h := newPacketEcho(t)
	_, pc := servePacket(t, h, "udp4", "127.0.0.1:0")
	c, err := net.DialUDP("udp4", nil, pc.LocalAddr().(*net.UDPAddr))
	require.NoError(t, err)
	defer c.Close()
	buf := make([]byte, 64)
	echo := func(n int) {
		for range n {
			_, err := c.Write(buf)
			require.NoError(t, err)
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			_, err = c.Read(buf)
			require.NoError(t, err)
		}
	}
	echo(1000) // warm up: the queue's arrays grow once
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const n = 5000
	echo(n)
	runtime.ReadMemStats(&after)
	perDatagram := float64(after.Mallocs-before.Mallocs) / n
	require.Less(t, perDatagram, 0.05, "allocations per datagram echoed (whole process)")
}
