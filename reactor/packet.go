package reactor

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"time"

	"github.com/goreactor/reactor/internal/sock"
	"github.com/goreactor/reactor/poller"
	"golang.org/x/sys/unix"
)

// Datagrams on the loop: a packet socket (UDP or unixgram) in the fd table.
// Readable means datagrams wait: the read phase takes a batch of them with
// one system call (recvmmsg on Linux, see internal/sock) and calls OnPacket
// for each. Replies are queued and leave in the flush phase, as many per
// system call as the batch holds (sendmmsg on Linux); a full send buffer
// (EAGAIN) keeps the rest queued and registers write interest, as for a
// stream, except on an unconnected unixgram socket whose destination had
// no room (see PacketConn). A datagram is never merged or split: each
// send is one datagram, or an error.

// PacketHandler is implemented by a Handler that serves packet sockets
// (ListenPacket, DialPacket). Its methods run on the loop's goroutine,
// like the others.
type PacketHandler interface {
	// OnPacket is called once per datagram received. p and everything in
	// it are valid only during the call: p.Data is in the loop's read
	// buffer, and the *Packet itself is reused. Replies written with
	// Reply, WriteTo or Write leave before the loop waits again.
	OnPacket(pc *PacketConn, p *Packet)
	// OnPacketError is called when the system reports an error on the
	// socket that closes nothing: an ICMP error on a connected socket
	// (ECONNREFUSED: nothing listens at the other end), or a queued
	// datagram the system refused to send (EMSGSIZE, EHOSTUNREACH...),
	// which is dropped. Every error is counted in Stats.PacketErrors and
	// says which call failed: one of a receive or a send is an
	// *os.SyscallError naming the call made (recvmmsg or recvmsg,
	// sendmmsg or sendmsg), which wraps the system's error for errors.Is
	// (unix.ECONNREFUSED, say).
	OnPacketError(pc *PacketConn, err error)
}

// Packet is one datagram received.
type Packet struct {
	// Data is the datagram. It is empty if the datagram was larger than
	// the loop's read buffer (WithReadBufferSize): then Truncated is true,
	// and what arrived is not delivered cut.
	Data []byte
	// Truncated says that the datagram was larger than the read buffer,
	// and that Data is empty.
	Truncated bool
	// From is the sender of a UDP datagram. A link-local sender's zone
	// is its interface's name, or the interface index in decimal if the
	// system knows no name for it.
	From netip.AddrPort
	// FromUnix is the sender of a unixgram datagram, nil if the sender's
	// socket has no name (it cannot be answered). The loop keeps one
	// *net.UnixAddr per name it has seen recently, so it is not allocated
	// per datagram; do not modify it.
	FromUnix *net.UnixAddr
}

// PacketConn is a packet socket of a loop. Its methods must be called on
// the loop's goroutine; once it is closed they return ErrClosed.
//
// Datagrams written to it queue (within WithPacketQueue) and leave in the
// flush phase, in order. When the socket's send buffer is full they wait
// for the poller to report room. A unixgram socket that is not connected
// is different: each socket it sends to has a receive queue of its own
// (on Linux, max_dgram_qlen datagrams), and nothing reports when one of
// them has room. A datagram to a socket whose queue is full, a peer that
// does not read, is dropped and counted in Stats.PacketsDropped, and the
// datagrams after it go on: that peer loses its own replies, and no one
// else's wait for it. (On Linux a peer that connected its socket to this
// one is not held to its queue's bound: what it leaves unread is charged
// to this socket's send buffer, and once that is full every destination
// waits for room.) On UDP, where a full buffer is the socket's own, and
// on a connected socket (DialPacket), whose one peer's room the poller
// reports, datagrams always wait.
type PacketConn struct {
	loop      *Loop
	h         PacketHandler
	fd        int
	family    int
	connected bool
	closed    bool
	dirty     bool // in Loop.pdirty: has datagrams queued since the last flush
	waitWrite bool // write interest registered: waiting for room
	addr      net.Addr
	file      sock.File
	out       packetQueue
}

// ListenPacket opens a packet socket bound to address and serves it with
// the loop's Handler, which must implement PacketHandler. network is
// "udp", "udp4", "udp6" or "unixgram" (a stale unixgram socket file is
// removed first, as Listen does for "unix"). Call it on the loop's
// goroutine, or before Run (see "Ownership" in the package documentation).
func (l *Loop) ListenPacket(network, address string) (*PacketConn, error) {
	return l.openPacket(network, address, false, false)
}

// DialPacket opens a packet socket connected to address ("udp", "udp4",
// "udp6" or "unixgram"): Write sends to that address, only datagrams from it
// are received, and ICMP errors about it (ECONNREFUSED) reach
// OnPacketError. A unixgram socket gets an abstract name on Linux (so that
// replies can reach it); elsewhere it is unnamed and can only send.
func (l *Loop) DialPacket(network, address string) (*PacketConn, error) {
	return l.openPacket(network, address, true, false)
}

