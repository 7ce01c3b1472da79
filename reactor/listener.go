package reactor

import (
	"crypto/tls"
	"net"
	"time"

	"github.com/goreactor/reactor/internal/sock"
	"github.com/goreactor/reactor/poller"
	"golang.org/x/sys/unix"
)

// listener is a listening socket of the loop: readable means connections
// wait to be accepted.
type listener struct {
	loop    *Loop
	fd      int
	addr    net.Addr
	tcp     bool          // accepted connections get TCP_NODELAY and keepalive
	tls     *tls.Config   // for ListenTLS: accepted connections begin with a TLS handshake
	file    sock.File     // unix socket file to remove on close, if still ours
	paused  bool          // accepting paused: out of fds
	closed  bool          // closed: its fd is no longer ours
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

func (ln *listener) readable() { ln.accept() }
func (ln *listener) writable() {}

// stop closes the listener when shutdown begins.
func (ln *listener) stop() { ln.close() }

// endGrace is nothing to a listener.
func (ln *listener) endGrace() {}

// awaitingAck is false: a listener sends nothing.
func (ln *listener) awaitingAck() (bool, time.Duration) { return false, 0 }

// end closes the listener when the loop ends.
func (ln *listener) end() { ln.close() }

// close unregisters the listening socket, to be closed in the close phase
// (retireFD), and removes its unix socket file.
func (ln *listener) close() {
	if ln.closed {
		return
	}
	ln.closed = true
	if ln.timer != nil {
		ln.timer.Stop()
	}
	ln.file.Remove()
	ln.loop.retireFD(ln.fd)
}

// accept takes pending connections from a listener the poller reported
// readable: until EAGAIN, at most maxAcceptsPerPass.
func (ln *listener) accept() {
	l := ln.loop
	for range maxAcceptsPerPass {
		fd, err := l.sys.accept(ln.fd)
		switch err {
		case nil:
			ln.backoff = 0
			if l.handoff != nil {
				l.handoff(fd, ln.tcp, ln.tls) // a Group spreads connections over its loops
			} else if err := l.open(fd, ln.tcp, ln.tls); err != nil {
				// The poller refused the fd (out of memory, say): back off
				// as for running out of fds rather than fail every accept.
				ln.pause(err)
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
			ln.pause(err)
			return
		default:
			// Unexpected: back off rather than retry every pass.
			ln.pause(err)
			return
		}
	}
}

// pause stops accepting for a while when the process or the system is out
// of fds or memory: the pending connection stays in the backlog and the
// listener stays readable, so without a pause the loop would spin.
// Accepting resumes after a backoff that doubles while the shortage lasts.
func (ln *listener) pause(err error) {
	l := ln.loop
	ln.backoff = min(max(2*ln.backoff, minAcceptBackoff), maxAcceptBackoff)
	l.st[statAcceptPauses]++
	l.log.Warn("reactor: accept paused", "addr", ln.addr, "err", err, "retry_in", ln.backoff)
	if err := l.p.Modify(ln.fd, 0); err != nil {
		l.log.Error("reactor: cannot pause accepting", "addr", ln.addr, "err", err)
		return
	}
	ln.paused = true
	if ln.timer == nil {
		ln.timer = l.AfterFunc(ln.backoff, ln.resume)
	} else {
		ln.timer.Reset(ln.backoff)
	}
}

// resume accepts again after a pause.
func (ln *listener) resume() {
	l := ln.loop
	if ln.closed || !ln.paused {
		return
	}
	if err := l.p.Modify(ln.fd, poller.Read); err != nil {
		l.log.Error("reactor: cannot resume accepting", "addr", ln.addr, "err", err)
		return
	}
	ln.paused = false
}

// open adopts an accepted socket as a connection of this loop, unless the
// loop is at its connection limit or stopping, or the poller refuses the fd:
// then the socket is reset and counted in Stats.Rejected, and in the last
// case open returns the poller's error. Every accepted socket is thus
// counted once, in Accepted or in Rejected (a Group's hand-off to a loop
// that has stopped counts in the first loop's Rejected). With a TLS config the
// connection begins with the handshake; OnOpen follows it.
func (l *Loop) open(fd int, tcp bool, tcfg *tls.Config) error {
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
			sock.SetKeepAlive(fd, l.cfg.keepAlive)
		}
	}
	c := &Conn{loop: l, fd: int32(fd), state: stOpen}
	l.setFD(fd, c)
	l.conns++
	if tcfg != nil {
		c.beginTLS(tcfg, true)
		return nil
	}
	c.start()
	return nil
}

// reject closes an accepted socket at once, with a reset, so that the
// client learns at once instead of waiting.
func (l *Loop) reject(fd int) {
	l.st[statRejected]++
	_ = unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
	_ = unix.Close(fd)
}

// start runs when a connection is ready for use, accepted or dialed: it
// applies the default timeouts and calls OnOpen.
func (c *Conn) start() {
	l := c.loop
	if l.cfg.readIdle > 0 || l.cfg.writeIdle > 0 || c.ext != nil {
		tm := c.extras()
		if !tm.readSet { // a Dial's caller may have set its own already
			tm.readTimeout = l.cfg.readIdle
		}
		if !tm.writeSet {
			tm.writeTimeout = l.cfg.writeIdle
		}
		c.armTimers()
	}
	l.callOnOpen(c)
}
