package poller

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// openPoller opens a poller with open and closes it when the test ends,
// before the testkit.CheckFDs cleanup: a failing test does not leak it into the next
// one. A test may close it itself.
func openPoller(t *testing.T, open func() (Poller, error)) Poller {
	t.Helper()
	p, err := open()
	require.NoError(t, err)
	t.Cleanup(func() {
		if err := p.Close(); !errors.Is(err, ErrClosed) {
			require.NoError(t, err, "Close")
		}
	})
	return p
}

// Helpers over raw fds. They register cleanups that close what they open.

func socketpair(t testing.TB) (int, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	require.NoError(t, err)
	closeAtEnd(t, fds[0], fds[1])
	for _, fd := range fds {
		require.NoError(t, unix.SetNonblock(fd, true))
	}
	return fds[0], fds[1]
}

func pipe(t testing.TB) (int, int) {
	t.Helper()
	var fds [2]int
	require.NoError(t, unix.Pipe(fds[:]))
	closeAtEnd(t, fds[0], fds[1])
	for _, fd := range fds {
		require.NoError(t, unix.SetNonblock(fd, true))
	}
	return fds[0], fds[1]
}

// closeAtEnd closes fds when the test ends, except those the test closed
// itself: by then the number may belong to another file (the next
// socketpair's, the runtime's), which a second close would take away. An
// fd is still the test's if it refers to the same file (device and inode)
// as when it was opened.
func closeAtEnd(t testing.TB, fds ...int) {
	t.Helper()
	type file struct{ dev, ino uint64 }
	identify := func(fd int) (file, error) {
		var st unix.Stat_t
		err := unix.Fstat(fd, &st)
		return file{uint64(st.Dev), uint64(st.Ino)}, err
	}
	opened := make([]file, len(fds))
	for i, fd := range fds {
		f, err := identify(fd)
		require.NoError(t, err)
		opened[i] = f
	}
	t.Cleanup(func() {
		for i, fd := range fds {
			if f, err := identify(fd); err == nil && f == opened[i] {
				_ = unix.Close(fd)
			}
		}
	})
}

func writeAll(t testing.TB, fd int, p []byte) {
	t.Helper()
	n, err := unix.Write(fd, p)
	require.NoError(t, err)
	require.Equal(t, len(p), n)
}

// fill writes until the socket's send buffer is full.
func fill(t testing.TB, fd int) {
	t.Helper()
	buf := make([]byte, 64<<10)
	for {
		_, err := unix.Write(fd, buf)
		if errors.Is(err, unix.EAGAIN) {
			return
		}
		require.NoError(t, err)
	}
}

// drain reads until the socket has nothing more to give.
func drain(t testing.TB, fd int) {
	t.Helper()
	buf := make([]byte, 64<<10)
	for {
		n, err := unix.Read(fd, buf)
		if errors.Is(err, unix.EAGAIN) || n == 0 && err == nil {
			return
		}
		require.NoError(t, err)
	}
}
