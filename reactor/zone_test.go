package reactor

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// countZoneLookups makes l count in *n the interface lookups its zone cache
// makes (zone.go); a test seam. Call it before Run.
func (l *Loop) countZoneLookups(n *int) {
	l.zones.byIndex = func(i int) (*net.Interface, error) { *n++; return net.InterfaceByIndex(i) }
	l.zones.byName = func(s string) (*net.Interface, error) { *n++; return net.InterfaceByName(s) }
}

// zonedSource is a sender fe80::1, port 9, on the interface of index.
func zonedSource(l *Loop, index uint32) netip.AddrPort {
	return l.withZone(netip.MustParseAddrPort("[fe80::1]:9"), index)
}

// TestZoneCache: steady traffic to and from a zoned IPv6 address makes one
// interface lookup per zone, whichever way it is named (datagrams sent,
// datagrams received, a stream's address); an index without a name is
// named by its decimal, and a decimal zone names its index; the loop
// forgets after zoneCacheTTL, and holds at most maxZones answers.
func TestZoneCache(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		lo := loopbackInterface(t)
		testkit.CheckLeaks(t)
		h := newPacketEcho(t)
		l, err := New(h, opt)
		require.NoError(t, err)
		var lookups int // the loop's
		l.countZoneLookups(&lookups)
		pc, err := l.ListenPacket("udp6", "[::1]:0")
		require.NoError(t, err)
		client, err := net.ListenUDP("udp6", &net.UDPAddr{IP: net.IPv6loopback})
		require.NoError(t, err)
		defer client.Close()
		run(t, l)
		onLoop := func(f func() string) string {
			done := make(chan string, 1)
			require.NoError(t, l.Post(func() { done <- f() }))
			return testkit.Receive(t, done, "the posted function to run")
		}
		count := func() string { return strconv.Itoa(lookups) }

		// Sent: the datagrams leave in the flush phase after the Post.
		const n = 100
		to := netip.AddrPortFrom(netip.IPv6Loopback().WithZone(lo.Name), uint16(client.LocalAddr().(*net.UDPAddr).Port))
		onLoop(func() string {
			for i := range n {
				assert.NoError(t, pc.WriteTo(datagram(i, 8), to))
			}
			return ""
		})
		buf := make([]byte, 64)
		for i := range n {
			require.NoError(t, client.SetReadDeadline(time.Now().Add(5*time.Second)))
			k, err := client.Read(buf)
			require.NoError(t, err)
			require.Equal(t, datagram(i, 8), buf[:k])
		}
		require.Equal(t, "1", onLoop(count), "lookups for %d datagrams sent to %v", n, to)

		// Received and a stream's address: the index, looked up once.
		got := onLoop(func() string {
			var p Packet
			for range n {
				p.From = zonedSource(l, uint32(lo.Index))
			}
			var a net.Addr
			for range n {
				a = l.sockaddrToAddr(&unix.SockaddrInet6{Port: 9, Addr: netip.MustParseAddr("fe80::1").As16(), ZoneId: uint32(lo.Index)})
			}
			return fmt.Sprintf("%v %v %d", p.From, a, lookups)
		})
		require.Equal(t, fmt.Sprintf("[fe80::1%%%s]:9 [fe80::1%%%s]:9 2", lo.Name, lo.Name), got)

		// No name for an index; a decimal zone.
		const unknown = 1<<31 - 1
		got = onLoop(func() string {
			var p Packet
			for range n {
				p.From = zonedSource(l, unknown)
			}
			var index uint32
			for range n {
				index = l.zoneIndex(strconv.Itoa(unknown))
			}
			return fmt.Sprintf("%v %d %d", p.From, index, lookups)
		})
		require.Equal(t, fmt.Sprintf("[fe80::1%%%d]:9 %d 4", unknown, unknown), got)

		// Forgotten after zoneCacheTTL.
		got = onLoop(func() string {
			now := l.clock
			defer func() { l.clock = now }()
			l.clock += zoneCacheTTL + time.Second
			return fmt.Sprintf("%s %d", l.zoneName(uint32(lo.Index)), lookups)
		})
		require.Equal(t, lo.Name+" 5", got)

		// Bounded: zones the handler makes up do not pile up.
		got = onLoop(func() string {
			for i := range 3 * maxZones {
				l.zoneIndex(fmt.Sprintf("nosuch%d", i))
				if k := len(l.zones.names) + len(l.zones.indices); k > maxZones {
					return fmt.Sprintf("%d answers held", k)
				}
			}
			return "bounded"
		})
		require.Equal(t, "bounded", got)
	})
}

// TestResolveZone: Listen, Dial and DialPacket read an address's zone as
// WriteTo does: an interface's name, or its index in decimal.
func TestResolveZone(t *testing.T) {
	lo := loopbackInterface(t)
	for _, zone := range []string{lo.Name, strconv.Itoa(lo.Index)} {
		ra, err := resolve("udp6", "[fe80::1%"+zone+"]:9")
		require.NoError(t, err)
		sa, ok := ra.sa.(*unix.SockaddrInet6)
		require.True(t, ok)
		require.Equal(t, uint32(lo.Index), sa.ZoneId, "zone %q", zone)
	}
}
