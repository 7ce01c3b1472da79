package reactor

import (
	"crypto/tls"
	"os"
	"time"

	"github.com/goreactor/reactor/internal/sock"
	"github.com/goreactor/reactor/poller"
	"golang.org/x/sys/unix"
)

// Dial starts connecting to address ("tcp", "tcp4", "tcp6" or "unix"),
// and returns the connection at once so that the caller can attach its
// state with SetContext. A host name in address is resolved first, and
// that blocks the loop while it lasts: give an IP address, or resolve the
// name on another goroutine and Post the Dial. The connect itself goes on
// in the background (EINPROGRESS, then write readiness, then SO_ERROR): once it
// succeeds the handler's OnOpen runs on the loop, and from then on the
// connection is like an accepted one. If it fails, or does not finish
// within timeout (0: no timeout other than the system's), OnClose runs with
// the error (ErrDialTimeout for the timeout) and OnOpen never does. Bytes
// written before OnOpen are sent once connected.
//
// Dial returns an error itself only when it cannot even start: an unknown
// network, a name that does not resolve, no socket. Call it on the loop's
// goroutine, or before Run (see "Ownership" in the package documentation).
func (l *Loop) Dial(network, address string, timeout time.Duration) (*Conn, error) {
	return l.dial(network, address, timeout, nil)
}

// dial is Dial, and DialTLS with a TLS config.
func (l *Loop) dial(network, address string, timeout time.Duration, tcfg *tls.Config) (*Conn, error) {
	if l.stopping || l.stopReq.Load() {
		return nil, ErrStopped
	}
	ra, err := resolveStream(network, address)
	if err != nil {
		return nil, err
	}
	fd, err := sock.Socket(ra.family, unix.SOCK_STREAM)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	if err := l.p.Add(fd, poller.Write); err != nil {
		unix.Close(fd)
		return nil, err
	}
	c := &Conn{loop: l, fd: int32(fd), state: stConnecting, facts: factWaitWrite}
	if tcfg != nil {
		// The handshake begins once connected; until OnOpen, writes are kept.
		c.set(factTLS)
		c.extras().tls = &tlsConn{c: c, cfg: tcfg}
	}
	if ra.tcp {
		c.set(factTCP)
	}
	l.setFD(fd, c)
	l.conns++
	l.st[statDialed]++
	switch err := unix.Connect(fd, ra.sa); err {
	case nil, unix.EINPROGRESS, unix.EINTR:
		// Done, or going on: the poller reports the fd writable either way.
	default:
		c.abort(os.NewSyscallError("connect", err)) // OnClose in this pass
		return c, nil
	}
	if timeout > 0 {
		c.extras().connectBy = after(l.now(), timeout)
		c.armTimers()
	}
	return c, nil
}

// connected runs when the poller reports a connecting socket: the connect
// has finished, and SO_ERROR says how.
func (c *Conn) connected() {
	if c.has(factMarked) {
		return
	}
	l := c.loop
	errno, err := unix.GetsockoptInt(int(c.fd), unix.SOL_SOCKET, unix.SO_ERROR)
	if err == nil && errno != 0 {
		err = unix.Errno(errno)
	}
	if err != nil {
		c.abort(os.NewSyscallError("connect", err))
		return
	}
	if c.has(factTCP) {
		_ = unix.SetsockoptInt(int(c.fd), unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
		if l.cfg.keepAlive > 0 {
			sock.SetKeepAlive(int(c.fd), l.cfg.keepAlive)
		}
	}
	if tm := c.ext; tm != nil {
		// The idle clocks start now, not at Dial.
		tm.connectBy, tm.lastRead, tm.lastWrite = 0, l.clock, l.clock
	}
	if c.has(factTLS) {
		c.beginTLS(c.ext.tls.cfg, false) // OnOpen once the handshake is done
		return
	}
	c.state = stOpen
	if c.has(factCloseAfterConnect) {
		c.clear(factCloseAfterConnect)
		c.state = stClosing // closed before it connected: no OnOpen
	}
	switch {
	case c.Pending() > 0:
		l.markDirty(c) // written before OnOpen
	case c.has(factWantFIN):
		c.sendFIN() // CloseWrite before OnOpen
	}
	c.updateInterest()
	if c.state == stOpen {
		c.start()
	} else {
		c.armTimers()
	}
}
