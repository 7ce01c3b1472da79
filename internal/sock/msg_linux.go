//go:build linux

package sock

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The system calls that recvBatch and sendBatch make, as errors name
// them.
const recvBatchCall, sendBatchCall = "recvmmsg", "sendmmsg"

// recvBatch takes up to len(hdrs) datagrams with one recvmmsg, and
// returns how many it took and the system calls made.
func recvBatch(fd int, hdrs []mmsghdr) (n, calls int, err error) {
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

// Autobind gives an unnamed unixgram socket an abstract name, so that
// replies can reach it: binding an empty name makes Linux choose one.
func Autobind(fd int) {
	_ = unix.Bind(fd, &unix.SockaddrUnix{})
}

// setFamily writes the family of a raw socket address.
func setFamily(sa unsafe.Pointer, family, _ int) {
	(*unix.RawSockaddr)(sa).Family = uint16(family)
}

// recvEach takes up to len(hdrs) datagrams with one recvmsg each, until
// the socket has none left.
func recvEach(fd int, hdrs []mmsghdr) (n, calls int, err error) {
	for n < len(hdrs) {
		r, e := msgCall(unix.SYS_RECVMSG, fd, &hdrs[n].hdr)
		calls++
		if e != nil {
			return n, calls, e
		}
		hdrs[n].n = uint32(r)
		n++
	}
	return n, calls, nil
}

// sendEach sends the datagrams of hdrs with one sendmsg each, and returns
// how many left, the calls made and the error of the first that did not.
func sendEach(fd int, hdrs []mmsghdr) (int, int, error) {
	for i := range hdrs {
		if _, err := msgCall(unix.SYS_SENDMSG, fd, &hdrs[i].hdr); err != nil {
			return i, i + 1, err
		}
	}
	return len(hdrs), len(hdrs), nil
}
