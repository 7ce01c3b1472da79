package reactor

import "golang.org/x/sys/unix"

// Closing an fd safely. The kernel gives a closed fd's number to the next
// socket the process opens, and the read and write phases hand out
// readiness reports by number: a report collected in this pass for an fd
// closed in a callback of this pass would reach whatever took the number
// next (a Dial in the same callback, say, whose connect would seem to have
// finished). So an fd the poller knows is closed only in the close phase
// (closeMarked), after the reports of the pass were handed out, or when the
// loop ends. A connection is released there already; a packet socket or a
// listener that closes elsewhere is retired instead: taken out of the
// poller and the fd table at once, so that a report still to come finds no
// owner, while its number stays taken until the close phase closes it.

// retireFD takes fd out of the poller and the fd table, and queues it to
// be closed in the close phase; before Run, with no pass to protect, it
// closes it at once.
func (l *Loop) retireFD(fd int) {
	_ = l.p.Remove(fd) // cannot fail for a registered fd; nothing to do if it did
	l.fds[fd] = nil
	if !l.passing {
		_ = unix.Close(fd)
		return
	}
	l.retired = append(l.retired, fd)
}

// closeRetired closes the fds retired since the last close phase.
func (l *Loop) closeRetired() {
	for _, fd := range l.retired {
		_ = unix.Close(fd)
	}
	l.retired = l.retired[:0]
}
