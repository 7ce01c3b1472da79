//go:build !linux

package sock

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// Without recvmmsg and sendmmsg, a batch is one recvmsg or sendmsg per
// datagram, made through x/sys/unix's wrappers (the system's C library
// where raw system calls are not supported). They allocate the socket
// address of each datagram, which the Linux path does not.

// The system calls that recvBatch and sendBatch make, as errors name
// them.
const recvBatchCall, sendBatchCall = "recvmsg", "sendmsg"

func recvBatch(fd int, hdrs []mmsghdr) (n, calls int, err error) {
	return recvEach(fd, hdrs)
}

func sendBatch(fd int, hdrs []mmsghdr) (int, int, error) { return sendEach(fd, hdrs) }

// recvEach takes up to len(hdrs) datagrams with one recvmsg each, until
// the socket has none left, into the buffers and address slots of hdrs.
func recvEach(fd int, hdrs []mmsghdr) (n, calls int, err error) {
	for n < len(hdrs) {
		h := &hdrs[n].hdr
		r, _, flags, from, e := unix.Recvmsg(fd, iovBytes(h.Iov), nil, 0)
		calls++
		if e != nil {
			return n, calls, e
		}
		hdrs[n].n = uint32(r)
		h.Flags = int32(flags)
		h.Namelen = putRaw((*unix.RawSockaddrAny)(unsafe.Pointer(h.Name)), from)
		n++
	}
	return n, calls, nil
}

// sendEach sends the datagrams of hdrs with one sendmsg each, and returns
// how many left, the calls made and the error of the first that did not.
func sendEach(fd int, hdrs []mmsghdr) (int, int, error) {
	for i := range hdrs {
		h := &hdrs[i].hdr
		var to unix.Sockaddr
		if h.Name != nil {
			to = fromRaw((*unix.RawSockaddrAny)(unsafe.Pointer(h.Name)))
		}
		if _, err := unix.SendmsgN(fd, iovBytes(h.Iov), nil, to, 0); err != nil {
			return i, i + 1, err
		}
	}
	return len(hdrs), len(hdrs), nil
}

// iovBytes is the buffer an iovec describes.
func iovBytes(iov *unix.Iovec) []byte {
	if iov.Base == nil {
		return nil
	}
	return unsafe.Slice(iov.Base, int(iov.Len))
}

// putRaw writes sa as a raw socket address and returns its length; 0 for
// none.
func putRaw(raw *unix.RawSockaddrAny, sa unix.Sockaddr) uint32 {
	*raw = unix.RawSockaddrAny{}
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		a := (*unix.RawSockaddrInet4)(unsafe.Pointer(raw))
		setFamily(unsafe.Pointer(raw), unix.AF_INET, unix.SizeofSockaddrInet4)
		a.Addr, a.Port = sa.Addr, ntohs(uint16(sa.Port))
		return unix.SizeofSockaddrInet4
	case *unix.SockaddrInet6:
		a := (*unix.RawSockaddrInet6)(unsafe.Pointer(raw))
		setFamily(unsafe.Pointer(raw), unix.AF_INET6, unix.SizeofSockaddrInet6)
		a.Addr, a.Port, a.Scope_id = sa.Addr, ntohs(uint16(sa.Port)), sa.ZoneId
		return unix.SizeofSockaddrInet6
	case *unix.SockaddrUnix:
		a := (*unix.RawSockaddrUnix)(unsafe.Pointer(raw))
		setFamily(unsafe.Pointer(raw), unix.AF_UNIX, unix.SizeofSockaddrUnix)
		n := min(len(sa.Name), len(a.Path)-1)
		for i := range n {
			a.Path[i] = int8(sa.Name[i])
		}
		return uint32(unsafe.Offsetof(a.Path)) + uint32(n) + 1
	}
	return 0
}

// fromRaw is the socket address a raw one describes.
func fromRaw(raw *unix.RawSockaddrAny) unix.Sockaddr {
	switch raw.Addr.Family {
	case unix.AF_INET:
		a := (*unix.RawSockaddrInet4)(unsafe.Pointer(raw))
		return &unix.SockaddrInet4{Addr: a.Addr, Port: int(ntohs(a.Port))}
	case unix.AF_INET6:
		a := (*unix.RawSockaddrInet6)(unsafe.Pointer(raw))
		return &unix.SockaddrInet6{Addr: a.Addr, Port: int(ntohs(a.Port)), ZoneId: a.Scope_id}
	case unix.AF_UNIX:
		a := (*unix.RawSockaddrUnix)(unsafe.Pointer(raw))
		var b []byte
		for _, c := range a.Path {
			if c == 0 {
				break
			}
			b = append(b, byte(c))
		}
		return &unix.SockaddrUnix{Name: string(b)}
	}
	return nil
}

// Autobind does nothing: only Linux names a unixgram socket on request.
func Autobind(int) {}

// setFamily writes the length and family of a raw socket address.
func setFamily(sa unsafe.Pointer, family, size int) {
	raw := (*unix.RawSockaddr)(sa)
	raw.Len, raw.Family = uint8(size), uint8(family)
}
