package reactor

import (
	"net"
	"net/netip"

	"github.com/goreactor/reactor/internal/sock"
	"golang.org/x/sys/unix"
)

// packetIO is a loop's two datagram batches (sock.Batch), made when its
// first packet socket opens: one to receive into, each slot with a buffer
// of the read buffer's size, and one to send from, whose slots point into
// a socket's queue for the length of one call. A readiness report of a
// packet socket is worth one receive, so sock.BatchSize also bounds what
// one busy socket takes of a pass.
type packetIO struct {
	l     *Loop
	in    *sock.Batch
	out   *sock.Batch
	rbuf  []byte // the receiving slots' buffers, one after the other
	pkt   Packet
	names map[string]*net.UnixAddr // unixgram senders seen recently
}

// maxUnixNames bounds the unixgram sender names the loop remembers.
const maxUnixNames = 1024

func (l *Loop) packetIO() *packetIO {
	if l.pio == nil {
		size := len(l.rbuf)
		b := &packetIO{
			l:    l,
			in:   sock.NewBatch(l.cfg.packetEach),
			out:  sock.NewBatch(l.cfg.packetEach),
			rbuf: make([]byte, sock.BatchSize*size),
		}
		for i := range sock.BatchSize {
			b.in.SetBuffer(i, b.rbuf[i*size:(i+1)*size])
		}
		l.pio = b
	}
	return l.pio
}

// receive takes the datagrams waiting on pc, at most a batch, and calls
// OnPacket for each.
func (b *packetIO) receive(pc *PacketConn) {
	l := b.l
	n, calls, err := b.in.Recv(pc.fd)
	l.st[statPacketReads] += uint64(calls)
	size := len(l.rbuf)
	for i := 0; i < n && !pc.closed; i++ {
		p := &b.pkt
		*p = Packet{}
		k := b.in.Len(i)
		if b.in.Truncated(i) {
			p.Truncated = true
			l.st[statPacketsTruncated]++
		} else {
			p.Data = b.rbuf[i*size : i*size+k : i*size+k]
		}
		b.source(p, i)
		l.st[statPacketsIn]++
		l.st[statBytesIn] += uint64(k)
		pc.deliver(p)
	}
	b.pkt = Packet{}
	if err != nil && err != unix.EAGAIN && err != unix.EINTR && !pc.closed {
		// An ICMP error for a connected socket, say; the socket goes on.
		pc.report(err)
	}
}

// source fills in the sender of the datagram in slot i.
func (b *packetIO) source(p *Packet, i int) {
	switch b.in.Family(i) {
	case unix.AF_INET, unix.AF_INET6:
		p.From = b.l.withZone(b.in.SourceInet(i))
	case unix.AF_UNIX:
		if path := b.in.SourceUnix(i); path != nil {
			p.FromUnix = b.unixName(path)
		}
	}
}

// unixName returns the *net.UnixAddr for a unixgram sender's name, made
// once per name while the loop remembers it.
func (b *packetIO) unixName(path []byte) *net.UnixAddr {
	if a, ok := b.names[string(path)]; ok {
		return a
	}
	if b.names == nil || len(b.names) >= maxUnixNames {
		b.names = make(map[string]*net.UnixAddr)
	}
	name := string(path)
	if len(path) > 0 && path[0] == 0 {
		name = "@" + name[1:] // an abstract name, as the net package writes it
	}
	a := &net.UnixAddr{Name: name, Net: "unixgram"}
	b.names[string(path)] = a
	return a
}

// send sends a batch of pc's queued datagrams from the front, and returns
// how many left and the system calls made; the error is that of the first
// datagram that did not leave.
func (b *packetIO) send(pc *PacketConn) (int, int, error) {
	q := &pc.out
	k := min(q.len(), sock.BatchSize)
	for i := range k {
		d := &q.ds[q.head+i]
		b.out.SetBuffer(i, q.buf[d.off:d.off+d.n])
		switch {
		case pc.connected:
			b.out.NoDest(i)
		case pc.family == unix.AF_UNIX:
			b.out.DestUnix(i, d.toUnix.Name) // WriteToUnix made sure it fits
		default:
			b.out.DestInet(i, pc.family, d.to, b.l.zoneIndex(d.to.Addr().Zone()))
		}
	}
	n, calls, err := b.out.Send(pc.fd, k)
	for _, d := range q.ds[q.head : q.head+n] {
		b.l.st[statBytesOut] += uint64(d.n)
	}
	return n, calls, err
}

// withZone returns ap with the name of the zone whose index is scope (0:
// none), from the loop's cache.
func (l *Loop) withZone(ap netip.AddrPort, scope uint32) netip.AddrPort {
	if scope == 0 {
		return ap
	}
	return netip.AddrPortFrom(ap.Addr().WithZone(l.zoneName(scope)), ap.Port())
}
