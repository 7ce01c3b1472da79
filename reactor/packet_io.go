package reactor

import (
	"net"
	"net/netip"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// packetBatch is how many datagrams one receive or send system call of
// the loop moves at most: a readiness report of a packet socket is worth
// one receive call, so this also bounds what one busy socket takes of a
// pass.
const packetBatch = 64

// mmsghdr is Linux's struct mmsghdr: a msghdr and the length the call
// moved. Elsewhere it holds the same for one recvmsg or sendmsg.
type mmsghdr struct {
	hdr unix.Msghdr
	n   uint32
}

// packetIO is a loop's batch of datagram buffers, made when its first
// packet socket opens: for receiving, packetBatch buffers of the read
// buffer's size and as many source addresses; for sending, headers whose
// buffers point into the queue and as many destination addresses.
type packetIO struct {
	l     *Loop
	rhdrs [packetBatch]mmsghdr
	riov  [packetBatch]unix.Iovec
	rname [packetBatch]unix.RawSockaddrAny
	rbuf  []byte // packetBatch slots of len(l.rbuf) bytes
	whdrs [packetBatch]mmsghdr
	wiov  [packetBatch]unix.Iovec
	wname [packetBatch]unix.RawSockaddrAny
	pkt   Packet
	names map[string]*net.UnixAddr // unixgram senders seen recently
	each  bool                     // one system call per datagram, also on Linux (tests)
}

// maxUnixNames bounds the unixgram sender names the loop remembers.
const maxUnixNames = 1024

func (l *Loop) packetIO() *packetIO {
	if l.pio == nil {
		size := len(l.rbuf)
		io := &packetIO{l: l, rbuf: make([]byte, packetBatch*size), each: l.cfg.packetEach}
		for i := range io.rhdrs {
			io.riov[i].Base = &io.rbuf[i*size]
			io.riov[i].SetLen(size)
			h := &io.rhdrs[i].hdr
			h.Iov = &io.riov[i]
			h.SetIovlen(1)
			h.Name = (*byte)(unsafe.Pointer(&io.rname[i]))
		}
		for i := range io.whdrs {
			io.whdrs[i].hdr.Iov = &io.wiov[i]
			io.whdrs[i].hdr.SetIovlen(1)
		}
		l.pio = io
	}
	return l.pio
}

// receive takes the datagrams waiting on pc, at most a batch, and calls
// OnPacket for each.
func (io *packetIO) receive(pc *PacketConn) {
	l := io.l
	for i := range io.rhdrs {
		io.rhdrs[i].hdr.Namelen = unix.SizeofSockaddrAny
		io.rhdrs[i].hdr.Flags = 0
		io.rhdrs[i].n = 0
	}
	var n, calls int
	var err error
	if io.each {
		n, calls, err = receiveEach(pc.fd, io.rhdrs[:])
	} else {
		n, calls, err = receiveBatch(pc.fd, io.rhdrs[:])
	}
	l.st[statPacketReads] += uint64(calls)
	size := len(l.rbuf)
	for i := 0; i < n && !pc.closed; i++ {
		h := &io.rhdrs[i]
		p := &io.pkt
		*p = Packet{}
		if h.hdr.Flags&unix.MSG_TRUNC != 0 {
			p.Truncated = true
			l.st[statPacketsTruncated]++
		} else {
			p.Data = io.rbuf[i*size : i*size+int(h.n) : i*size+int(h.n)]
		}
		io.source(p, &io.rname[i], h.hdr.Namelen)
		l.st[statPacketsIn]++
		l.st[statBytesIn] += uint64(h.n)
		pc.deliver(p)
	}
	io.pkt = Packet{}
	if err != nil && err != unix.EAGAIN && err != unix.EINTR && !pc.closed {
		// An ICMP error for a connected socket, say; the socket goes on.
		pc.report(os.NewSyscallError(io.recvCall(), err))
	}
}

// recvCall and sendCall name the system call that receive and send make,
// for the errors they report: one per datagram (each) or the batch's.
func (io *packetIO) recvCall() string {
	if io.each {
		return "recvmsg"
	}
	return recvBatchCall
}

func (io *packetIO) sendCall() string {
	if io.each {
		return "sendmsg"
	}
	return sendBatchCall
}

// source fills in the sender of a datagram from its raw address.
func (io *packetIO) source(p *Packet, sa *unix.RawSockaddrAny, n uint32) {
	switch sa.Addr.Family {
	case unix.AF_INET:
		a := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		p.From = netip.AddrPortFrom(netip.AddrFrom4(a.Addr), ntohs(a.Port))
	case unix.AF_INET6:
		a := (*unix.RawSockaddrInet6)(unsafe.Pointer(sa))
		ip := netip.AddrFrom16(a.Addr)
		if a.Scope_id != 0 {
			ip = ip.WithZone(io.l.zoneName(a.Scope_id))
		}
		p.From = netip.AddrPortFrom(ip, ntohs(a.Port))
	case unix.AF_UNIX:
		a := (*unix.RawSockaddrUnix)(unsafe.Pointer(sa))
		const pathOff = unsafe.Offsetof(a.Path)
		if uintptr(n) <= pathOff {
			return // unnamed
		}
		path := unsafe.Slice((*byte)(unsafe.Pointer(&a.Path[0])), min(uintptr(n)-pathOff, uintptr(len(a.Path))))
		if path[0] != 0 {
			for i, b := range path {
				if b == 0 {
					path = path[:i]
					break
				}
			}
		}
		p.FromUnix = io.unixName(path)
	}
}

// unixName returns the *net.UnixAddr for a unixgram sender's name, made
// once per name while the loop remembers it.
func (io *packetIO) unixName(path []byte) *net.UnixAddr {
	if a, ok := io.names[string(path)]; ok {
		return a
	}
	if io.names == nil || len(io.names) >= maxUnixNames {
		io.names = make(map[string]*net.UnixAddr)
	}
	name := string(path)
	if len(path) > 0 && path[0] == 0 {
		name = "@" + name[1:] // an abstract name, as the net package writes it
	}
	a := &net.UnixAddr{Name: name, Net: "unixgram"}
	io.names[string(path)] = a
	return a
}

// ntohs reads a port stored in network byte order.
func ntohs(port uint16) uint16 {
	b := (*[2]byte)(unsafe.Pointer(&port))
	return uint16(b[0])<<8 | uint16(b[1])
}

// send sends a batch of pc's queued datagrams from the front, and returns
// how many left and the system calls made; the error is that of the first
// datagram that did not leave.
func (io *packetIO) send(pc *PacketConn) (int, int, error) {
	q := &pc.out
	k := min(q.len(), packetBatch)
	for i := range k {
		d := &q.ds[q.head+i]
		h := &io.whdrs[i]
		if d.n > 0 {
			io.wiov[i].Base = &q.buf[d.off]
		} else {
			io.wiov[i].Base = nil
		}
		io.wiov[i].SetLen(d.n)
		h.hdr.Name, h.hdr.Namelen = nil, 0
		if !pc.connected {
			h.hdr.Namelen = io.putSockaddr(&io.wname[i], d, pc.family)
			h.hdr.Name = (*byte)(unsafe.Pointer(&io.wname[i]))
		}
	}
	var n, calls int
	var err error
	if io.each {
		n, calls, err = sendEach(pc.fd, io.whdrs[:k])
	} else {
		n, calls, err = sendBatch(pc.fd, io.whdrs[:k])
	}
	for i := range k {
		io.wiov[i].Base = nil // the queue's array may move or go
	}
	for _, d := range q.ds[q.head : q.head+n] {
		io.l.st[statBytesOut] += uint64(d.n)
	}
	return n, calls, err
}

// putSockaddr writes the destination of d as a raw address for a socket
// of family, and returns its length.
func (io *packetIO) putSockaddr(sa *unix.RawSockaddrAny, d *queuedPacket, family int) uint32 {
	*sa = unix.RawSockaddrAny{}
	switch family {
	case unix.AF_INET:
		a := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		setFamily(unsafe.Pointer(sa), unix.AF_INET, unix.SizeofSockaddrInet4)
		a.Addr = d.to.Addr().Unmap().As4()
		a.Port = ntohs(d.to.Port())
		return unix.SizeofSockaddrInet4
	case unix.AF_INET6:
		a := (*unix.RawSockaddrInet6)(unsafe.Pointer(sa))
		setFamily(unsafe.Pointer(sa), unix.AF_INET6, unix.SizeofSockaddrInet6)
		a.Addr = d.to.Addr().As16()
		a.Port = ntohs(d.to.Port())
		a.Scope_id = io.l.zoneIndex(d.to.Addr().Zone())
		return unix.SizeofSockaddrInet6
	default:
		a := (*unix.RawSockaddrUnix)(unsafe.Pointer(sa))
		name := d.toUnix.Name // WriteToUnix made sure it fits (unixNameFits)
		setFamily(unsafe.Pointer(sa), unix.AF_UNIX, unix.SizeofSockaddrUnix)
		for i := range len(name) {
			a.Path[i] = int8(name[i])
		}
		if name[0] == '@' {
			a.Path[0] = 0 // abstract: the length, not a NUL, ends the name
			return uint32(unsafe.Offsetof(a.Path)) + uint32(len(name))
		}
		return uint32(unsafe.Offsetof(a.Path)) + uint32(len(name)) + 1 // and the NUL
	}
}

// unixNameFits reports whether a unixgram name fits a socket address
// whole: a path with the NUL after it, or an abstract name ("@...", the '@'
// standing for the leading NUL, no NUL after). These are the limits of the
// net package and of bind.
func unixNameFits(name string) bool {
	const room = len(unix.RawSockaddrUnix{}.Path)
	if len(name) > 0 && name[0] == '@' {
		return len(name) <= room
	}
	return len(name) < room
}
