package main

import (
	"fmt"
	"io"
	"net"
	"sort"
	"strings"
	"syscall"

	"github.com/goreactor/reactor/reactor"
)

// udpServers are the servers of -network udp: each echoes every datagram
// to its sender, on one socket, from one goroutine or loop.
var udpServers = map[string]serveFunc{
	"net":     serveNetUDP,
	"reactor": serveReactorUDP,
	"gnet":    serveGnetUDP,
}

func udpNames() string {
	var s []string
	for n := range udpServers {
		s = append(s, n)
	}
	sort.Strings(s)
	return strings.Join(s, " | ")
}

// udpAddr turns a socket address from getsockname into a net.Addr.
func udpAddr(sa syscall.Sockaddr) net.Addr {
	switch sa := sa.(type) {
	case *syscall.SockaddrInet4:
		return &net.UDPAddr{IP: net.IP(sa.Addr[:]), Port: sa.Port}
	case *syscall.SockaddrInet6:
		return &net.UDPAddr{IP: net.IP(sa.Addr[:]), Port: sa.Port}
	}
	return nil
}

// packetStatsPrefix starts the line writePacketStats writes.
const packetStatsPrefix = "packet stats:"

// writePacketStats writes the loop's datagram counters as one line, for
// the benchmark scripts:
//
//	packet stats: packets_in=N packets_out=N packet_reads=N packet_writes=N
//
// packet_reads and packet_writes count system calls (recvmmsg and
// sendmmsg on Linux, which move a batch each), so packets_in/packet_reads
// is the datagrams one receive call took on average. The counts cover the
// server's whole life, warmup included.
func writePacketStats(w io.Writer, st reactor.Stats) {
	fmt.Fprintf(w, "%s packets_in=%d packets_out=%d packet_reads=%d packet_writes=%d\n",
		packetStatsPrefix, st.PacketsIn, st.PacketsOut, st.PacketReads, st.PacketWrites)
}
