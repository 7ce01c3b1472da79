//go:build linux

package reactor

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

// iovecs is writev's argument, kept in the Loop so that it does not escape.
type iovecs [2]unix.Iovec

// read reads from a non-blocking fd.
func (l *Loop) read(fd int, p []byte) (int, error) { return rawIO(unix.SYS_READ, fd, p) }

// write writes p to a non-blocking fd.
func (l *Loop) write(fd int, p []byte) (int, error) { return rawIO(unix.SYS_WRITE, fd, p) }

// rawIO makes the read or write system call trap on fd with p.
func rawIO(trap uintptr, fd int, p []byte) (int, error) {
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

// writev sends a then b in one system call on a non-blocking fd.
func (l *Loop) writev(fd int, a, b []byte) (int, error) {
	if len(b) == 0 {
		return l.write(fd, a)
	}
	l.iov[0].Base, l.iov[1].Base = &a[0], &b[0]
	l.iov[0].SetLen(len(a))
	l.iov[1].SetLen(len(b))
	n, _, e := syscall.RawSyscall(unix.SYS_WRITEV, uintptr(fd), uintptr(unsafe.Pointer(&l.iov[0])), 2)
	l.iov[0].Base, l.iov[1].Base = nil, nil
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}
