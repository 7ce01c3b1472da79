package reactor

import "github.com/goreactor/reactor/internal/sock"

// syscalls is the loop's boundary with the kernel for connection I/O: the
// calls that move bytes or accept connections. The loop calls them
// through this table so that tests can put a fault injector in between
// (short reads and writes, EAGAIN, EINTR, resets: see fault_test.go);
// outside tests the table holds the real calls. One send bypasses it: the
// direct send of a large Write (writeNow), so that Write's argument does not
// escape; write_test.go tests that path against the kernel's own short
// writes instead.
type syscalls struct {
	read   func(fd int, p []byte) (int, error)
	writev func(fd int, a, b []byte) (int, error)
	accept func(fd int) (int, error)
}

func (l *Loop) realSyscalls() syscalls {
	return syscalls{read: l.raw.Read, writev: l.raw.Writev, accept: sock.Accept}
}
