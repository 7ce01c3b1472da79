package poller

import "fmt"

// registry remembers, per fd, whether it is registered and with what
// interest, so that the front end checks arguments the same way for every
// mechanism and tells the kernel only about changes. It is a byte per fd
// indexed by fd number: fds are small dense integers. The bits above
// stRegistered are spare; a mechanism may use them within one wait (kqueue
// does, to report an fd once per list), and set clears them.
type registry struct {
	state []uint8
}

const (
	stInterest   = uint8(Read | Write)
	stRegistered = 1 << 2
)

// lookup returns the interest of fd and whether fd is registered.
func (g *registry) lookup(fd int) (Interest, bool) {
	if fd < 0 || fd >= len(g.state) || g.state[fd]&stRegistered == 0 {
		return 0, false
	}
	return Interest(g.state[fd] & stInterest), true
}

// checkAdd validates an Add before the mechanism touches the kernel.
func (g *registry) checkAdd(fd int, in Interest) error {
	if fd < 0 {
		return errBadFD("add", fd)
	}
	if in&^(Read|Write) != 0 {
		return fmt.Errorf("%w: %d", ErrInterest, uint8(in))
	}
	if _, ok := g.lookup(fd); ok {
		return fmt.Errorf("%w: fd %d", ErrRegistered, fd)
	}
	return nil
}

// current validates a Modify or Remove and returns the fd's interest.
func (g *registry) current(fd int, in Interest) (Interest, error) {
	if in&^(Read|Write) != 0 {
		return 0, fmt.Errorf("%w: %d", ErrInterest, uint8(in))
	}
	old, ok := g.lookup(fd)
	if !ok {
		return 0, fmt.Errorf("%w: fd %d", ErrNotRegistered, fd)
	}
	return old, nil
}

// set records fd as registered with interest in.
func (g *registry) set(fd int, in Interest) {
	if fd >= len(g.state) {
		n := 2 * len(g.state)
		if n <= fd {
			n = fd + 1
		}
		grown := make([]uint8, n)
		copy(grown, g.state)
		g.state = grown
	}
	g.state[fd] = stRegistered | uint8(in)
}

// clear forgets fd.
func (g *registry) clear(fd int) {
	if fd >= 0 && fd < len(g.state) {
		g.state[fd] = 0
	}
}