func (l *Loop) openPacket(network, address string, connect, reusePort bool) (*PacketConn, error) {
	if l.stopping || l.stopReq.Load() {
		return nil, ErrStopped
	}
	h, ok := l.h.(PacketHandler)
	if !ok {
		return nil, ErrNotPacketHandler
	}
	switch network {
	case "udp", "udp4", "udp6", "unixgram":
	default:
		return nil, fmt.Errorf("%w: %q is not a datagram network", ErrNetwork, network)
	}
	ra, err := resolve(network, address)
	if err != nil {
		return nil, err
	}
	fd, err := sock.Socket(ra.family, unix.SOCK_DGRAM)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	pc := &PacketConn{loop: l, h: h, fd: fd, family: ra.family, connected: connect}
	if err := pc.setUp(ra, connect, reusePort); err != nil {
		pc.file.Remove()
		unix.Close(fd)
		return nil, fmt.Errorf("reactor: %s %s: %w", network, address, err)
	}
	if err := l.p.Add(fd, poller.Read); err != nil {
		pc.file.Remove()
		unix.Close(fd)
		return nil, err
	}
	l.setFD(fd, pc)
	l.packetIO() // the batch buffers, made now rather than in the first pass
	return pc, nil
}

// setUp binds or connects a new packet socket and records its address.
func (pc *PacketConn) setUp(ra sockAddr, connect, reusePort bool) error {
	fd := pc.fd
	if ra.family == unix.AF_INET6 {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, ra.v6only); err != nil {
			return os.NewSyscallError("setsockopt", err)
		}
	}
	if connect {
		if ra.family == unix.AF_UNIX {
			sock.Autobind(fd)
		}
		if err := unix.Connect(fd, ra.sa); err != nil {
			return os.NewSyscallError("connect", err)
		}
	} else {
		if reusePort {
			if err := sock.SetReusePort(fd); err != nil {
				return err
			}
		}
		file, err := sock.Bind(fd, ra.sa, unix.SOCK_DGRAM)
		if err != nil {
			return err
		}
		pc.file = file
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return os.NewSyscallError("getsockname", err)
	}
	pc.addr = pc.loop.packetAddr(sa)
	return nil
}

// packetAddr is sockaddrToAddr for a packet socket.
func (l *Loop) packetAddr(sa unix.Sockaddr) net.Addr {
	switch a := l.sockaddrToAddr(sa).(type) {
	case *net.TCPAddr:
		return &net.UDPAddr{IP: a.IP, Port: a.Port, Zone: a.Zone}
	case *net.UnixAddr:
		return &net.UnixAddr{Name: a.Name, Net: "unixgram"}
	}
	return nil
}

// LocalAddr returns the address the socket is bound to.
func (pc *PacketConn) LocalAddr() net.Addr { return pc.addr }

// Fd returns the socket's file descriptor, for socket options the package
// does not wrap (SO_RCVBUF, say). Do not read, write or close it.
func (pc *PacketConn) Fd() int { return pc.fd }

// Loop returns the loop that owns the socket.
func (pc *PacketConn) Loop() *Loop { return pc.loop }

// Reply queues p as a datagram to the sender of the received datagram to,
// with WriteTo or WriteToUnix; on a unixgram socket, a sender whose
// receive queue is full when the reply leaves loses it (see PacketConn).
func (pc *PacketConn) Reply(to *Packet, p []byte) error {
	if pc.family == unix.AF_UNIX {
		return pc.WriteToUnix(p, to.FromUnix)
	}
	return pc.WriteTo(p, to.From)
}

// WriteTo queues p as one datagram to to, on a UDP socket. It returns
// ErrOutputFull if the send queue is full (WithPacketQueue; the datagram is
// counted in Stats.PacketsDropped), an error wrapping EMSGSIZE if p cannot
// be one UDP datagram, and ErrClosed once the socket is closed. The
// datagram leaves before the loop waits again, or waits in the queue while the
// socket's send buffer is full.
func (pc *PacketConn) WriteTo(p []byte, to netip.AddrPort) error {
	if pc.family == unix.AF_UNIX {
		return fmt.Errorf("reactor: WriteTo on a unixgram socket: %w", unix.EAFNOSUPPORT)
	}
	if !to.IsValid() {
		return fmt.Errorf("reactor: WriteTo an invalid address: %w", unix.EINVAL)
	}
	if to.Addr().Is6() && !to.Addr().Is4In6() && pc.family == unix.AF_INET {
		return fmt.Errorf("reactor: WriteTo %v on an IPv4 socket: %w", to, unix.EAFNOSUPPORT)
	}
	return pc.queue(p, queuedPacket{to: to})
}

