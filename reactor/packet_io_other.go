//go:build !linux

package reactor

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// Without recvmmsg and sendmmsg, a batch is one recvmsg or sendmsg per
// datagram.

func receiveBatch(fd int, hdrs []mmsghdr) (n, calls int, err error) {
	return receiveEach(fd, hdrs)
}

func sendBatch(fd int, hdrs []mmsghdr) (int, int, error) { return sendEach(fd, hdrs) }

// msgCall makes one recvmsg or sendmsg (trap) with h.
func msgCall(trap uintptr, fd int, h *unix.Msghdr) (int, error) {
	r, _, e := unix.Syscall(trap, uintptr(fd), uintptr(unsafe.Pointer(h)), 0)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

// autobind does nothing: only Linux names a unixgram socket on request.
func autobind(int) {}

// setFamily writes the length and family of a raw socket address.
func setFamily(sa unsafe.Pointer, family, size int) {
	raw := (*unix.RawSockaddr)(sa)
	raw.Len, raw.Family = uint8(size), uint8(family)
}
