//go:build unix

package poller

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// poll is the portable mechanism: poll(2) over an array of pollfd, the
// same question select(2) asks with its readers and writers sets, without
// select's FD_SETSIZE limit. Each Wait costs time in proportion to the number
// of fds with an interest, which is why epoll and kqueue are preferred.
// Changing an interest is no system call: the next poll(2) reads the array.
type poll struct {
	fds   []unix.PollFd // fds[0] is the wake-up fd; then every fd with an interest
	slot  []int32       // fd -> index in fds; 0 means not in fds
	waker *fdWaker
}

// newPoll opens the wake-up fd of a poll(2) mechanism.
func newPoll(*registry) (mechanism, error) {
	w, err := newFDWaker()
	if err != nil {
		return nil, err
	}
	p := &poll{waker: w}
	p.fds = append(p.fds, unix.PollFd{Fd: int32(w.rfd)})
	setEvents(&p.fds[0], Read)
	return p, nil
}

// setEvents sets the events poll(2) watches for in pfd. (The field's type
// differs between systems, hence the untyped constants.)
func setEvents(pfd *unix.PollFd, in Interest) {
	pfd.Events = 0
	if in&Read != 0 {
		pfd.Events |= unix.POLLIN
	}
	if in&Write != 0 {
		pfd.Events |= unix.POLLOUT
	}
}

// control puts fd in the pollfd array with interest in, or takes it out
// when in is zero, keeping the array dense.
func (p *poll) control(fd int, _, in Interest) error {
	for fd >= len(p.slot) {
		p.slot = append(p.slot, 0)
	}
	i := p.slot[fd]
	switch {
	case in != 0 && i == 0:
		p.slot[fd] = int32(len(p.fds))
		p.fds = append(p.fds, unix.PollFd{Fd: int32(fd)})
		setEvents(&p.fds[len(p.fds)-1], in)
	case in != 0:
		setEvents(&p.fds[i], in)
	case i != 0:
		last := len(p.fds) - 1
		moved := p.fds[last]
		p.fds[i] = moved
		p.slot[moved.Fd] = i
		p.fds = p.fds[:last]
		p.slot[fd] = 0
	}
	return nil
}

func (p *poll) wait(timeout time.Duration, r *Ready) (woken bool, err error) {
	n, err := unix.Poll(p.fds, timeoutMillis(timeout))
	if err != nil {
		if err == unix.EINTR {
			return false, nil
		}
		return false, os.NewSyscallError("poll", err)
	}
	if n > 0 && p.fds[0].Revents != 0 {
		p.waker.drain()
		woken = true
		n--
	}
	for i := 1; n > 0 && i < len(p.fds); i++ {
		pfd := &p.fds[i]
		rev := pfd.Revents
		if rev == 0 {
			continue
		}
		n--
		hup := rev&(unix.POLLHUP|unix.POLLERR|unix.POLLNVAL) != 0
		if hup || rev&(unix.POLLIN|unix.POLLPRI) != 0 {
			r.Read = append(r.Read, int(pfd.Fd))
		}
		if hup || rev&unix.POLLOUT != 0 {
			r.Write = append(r.Write, int(pfd.Fd))
		}
	}
	return woken, nil
}

func (p *poll) signal() error {
	return p.waker.signal()
}

func (p *poll) close() error {
	return p.waker.close()
}
