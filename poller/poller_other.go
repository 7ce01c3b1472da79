//go:build unix && !linux && !darwin && !dragonfly && !freebsd && !netbsd && !openbsd

package poller

// newBest opens the best mechanism where there is neither epoll nor kqueue:
// poll(2).
func newBest(reg *registry) (mechanism, error) { return newPoll(reg) }
