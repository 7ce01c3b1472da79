//go:build unix && !linux && !darwin && !dragonfly && !freebsd && !netbsd && !openbsd

package poller

// New returns the best poller for this system; where there is neither epoll
// nor kqueue, that is poll(2).
func New() (Poller, error) {
	return NewPoll()
}
