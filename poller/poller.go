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
	Read  []int
	Write []int
}

// Poller waits for readiness on registered non-blocking fds. See the package
// documentation for the contract every implementation meets.
type Poller interface {
	// Add registers fd with the given interest.
	Add(fd int, in Interest) error
	// Modify replaces the interest of a registered fd.
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
	ErrClosed = fmt.Errorf("reactor: poller closed: %w", net.ErrClosed)
	// ErrRegistered is returned by Add for an fd that is already registered.
	ErrRegistered = errors.New("reactor: fd already registered with the poller")
	// ErrNotRegistered is returned by Modify and Remove for an fd that is
	// not registered.
	ErrNotRegistered = errors.New("reactor: fd not registered with the poller")
	// ErrInterest is returned for an Interest other than Read, Write or both.
	ErrInterest = errors.New("reactor: invalid poller interest")
)

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
	return fmt.Errorf("reactor: poller %s fd %d: %w", op, fd, os.NewSyscallError(op, unix.EBADF))
}

// closeFD closes an fd the poller owns. EINTR is not retried: on Linux the fd
// is gone whatever close returned.
func closeFD(fd int) error {
	return os.NewSyscallError("close", unix.Close(fd))
}
