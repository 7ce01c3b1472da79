//go:build linux

package sock

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// On Linux the loop reads and writes sockets with raw system calls, which
// skip the Go runtime's entersyscall/exitsyscall bookkeeping. That
// bookkeeping exists so that a thread blocked in the kernel can give its P
// to other goroutines; the loop's sockets are non-blocking, so these calls
// never block and the bookkeeping is pure cost (two of the three system
// calls per echoed message go through here).

// IO is a loop's socket reads and writes.
type IO struct{}

// Read reads from a non-blocking fd.
func (r *IO) Read(fd int, p []byte) (int, error) { return rawCall(unix.SYS_READ, fd, p) }

// rawCall makes the read or write system call trap on fd with p.
func rawCall(trap uintptr, fd int, p []byte) (int, error) {
	var ptr unsafe.Pointer
	if len(p) > 0 {
		ptr = unsafe.Pointer(&p[0])
	}
	n, _, e := syscall.RawSyscall(trap, uintptr(fd), uintptr(ptr), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// Writev sends a then b in one system call on a non-blocking fd. The
// iovec lives on the stack, so neither a nor b escapes.
func (r *IO) Writev(fd int, a, b []byte) (int, error) {
	switch {
	case len(b) == 0:
		return rawCall(unix.SYS_WRITE, fd, a)
	case len(a) == 0:
		return rawCall(unix.SYS_WRITE, fd, b)
	}
	var iov [2]unix.Iovec
	iov[0].Base, iov[1].Base = &a[0], &b[0]
	iov[0].SetLen(len(a))
	iov[1].SetLen(len(b))
	n, _, e := syscall.RawSyscall(unix.SYS_WRITEV, uintptr(fd), uintptr(unsafe.Pointer(&iov[0])), 2)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}