// WriteToUnix queues p as one datagram to the unixgram socket named to; it
// leaves before the loop waits again, unless that socket's receive queue is
// full then: the datagram is dropped and counted in Stats.PacketsDropped
// (see PacketConn). It returns ErrOutputFull and ErrClosed as WriteTo
// does. A name longer than a socket address holds (a path of
// len(sun_path) bytes or more, its NUL needing the last; an abstract name
// "@..." of more) is refused with an error wrapping EINVAL, as bind
// refuses it.
func (pc *PacketConn) WriteToUnix(p []byte, to *net.UnixAddr) error {
	if pc.family != unix.AF_UNIX {
		return fmt.Errorf("reactor: WriteToUnix on a UDP socket: %w", unix.EAFNOSUPPORT)
	}
	if to == nil || to.Name == "" {
		return fmt.Errorf("reactor: WriteToUnix to an unnamed socket: %w", unix.EDESTADDRREQ)
	}
	if !sock.UnixNameFits(to.Name) {
		return fmt.Errorf("reactor: WriteToUnix to a name of %d bytes, more than a socket address holds: %w", len(to.Name), unix.EINVAL)
	}
	return pc.queue(p, queuedPacket{toUnix: to})
}

// Write queues p as one datagram on a connected socket (DialPacket).
func (pc *PacketConn) Write(p []byte) error {
	if !pc.connected {
		return fmt.Errorf("reactor: Write on a socket that is not connected: %w", unix.EDESTADDRREQ)
	}
	return pc.queue(p, queuedPacket{})
}

// maxUDPPayload is the largest UDP datagram payload: 65535 less the IP
// and UDP headers (IPv4's 20 bytes; IPv6 carries 20 more).
const maxUDPPayload = 65535 - 8 - 20

func (pc *PacketConn) queue(p []byte, d queuedPacket) error {
	l := pc.loop
	if pc.closed {
		return ErrClosed
	}
	if pc.family != unix.AF_UNIX && len(p) > pc.maxPayload() {
		return fmt.Errorf("reactor: a datagram of %d bytes: %w", len(p), unix.EMSGSIZE)
	}
	if !pc.out.fits(len(p), l.cfg.maxQueued, l.cfg.maxQueuedBytes) {
		l.st[statPacketsDropped]++
		return ErrOutputFull
	}
	pc.out.push(p, d)
	if !pc.dirty {
		pc.dirty = true
		l.pdirty = append(l.pdirty, pc)
	}
	return nil
}

// maxPayload is the largest datagram a UDP socket of pc's family sends.
func (pc *PacketConn) maxPayload() int {
	if pc.family == unix.AF_INET6 {
		return maxUDPPayload + 20 // IPv6's header counts apart from its payload length
	}
	return maxUDPPayload
}

// Pending returns the datagrams queued and not yet sent.
func (pc *PacketConn) Pending() int { return pc.out.len() }

// Close closes the socket: datagrams still queued are tried once and what
// the system does not take is dropped (counted in Stats.PacketsDropped). A
// unixgram socket's file is removed. From the call on the loop hears
// nothing more of the socket, but while the loop runs its fd is closed only
// in the close phase (see the package documentation), so that no socket
// opened meanwhile gets its number; until then the address it was bound
// to is still taken. A
// second Close returns ErrClosed.
func (pc *PacketConn) Close() error {
	if pc.closed {
		return ErrClosed
	}
	l := pc.loop
	pc.closed = true // from here on queue refuses, and a Close from OnPacketError too
	if pc.out.len() > 0 {
		pc.send()
	}
	l.st[statPacketsDropped] += uint64(pc.out.len())
	pc.out.reset()
	pc.file.Remove()
	// Out of the poller and the fd table now, so that a readiness report
	// already taken for the fd in this pass finds no owner; closed in the
	// close phase, so that no new socket gets its number before this pass's
	// reports are all handed out.
	l.retireFD(pc.fd)
	return nil
}

// The packet socket's part in the loop (fdOwner).

func (pc *PacketConn) readable() { pc.loop.packetIO().receive(pc) }

func (pc *PacketConn) writable() {
	pc.waitWrite = false
	pc.flush()
}

// stop closes the socket when shutdown begins, after a last try to send
// what is queued.
func (pc *PacketConn) stop()                              { pc.Close() }
func (pc *PacketConn) endGrace()                          {}
func (pc *PacketConn) awaitingAck() (bool, time.Duration) { return false, 0 }
func (pc *PacketConn) end()                               { pc.Close() }

// report tells the handler of an error on the socket, and counts it.
func (pc *PacketConn) report(err error) {
	l := pc.loop
	l.st[statPacketErrors]++
	defer l.recoverConn("OnPacketError", nil)
	pc.h.OnPacketError(pc, err)
}

// deliver calls OnPacket for one datagram.
func (pc *PacketConn) deliver(p *Packet) {
	defer pc.loop.recoverConn("OnPacket", nil)
	pc.h.OnPacket(pc, p)
}
