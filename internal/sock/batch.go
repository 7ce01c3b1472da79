package sock

import (
	"net/netip"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// BatchSize is how many datagrams one receive or send call of a Batch
// moves at most.
const BatchSize = 64

// mmsghdr is Linux's struct mmsghdr: a msghdr and the length the call
// moved. Elsewhere it holds the same for one recvmsg or sendmsg.
type mmsghdr struct {
	hdr unix.Msghdr
	n   uint32
}

// Batch is BatchSize datagram slots laid out as recvmmsg and sendmmsg take
// them: each a buffer and a socket address. A loop keeps one for
// receiving, whose buffers stay, and one for sending, whose buffers point
// into its queue for the length of one call. It allocates nothing per
// datagram on Linux.
type Batch struct {
	hdrs  [BatchSize]mmsghdr
	iov   [BatchSize]unix.Iovec
	names [BatchSize]unix.RawSockaddrAny
	each  bool // one recvmsg or sendmsg per datagram, even where a batch call exists
}

// NewBatch returns a batch; with each, it makes one system call per
// datagram even where the system has batch calls (for tests of that
// path).
func NewBatch(each bool) *Batch {
	b := &Batch{each: each}
	for i := range b.hdrs {
		h := &b.hdrs[i].hdr
		h.Iov = &b.iov[i]
		h.SetIovlen(1)
	}
	return b
}

// SetBuffer makes p slot i's buffer: where a datagram is received, or the
// datagram to send.
func (b *Batch) SetBuffer(i int, p []byte) {
	if len(p) == 0 {
		b.iov[i].Base = nil
	} else {
		b.iov[i].Base = &p[0]
	}
	b.iov[i].SetLen(len(p))
}

// Recv receives up to BatchSize datagrams from fd into the slots'
// buffers, and returns how many came and the system calls it made; err is
// that of the call that stopped it (EAGAIN when fd had no more), wrapped
// with the call's name unless it is EAGAIN or EINTR.
func (b *Batch) Recv(fd int) (n, calls int, err error) {
	for i := range b.hdrs {
		h := &b.hdrs[i]
		h.hdr.Name = (*byte)(unsafe.Pointer(&b.names[i]))
		h.hdr.Namelen = unix.SizeofSockaddrAny
		h.hdr.Flags = 0
		h.n = 0
	}
	call := recvBatchCall
	if b.each {
		call = "recvmsg"
		n, calls, err = recvEach(fd, b.hdrs[:])
	} else {
		n, calls, err = recvBatch(fd, b.hdrs[:])
	}
	return n, calls, wrap(call, err)
}

// Send sends the datagrams of slots 0 to k-1 on fd, and returns how many
// left and the system calls it made; err is that of the first datagram
// that did not leave, wrapped as Recv's. The slots' buffers are let go.
func (b *Batch) Send(fd, k int) (n, calls int, err error) {
	call := sendBatchCall
	if b.each {
		call = "sendmsg"
		n, calls, err = sendEach(fd, b.hdrs[:k])
	} else {
		n, calls, err = sendBatch(fd, b.hdrs[:k])
	}
	for i := range k {
		b.iov[i].Base = nil // what they point into may move or go
	}
	return n, calls, wrap(call, err)
}

// wrap names the system call in its error, except for EAGAIN and EINTR,
// which the caller tells apart without allocating.
func wrap(call string, err error) error {
	if err == nil || err == unix.EAGAIN || err == unix.EINTR {
		return err
	}
	return os.NewSyscallError(call, err)
}

// Len returns the length of the datagram received in slot i.
func (b *Batch) Len(i int) int { return int(b.hdrs[i].n) }

// Truncated reports whether the datagram received in slot i was larger
// than its buffer.
func (b *Batch) Truncated(i int) bool { return b.hdrs[i].hdr.Flags&unix.MSG_TRUNC != 0 }

// Family returns the address family of the sender of slot i's datagram:
// AF_INET, AF_INET6 or AF_UNIX.
func (b *Batch) Family(i int) int { return int(b.names[i].Addr.Family) }

// SourceInet returns the sender of slot i's IPv4 or IPv6 datagram, and its
// scope (the index of an IPv6 address's zone, 0 for none).
func (b *Batch) SourceInet(i int) (ap netip.AddrPort, scope uint32) {
	sa := &b.names[i]
	switch sa.Addr.Family {
	case unix.AF_INET:
		a := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), ntohs(a.Port)), 0
	case unix.AF_INET6:
		a := (*unix.RawSockaddrInet6)(unsafe.Pointer(sa))
		return netip.AddrPortFrom(netip.AddrFrom16(a.Addr), ntohs(a.Port)), a.Scope_id
	}
	return netip.AddrPort{}, 0
}

