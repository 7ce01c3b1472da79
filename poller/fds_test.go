package poller

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// TestMain makes the Go runtime open its own poller (on Linux an epoll fd
// and an eventfd) before any test takes a snapshot of the open fds. The
// runtime opens it lazily, when the first timer is armed or the first
// pollable file opened, and that can happen on another thread in the middle
// of a test: the background scavenger arms a timer whenever it first goes
// to sleep. `go test` usually arms one early, for its -timeout alarm; a test
// binary run by hand, or with -timeout 0, does not, and the runtime's two
// fds then appeared in whichever test was running. A timer made by
// AfterFunc is armed at once, like that alarm.
func TestMain(m *testing.M) {
	time.AfterFunc(time.Hour, func() {}).Stop()
	os.Exit(m.Run())
}

// fdSet maps each fd open in the process to what it refers to: its
// /proc/self/fd link ("socket:[1234]", "anon_inode:[eventfd]"), or "" where
// the system gives none.
type fdSet map[int]string

// openFDs returns the fds open in the process, leaving out the one it reads
// the list through.
func openFDs(t testing.TB) fdSet {
	t.Helper()
	for _, dir := range []string{"/proc/self/fd", "/dev/fd"} {
		d, err := os.Open(dir)
		if err != nil {
			continue
		}
		self := int(d.Fd())
		names, err := d.Readdirnames(-1)
		d.Close()
		require.NoError(t, err)
		fds := make(fdSet, len(names))
		for _, name := range names {
			fd, err := strconv.Atoi(name)
			if err != nil || fd == self {
				continue
			}
			target, _ := os.Readlink(dir + "/" + name) // no link on /dev/fd of the BSDs
			fds[fd] = target
		}
		return fds
	}
	t.Skip("cannot list open fds on this system")
	return nil
}

// since returns the fds open in s that were not open in before, or that
// refer to something else now, sorted.
func (s fdSet) since(before fdSet) []int {
	var fds []int
	for fd, target := range s {
		if was, ok := before[fd]; !ok || was != target {
			fds = append(fds, fd)
		}
	}
	slices.Sort(fds)
	return fds
}

// describe lists fds with what they refer to, for a failure message.
func (s fdSet) describe(fds []int) string {
	out := ""
	for _, fd := range fds {
		out += fmt.Sprintf(" %d=%s", fd, s[fd])
	}
	return out
}

// checkFDs registers a cleanup, run after every cleanup the test registers
// later, that fails the test unless exactly the fds open now are open then:
// none opened and left open, none open now closed. Each fd is compared by
// what it refers to, not only counted, so the message names the culprits.
func checkFDs(t *testing.T) {
	t.Helper()
	before := openFDs(t)
	t.Cleanup(func() {
		after := openFDs(t)
		require.Empty(t, after.since(before), "fds the test left open:%s", after.describe(after.since(before)))
		require.Empty(t, before.since(after), "fds the test closed but did not open:%s", before.describe(before.since(after)))
	})
}

// openPoller opens a poller with open and closes it when the test ends,
// before the checkFDs cleanup: a failing test does not leak it into the next
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
