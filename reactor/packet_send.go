package reactor

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/goreactor/reactor/internal/sock"
	"github.com/goreactor/reactor/poller"
	"golang.org/x/sys/unix"
)

// Sending datagrams: a packet socket's queue, and the flush phase that
// empties it (the batches themselves are packetIO.send's, packet_io.go).

// flushPackets is the flush phase for packet sockets: each one with
// datagrams queued since the last one sends them, in batches.
func (l *Loop) flushPackets() {
	for i := 0; i < len(l.pdirty); i++ {
		pc := l.pdirty[i]
		l.pdirty[i] = nil
		pc.dirty = false
		if !pc.closed && !pc.waitWrite {
			pc.flush()
		}
	}
	l.pdirty = l.pdirty[:0]
}

// flush sends the queue and registers write interest if the socket's
// buffer is full.
func (pc *PacketConn) flush() {
	if pc.closed {
		return
	}
	full := pc.send()
	want := poller.Read
	if full {
		want |= poller.Write
	}
	if err := pc.loop.p.Modify(pc.fd, want); err != nil {
		pc.report(fmt.Errorf("reactor: changing a packet socket's interest in the poller: %w", err))
		return
	}
	if full && !pc.waitWrite {
		pc.loop.st[statWriteWaits]++
	}
	pc.waitWrite = full
}

// send sends queued datagrams until the queue is empty or the socket's
// buffer is full (then it returns true). A datagram the system refuses is
// dropped and reported; one whose destination has no room, on a socket
// that sends to many (see sendsToMany), is dropped and counted.
func (pc *PacketConn) send() (full bool) {
	l := pc.loop
	batches := l.packetIO()
	retried := false // the front datagram met EAGAIN while the socket had room
	for pc.out.len() > 0 {
		n, calls, err := batches.send(pc)
		l.st[statPacketWrites] += uint64(calls)
		if n > 0 {
			l.st[statPacketsOut] += uint64(n)
			pc.out.pop(n)
			retried = false
		}
		switch {
		case err == nil:
		case err == unix.EAGAIN:
			if !pc.sendsToMany() || !sock.Writable(pc.fd) {
				return true // the socket's buffer: write readiness will say when it has room
			}
			if !retried {
				// The socket may have had room only since the send
				// (a destination read): once more.
				retried = true
				continue
			}
			// The socket has room and the destination has none, and no
			// report will say when it has: the datagram is dropped, the
			// next ones go on.
			pc.out.pop(1)
			l.st[statPacketsDropped]++
			retried = false
		case err == unix.EINTR:
		default:
			pc.out.pop(1)
			pc.report(err)
		}
	}
	pc.out.reset()
	return false
}

// sendsToMany reports whether pc is an unconnected unixgram socket. Its
// EAGAIN can mean that the datagram's destination has no room: each
// destination has a receive queue of its own (on Linux, max_dgram_qlen
// datagrams), which the poller does not watch, and it reports the socket
// writable while the socket's own buffer has room. For UDP, or a connected
// socket, EAGAIN is the socket's own buffer (or its one peer's queue),
// whose room write readiness reports.
func (pc *PacketConn) sendsToMany() bool {
	return !pc.connected && pc.family == unix.AF_UNIX
}

// packetQueue is a packet socket's queued datagrams, in order: their bytes
// one after the other in buf, each one's place and destination in ds. It
// keeps its arrays, so that queueing allocates nothing in steady state.
type packetQueue struct {
	buf   []byte
	ds    []queuedPacket
	head  int // ds[head:] are queued
	bytes int // bytes of ds[head:]
}

type queuedPacket struct {
	off, n int
	to     netip.AddrPort // for a UDP socket that is not connected
	toUnix *net.UnixAddr  // for a unixgram socket that is not connected
}

func (q *packetQueue) len() int { return len(q.ds) - q.head }

func (q *packetQueue) fits(n, maxDatagrams, maxBytes int) bool {
	return q.len() < maxDatagrams && q.bytes+n <= maxBytes
}

func (q *packetQueue) push(p []byte, d queuedPacket) {
	if q.head > 0 && q.head == len(q.ds) {
		q.reset()
	}
	if q.head > len(q.ds)/2 {
		q.compact()
	}
	d.off, d.n = len(q.buf), len(p)
	q.buf = append(q.buf, p...)
	q.ds = append(q.ds, d)
	q.bytes += len(p)
}

// pop drops the n datagrams at the front.
func (q *packetQueue) pop(n int) {
	for _, d := range q.ds[q.head : q.head+n] {
		q.bytes -= d.n
	}
	clear(q.ds[q.head : q.head+n]) // drop the addresses they hold
	q.head += n
}

// compact moves the queued datagrams to the front of the arrays.
func (q *packetQueue) compact() {
	first := q.ds[q.head].off
	copy(q.buf, q.buf[first:])
	q.buf = q.buf[:len(q.buf)-first]
	k := copy(q.ds, q.ds[q.head:])
	clear(q.ds[k:])
	q.ds = q.ds[:k]
	for i := range q.ds {
		q.ds[i].off -= first
	}
	q.head = 0
}

func (q *packetQueue) reset() {
	clear(q.ds)
	q.buf, q.ds, q.head, q.bytes = q.buf[:0], q.ds[:0], 0, 0
}