// SourceUnix returns the name of the unixgram socket that sent slot i's
// datagram, in the slot's own memory (valid until the next Recv): a path,
// or an abstract name starting with a NUL byte; nil if the sender is
// unnamed.
func (b *Batch) SourceUnix(i int) []byte {
	a := (*unix.RawSockaddrUnix)(unsafe.Pointer(&b.names[i]))
	n := b.hdrs[i].hdr.Namelen
	const pathOff = unsafe.Offsetof(a.Path)
	if uintptr(n) <= pathOff {
		return nil
	}
	path := unsafe.Slice((*byte)(unsafe.Pointer(&a.Path[0])), min(uintptr(n)-pathOff, uintptr(len(a.Path))))
	if path[0] != 0 {
		for i, c := range path {
			if c == 0 {
				return path[:i]
			}
		}
	}
	return path
}

// NoDest clears slot i's destination: the datagram goes where the socket
// is connected.
func (b *Batch) NoDest(i int) {
	b.hdrs[i].hdr.Name, b.hdrs[i].hdr.Namelen = nil, 0
}

// DestInet sets slot i's destination to ap, for a socket of family
// AF_INET or AF_INET6; scope is the index of an IPv6 address's zone.
func (b *Batch) DestInet(i int, family int, ap netip.AddrPort, scope uint32) {
	sa := &b.names[i]
	*sa = unix.RawSockaddrAny{}
	var n uint32
	if family == unix.AF_INET {
		a := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		setFamily(unsafe.Pointer(sa), unix.AF_INET, unix.SizeofSockaddrInet4)
		a.Addr = ap.Addr().Unmap().As4()
		a.Port = ntohs(ap.Port())
		n = unix.SizeofSockaddrInet4
	} else {
		a := (*unix.RawSockaddrInet6)(unsafe.Pointer(sa))
		setFamily(unsafe.Pointer(sa), unix.AF_INET6, unix.SizeofSockaddrInet6)
		a.Addr = ap.Addr().As16()
		a.Port = ntohs(ap.Port())
		a.Scope_id = scope
		n = unix.SizeofSockaddrInet6
	}
	b.hdrs[i].hdr.Name, b.hdrs[i].hdr.Namelen = (*byte)(unsafe.Pointer(sa)), n
}

// DestUnix sets slot i's destination to the unixgram socket named name (a
// path, or "@" and an abstract name); UnixNameFits must hold for it.
func (b *Batch) DestUnix(i int, name string) {
	sa := &b.names[i]
	*sa = unix.RawSockaddrAny{}
	a := (*unix.RawSockaddrUnix)(unsafe.Pointer(sa))
	setFamily(unsafe.Pointer(sa), unix.AF_UNIX, unix.SizeofSockaddrUnix)
	for i := range len(name) {
		a.Path[i] = int8(name[i])
	}
	n := uint32(unsafe.Offsetof(a.Path)) + uint32(len(name)) + 1 // and the NUL
	if name[0] == '@' {
		a.Path[0] = 0 // abstract: the length, not a NUL, ends the name
		n--
	}
	b.hdrs[i].hdr.Name, b.hdrs[i].hdr.Namelen = (*byte)(unsafe.Pointer(sa)), n
}

// UnixNameFits reports whether a unixgram name fits a socket address
// whole: a path with the NUL after it, or an abstract name ("@...", the '@'
// standing for the leading NUL, no NUL after). These are the limits of the
// net package and of bind.
func UnixNameFits(name string) bool {
	const room = len(unix.RawSockaddrUnix{}.Path)
	if len(name) > 0 && name[0] == '@' {
		return len(name) <= room
	}
	return len(name) < room
}

// ntohs reads a port stored in network byte order, and writes one.
func ntohs(port uint16) uint16 {
	b := (*[2]byte)(unsafe.Pointer(&port))
	return uint16(b[0])<<8 | uint16(b[1])
}
