package reactor

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"time"

	"github.com/goreactor/reactor/poller"
	"golang.org/x/sys/unix"
)

// listener is the part of a Conn that only a listening socket has.
type listener struct {
	addr    net.Addr
	tcp     bool          // accepted connections get TCP_NODELAY
	path    string        // unix socket file to remove on close, if still ours
	dev     uint64        // identity of that file
	ino     uint64        //
	paused  bool          // accepting paused: out of fds
	backoff time.Duration // next pause
	timer   *Timer
}

// Limits of the accept path.
const (
	// maxAcceptsPerPass bounds how many connections one listener accepts
	// in one pass, so that a flood of connections does not starve the
	// connections already open.
	maxAcceptsPerPass = 128
	// listenBacklog is passed to listen(2); the kernel caps it to its own
	// SOMAXCONN setting (net.core.somaxconn on Linux).
	listenBacklog = 1<<16 - 1
	// When the process runs out of fds, accepting pauses for
	// minAcceptBackoff, doubling up to maxAcceptBackoff while it persists.
	minAcceptBackoff = 5 * time.Millisecond
	maxAcceptBackoff = time.Second
)

// Listen opens a listening socket on the loop and returns its address (with
// the port the system chose if the address asked for port 0). network is
// "tcp", "tcp4", "tcp6" or "unix". The socket has SO_REUSEADDR (TCP) and the
// largest backlog the system allows. For "unix", a socket file left by a
// process that is gone is removed first; a socket file that something still
// listens on is not touched, and Listen fails with EADDRINUSE.
//
// Call Listen before Run, from the goroutine that will call Run, or on the
// loop's goroutine. Name resolution may block.
func (l *Loop) Listen(network, address string) (net.Addr, error) {
	return l.listen(network, address, false)
}

// listen is Listen, optionally with SO_REUSEPORT so that several loops can
// listen on one address and let the kernel spread the connections.
func (l *Loop) listen(network, address string, reusePort bool) (net.Addr, error) {
	if l.stopping || l.stopReq.Load() {
		return nil, ErrStopped
	}
	ra, err := resolve(network, address)
	if err != nil {
		return nil, err
	}
	fd, err := sysSocket(ra.family)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	ln := &listener{tcp: ra.tcp}
	if reusePort {
		err = setReusePort(fd)
	}
	if err == nil {
		err = l.bindListen(fd, ra, ln)
	}
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("reactor: listen %s %s: %w", network, address, err)
	}
	return l.addListener(fd, ln, true)
}

// ListenFD adopts a listening socket the process inherited, for example
// from systemd socket activation (fd 3 onwards, see LISTEN_FDS) or from a
// parent that restarts without dropping connection attempts. The loop takes
// the fd over: it makes it non-blocking and close-on-exec, accepts on it,
// and closes it when the loop stops. The fd must be a listening stream
// socket. If ListenFD fails, the fd stays the caller's.
func (l *Loop) ListenFD(fd int) (net.Addr, error) {
	if l.stopping || l.stopReq.Load() {
		return nil, ErrStopped
	}
	listening, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ACCEPTCONN)
	if err != nil {
		return nil, fmt.Errorf("reactor: listen on fd %d: %w", fd, os.NewSyscallError("getsockopt", err))
	}
	if listening == 0 {
		return nil, fmt.Errorf("reactor: fd %d is not a listening socket: %w", fd, unix.EINVAL)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		return nil, os.NewSyscallError("fcntl", err)
	}
	unix.CloseOnExec(fd)
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return nil, os.NewSyscallError("getsockname", err)
	}
	_, unixSocket := sa.(*unix.SockaddrUnix)
	return l.addListener(fd, &listener{tcp: !unixSocket}, false)
}

// addListener registers a bound, listening socket with the loop. If that
// fails, the fd is closed only if the loop made it (owned).
func (l *Loop) addListener(fd int, ln *listener, owned bool) (net.Addr, error) {
	sa, err := unix.Getsockname(fd)
	if err == nil {
		ln.addr = sockaddrToAddr(sa)
		err = l.p.Add(fd, poller.Read)
	}
	if err != nil {
		if owned {
			l.removeSocketFile(ln)
			unix.Close(fd)
		}
		return nil, err
	}
	c := &Conn{loop: l, fd: int32(fd), ln: ln, flags: fRegRead}
	l.setFD(fd, c)
	l.lns = append(l.lns, c)
	return ln.addr, nil
}

func (l *Loop) bindListen(fd int, ra sockAddr, ln *listener) error {
	if ra.tcp {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
			return os.NewSyscallError("setsockopt", err)
		}
	}
	if ra.family == unix.AF_INET6 {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, ra.v6only); err != nil {
			return os.NewSyscallError("setsockopt", err)
		}
	}
	if ua, ok := ra.sa.(*unix.SockaddrUnix); ok {
		if err := removeStaleSocket(ua.Name); err != nil {
			return err
		}
	}
	if err := unix.Bind(fd, ra.sa); err != nil {
		return os.NewSyscallError("bind", err)
	}
	if ua, ok := ra.sa.(*unix.SockaddrUnix); ok {
		var st unix.Stat_t
		if err := unix.Stat(ua.Name, &st); err == nil {
			ln.path, ln.dev, ln.ino = ua.Name, uint64(st.Dev), uint64(st.Ino)
		}
	}
	if err := unix.Listen(fd, listenBacklog); err != nil {
		l.removeSocketFile(ln)
		return os.NewSyscallError("listen", err)
	}
	return nil
}

