package poller

import (
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// A Poller is two halves. The front end, frontEnd in this file, is the same
// for every system: it owns the contract of the package documentation that
// does not depend on the kernel (ErrClosed after Close, the registry of
// fds and their interest with its errors, a Modify that changes nothing
// making no system call, Wake-ups collapsing through one atomic flag). A
// mechanism is the kernel half, one file per mechanism with its //go:build
// line (poller_epoll.go, poller_kqueue.go, poller_poll.go): a constructor
// of the newMechanism type and the four methods of the mechanism interface
// (control, wait, signal, close), and nothing else. newBest, defined once per
// system by the file of its best mechanism (poller_other.go where there is
// neither epoll nor kqueue), is the constructor New uses.

// Interest says which readiness a caller wants to hear about for an fd.
type Interest uint8

// The interests an fd can be registered with; combine them with |.
const (
	Read  Interest = 1 << iota // report the fd when a read would not block
	Write                      // report the fd when a write would not block
)

// String returns "", "r", "w" or "rw".
func (in Interest) String() string {
	switch in {
	case 0:
		return ""
	case Read:
		return "r"
	case Write:
		return "w"
	case Read | Write:
		return "rw"
	}
	return fmt.Sprintf("Interest(%d)", uint8(in))
}

// Ready holds the result of one Wait: the fds ready to be read and the fds
// ready to be written. Wait truncates and refills both slices, keeping their
// backing arrays.
type Ready struct {
	Read  []int // fds ready to read (or at their end: a peer's FIN, an error)
	Write []int // fds ready to write
}

// Poller waits for readiness on registered non-blocking fds. See the package
// documentation for the contract every implementation meets.
type Poller interface {
	// Add registers fd with the given interest.
	Add(fd int, in Interest) error
	// Modify replaces the interest of a registered fd. When in is the
	// interest already registered, it succeeds without a system call.
	Modify(fd int, in Interest) error
	// Remove forgets a registered fd. Call it before closing the fd.
	Remove(fd int) error
	// Wait blocks for at most timeout (forever if negative) and fills r.
	Wait(timeout time.Duration, r *Ready) error
	// Wake makes a Wait in progress, or the next one, return. Any goroutine
	// may call it.
	Wake() error
	// Close releases the fds the poller owns.
	Close() error
}

// Errors returned by every backend; test them with errors.Is.
var (
	// ErrClosed is returned by every method of a closed poller. It also
	// matches net.ErrClosed.
	ErrClosed = fmt.Errorf("poller: closed: %w", net.ErrClosed)
	// ErrRegistered is returned by Add for an fd that is already registered.
	ErrRegistered = errors.New("poller: fd already registered")
	// ErrNotRegistered is returned by Modify and Remove for an fd that is
	// not registered.
	ErrNotRegistered = errors.New("poller: fd not registered")
	// ErrInterest is returned for an Interest other than 0, Read, Write or
	// Read|Write.
	ErrInterest = errors.New("poller: invalid interest")
)

// New returns the best poller for this system: epoll on Linux, kqueue on
// macOS and the BSDs, poll(2) elsewhere.
func New() (Poller, error) {
	return open(newBest)
}

// NewPoll returns a poll(2) poller. It works on every Unix and serves as the
// portable fallback; on Linux the tests run the whole suite on it as a second
// mechanism.
func NewPoll() (Poller, error) {
	return open(newPoll)
}

// mechanism is the kernel half of a Poller. The front end calls it only
// while the poller is open, with arguments it has validated, and only for a
// change: a mechanism neither checks nor records registrations.
type mechanism interface {
	// control changes the kernel's interest in fd from old to in, which
	// differ. old is zero when the fd is added, in is zero when it is
	// removed or left with no interest.
	control(fd int, old, in Interest) error
	// wait blocks for at most timeout and appends the ready fds to r,
	// whose lists are empty, leaving out the wake-up fd. It reports
	// whether it drained a wake-up. EINTR is a nil error.
	wait(timeout time.Duration, r *Ready) (woken bool, err error)
	// signaler makes the kernel end the current or next wait; any
	// goroutine may call it.
	signaler
	// close releases the fds the mechanism opened.
	close() error
}

// newMechanism opens a mechanism. reg is the front end's registry, which
// the mechanism may read (and use the spare bits of) during wait.
type newMechanism func(reg *registry) (mechanism, error)

// frontEnd is the one implementation of Poller: the part of the contract
// that is the same on every system, over a mechanism.
type frontEnd struct {
	m      mechanism
	reg    registry
	gate   wakeGate
	closed bool
}

func open(newM newMechanism) (Poller, error) {
	p := &frontEnd{}
	m, err := newM(&p.reg)
	if err != nil {
		return nil, err
	}
	p.m = m
	return p, nil
}

func (p *frontEnd) Add(fd int, in Interest) error {
	if p.closed {
		return ErrClosed
	}
	if err := p.reg.checkAdd(fd, in); err != nil {
		return err
	}
	// An fd with no interest is kept out of the kernel's set: epoll would
	// still report EPOLLHUP and EPOLLERR for it.
	if in != 0 {
		if err := p.m.control(fd, 0, in); err != nil {
			return err
		}
	}
	p.reg.set(fd, in)
	return nil
}

func (p *frontEnd) Modify(fd int, in Interest) error {
	if p.closed {
		return ErrClosed
	}
	old, err := p.reg.current(fd, in)
	if err != nil || old == in {
		return err
	}
	if err := p.m.control(fd, old, in); err != nil {
		return err
	}
	p.reg.set(fd, in)
	return nil
}

func (p *frontEnd) Remove(fd int) error {
	if p.closed {
		return ErrClosed
	}
	old, err := p.reg.current(fd, 0)
	if err != nil {
		return err
	}
	// The fd is forgotten even if the kernel refuses (for example because
	// the caller closed it first, which took it out of the kernel's set).
	p.reg.clear(fd)
	if old == 0 {
		return nil
	}
	return p.m.control(fd, old, 0)
}

func (p *frontEnd) Wait(timeout time.Duration, r *Ready) error {
	r.Read, r.Write = r.Read[:0], r.Write[:0]
	if p.closed {
		return ErrClosed
	}
	woken, err := p.m.wait(timeout, r)
	if woken {
		p.gate.consumed()
	}
	return err
}

func (p *frontEnd) Wake() error {
	return p.gate.wake(p.m)
}

func (p *frontEnd) Close() error {
	if p.closed {
		return ErrClosed
	}
	p.closed = true
	p.gate.close()
	return p.m.close()
}

// The event array starts at initialEvents entries and doubles, up to
// maxEvents, each time a Wait fills it.
const (
	initialEvents = 128
	maxEvents     = 1 << 14
)

// timeoutMillis converts a Wait timeout to the milliseconds of epoll_wait and
// poll(2): -1 for forever, 0 for a poll, and otherwise rounded up so that a
// short positive timeout does not become a busy poll.
func timeoutMillis(d time.Duration) int {
	switch {
	case d < 0:
		return -1
	case d == 0:
		return 0
	}
	if d > math.MaxInt32*time.Millisecond {
		return math.MaxInt32 // before rounding up, which could overflow
	}
	return int((d + time.Millisecond - 1) / time.Millisecond)
}

// growEvents returns a doubled event array when the last Wait filled the
// current one, so that a burst of ready fds is reported in fewer calls.
func growEvents[E any](events []E, n int) []E {
	if n == len(events) && n < maxEvents {
		return make([]E, 2*n)
	}
	return events
}

func errBadFD(op string, fd int) error {
	return fmt.Errorf("poller: %s fd %d: %w", op, fd, os.NewSyscallError(op, unix.EBADF))
}

// closeFD closes an fd the poller owns. EINTR is not retried: on Linux the fd
// is gone whatever close returned.
func closeFD(fd int) error {
	return os.NewSyscallError("close", unix.Close(fd))
}
