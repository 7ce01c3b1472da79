package sock

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// Bind binds fd, a socket of type typ, to sa. For a unix socket, a stale
// socket file is removed first, and the file bound is returned, to be
// removed when the socket closes (File.Remove). Its errors name the call
// that failed (os.NewSyscallError: bind; socket or connect for the check
// of a stale file).
func Bind(fd int, sa unix.Sockaddr, typ int) (File, error) {
	ua, isUnix := sa.(*unix.SockaddrUnix)
	if isUnix {
		if err := removeStaleSocket(ua.Name, typ); err != nil {
			return File{}, err
		}
	}
	if err := unix.Bind(fd, sa); err != nil {
		return File{}, os.NewSyscallError("bind", err)
	}
	var f File
	if isUnix {
		var st unix.Stat_t
		if err := unix.Stat(ua.Name, &st); err == nil {
			f = File{path: ua.Name, dev: uint64(st.Dev), ino: uint64(st.Ino)}
		}
	}
	return f, nil
}

// removeStaleSocket removes the unix socket file at path, for a socket of
// type typ, if no process listens on it any more (a connect is refused). A
// file that is not a socket, or a socket in use, is left alone.
func removeStaleSocket(path string, typ int) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.Mode()&fs.ModeSocket == 0 {
		return fmt.Errorf("%s exists and is not a socket: %w", path, unix.EADDRINUSE)
	}
	probe, err := Socket(unix.AF_UNIX, typ)
	if err != nil {
		return os.NewSyscallError("socket", err)
	}
	defer unix.Close(probe)
	switch err := unix.Connect(probe, &unix.SockaddrUnix{Name: path}); err {
	case unix.ECONNREFUSED:
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	case nil, unix.EAGAIN, unix.EINPROGRESS:
		return fmt.Errorf("%s is in use: %w", path, unix.EADDRINUSE)
	default:
		return os.NewSyscallError("connect", err)
	}
}

// File is the file of a bound unix socket, with its identity, so that
// closing the socket removes the file only if it is still that one. The
// zero File is none.
type File struct {
	path     string
	dev, ino uint64
}

// Remove removes the socket file if it is still the one bound, and
// forgets it.
func (f *File) Remove() {
	if f.path == "" {
		return
	}
	var st unix.Stat_t
	if unix.Stat(f.path, &st) == nil && uint64(st.Dev) == f.dev && uint64(st.Ino) == f.ino {
		os.Remove(f.path)
	}
	f.path = ""
}
