//go:build linux

package reactor

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// receiveBatch takes up to len(hdrs) datagrams with one recvmmsg, and
// returns how many it took and the system calls made.
func receiveBatch(fd int, hdrs []mmsghdr) (n, calls int, err error) {
	r, _, e := syscall.RawSyscall6(unix.SYS_RECVMMSG, uintptr(fd), uintptr(unsafe.Pointer(&hdrs[0])), uintptr(len(hdrs)), 0, 0, 0)
	if e != 0 {
		return 0, 1, e
	}
	return int(r), 1, nil
}

// sendBatch sends the datagrams of hdrs with one sendmmsg, and returns how
// many left; if not all did, the error is that of the first that did not
// (a later call meets it again), or nil.
func sendBatch(fd int, hdrs []mmsghdr) (int, int, error) {
	r, _, e := syscall.RawSyscall6(unix.SYS_SENDMMSG, uintptr(fd), uintptr(unsafe.Pointer(&hdrs[0])), uintptr(len(hdrs)), 0, 0, 0)
	if e != 0 {
		return 0, 1, e
	}
	return int(r), 1, nil
}

// msgCall makes one recvmsg or sendmsg (trap) with h.
func msgCall(trap uintptr, fd int, h *unix.Msghdr) (int, error) {
	r, _, e := syscall.RawSyscall(trap, uintptr(fd), uintptr(unsafe.Pointer(h)), 0)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

// autobind gives an unnamed unixgram socket an abstract name, so that
// replies can reach it: binding an empty name makes Linux choose one.
func autobind(fd int) {
	_ = unix.Bind(fd, &unix.SockaddrUnix{})
}

// setFamily writes the family of a raw socket address.
func setFamily(sa unsafe.Pointer, family, _ int) {
	(*unix.RawSockaddr)(sa).Family = uint16(family)
}
