package sock

import "golang.org/x/sys/unix"

// Writable reports whether a send on fd would find room in its buffer now:
// a poll(2) that does not wait.
func Writable(fd int) bool {
	fds := [1]unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
	n, err := unix.Poll(fds[:], 0)
	return err == nil && n == 1 && fds[0].Revents&unix.POLLOUT != 0
}