// removeStaleSocket removes the unix socket file at path if no process
// listens on it any more (a connect is refused). A file that is not a
// socket, or a socket in use, is left alone.
func removeStaleSocket(path string) error {
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
	probe, err := sysSocket(unix.AF_UNIX)
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

// removeSocketFile removes a listener's unix socket file if it is still the
// one the listener created.
func (l *Loop) removeSocketFile(ln *listener) {
	if ln.path == "" {
		return
	}
	var st unix.Stat_t
	if unix.Stat(ln.path, &st) == nil && uint64(st.Dev) == ln.dev && uint64(st.Ino) == ln.ino {
		os.Remove(ln.path)
	}
	ln.path = ""
}

func (l *Loop) closeListener(c *Conn) {
	if c.flags&fClosed != 0 {
		return
	}
	c.flags |= fClosed
	if c.ln.timer != nil {
		c.ln.timer.Stop()
	}
	_ = l.p.Remove(int(c.fd))
	l.fds[c.fd] = nil
	l.removeSocketFile(c.ln)
	_ = unix.Close(int(c.fd))
}

// setFD records the owner of fd in the loop's table.
func (l *Loop) setFD(fd int, c *Conn) {
	for fd >= len(l.fds) {
		l.fds = append(l.fds, nil)
	}
	l.fds[fd] = c
}

// accept takes pending connections from a listener the poller reported
// readable: until EAGAIN, at most maxAcceptsPerPass.
func (l *Loop) accept(lc *Conn) {
	ln := lc.ln
	for range maxAcceptsPerPass {
		fd, err := l.sys.accept(int(lc.fd))
		switch err {
		case nil:
			ln.backoff = 0
			if l.handoff != nil {
				l.handoff(fd, ln.tcp) // a Group spreads connections over its loops
			} else if err := l.open(fd, ln.tcp); err != nil {
				// The poller refused the fd (out of memory, say): back off
				// as for running out of fds rather than fail every accept.
				l.pauseAccept(lc, err)
				return
			}
			continue
		case unix.EAGAIN:
			return
		case unix.EINTR, unix.ECONNABORTED, unix.EPROTO, unix.ENETDOWN, unix.ENETUNREACH,
			unix.EHOSTDOWN, unix.EHOSTUNREACH, unix.EOPNOTSUPP, unix.ENOPROTOOPT:
			// The pending connection failed (accept(2) passes up its
			// network errors): go on with the next one.
			continue
		case unix.EMFILE, unix.ENFILE, unix.ENOBUFS, unix.ENOMEM:
			l.pauseAccept(lc, err)
			return
		default:
			// Unexpected: back off rather than retry every pass.
			l.pauseAccept(lc, err)
			return
		}
	}
}

// pauseAccept stops accepting on a listener for a while when the process
// or the system is out of fds or memory: the pending connection stays in
// the backlog and the listener stays readable, so without a pause the loop
// would spin. Accepting resumes after a backoff that doubles while the
// shortage lasts.
func (l *Loop) pauseAccept(lc *Conn, err error) {
	ln := lc.ln
	ln.backoff = min(max(2*ln.backoff, minAcceptBackoff), maxAcceptBackoff)
	l.st[statAcceptPauses]++
	l.log.Warn("reactor: accept paused", "addr", ln.addr, "err", err, "retry_in", ln.backoff)
	if err := l.p.Modify(int(lc.fd), 0); err != nil {
		l.log.Error("reactor: cannot pause accepting", "addr", ln.addr, "err", err)
		return
	}
	ln.paused = true
	resume := func() {
		if lc.flags&fClosed != 0 || !ln.paused {
			return
		}
		if err := l.p.Modify(int(lc.fd), poller.Read); err != nil {
			l.log.Error("reactor: cannot resume accepting", "addr", ln.addr, "err", err)
			return
		}
		ln.paused = false
	}
	if ln.timer == nil {
		ln.timer = l.AfterFunc(ln.backoff, resume)
	} else {
		ln.timer.f = resume
		ln.timer.Reset(ln.backoff)
	}
}

// open adopts an accepted socket as a connection of this loop, unless the
// loop is at its connection limit or stopping, or the poller refuses the fd:
// then the socket is reset and counted in Stats.Rejected, and in the last
// case open returns the poller's error. Every accepted socket is thus
// counted once, in Accepted or in Rejected.
func (l *Loop) open(fd int, tcp bool) error {
	if l.stopping || l.cfg.maxConns > 0 && l.conns >= l.cfg.maxConns {
		l.reject(fd)
		return nil // refused by choice: nothing to back off from
	}
	if err := l.p.Add(fd, poller.Read); err != nil {
		l.reject(fd)
		return err
	}
	l.st[statAccepted]++
	if tcp {
		// Replies are written whole at the end of a pass; Nagle's delay
		// would only add latency.
		_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
		if l.cfg.keepAlive > 0 {
			setKeepAlive(fd, l.cfg.keepAlive)
		}
	}
	c := &Conn{loop: l, fd: int32(fd), flags: fRegRead}
	l.setFD(fd, c)
	l.conns++
	l.started(c)
	return nil
}

// reject closes an accepted socket at once, with a reset, so that the
// client learns at once instead of waiting.
func (l *Loop) reject(fd int) {
	l.st[statRejected]++
	_ = unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
	_ = unix.Close(fd)
}

// started runs when a connection is ready for use, accepted or dialed: it
// applies the default timeouts and calls OnOpen.
func (l *Loop) started(c *Conn) {
	if l.cfg.readIdle > 0 || l.cfg.writeIdle > 0 || c.tm != nil {
		tm := c.timers()
		if !tm.readSet { // a Dial's caller may have set its own already
			tm.readTimeout = l.cfg.readIdle
		}
		if !tm.writeSet {
			tm.writeTimeout = l.cfg.writeIdle
		}
		l.armTimers(c)
	}
	l.callOnOpen(c)
}
