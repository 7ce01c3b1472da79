package reactor

import (
	"io"
	"os"
	"time"

	"github.com/goreactor/reactor/internal/sock"
	"github.com/goreactor/reactor/poller"
	"golang.org/x/sys/unix"
)

// How a connection closes. The handler's part ends at OnClose, which runs in
// the close phase of the pass in which its queued output has left and FIN
// has been sent (or in which the output was dropped, with a reset). The
// loop's part may go on after that: a connection whose peer has not sent
// its FIN yet lingers, read and discarded until that FIN or the linger
// timeout, because closing a socket with unread input makes the kernel
// reset the connection, and a reset can destroy output the peer has not
// read yet. The fd is released in a close phase too (or when the loop
// ends), so no callback sees a reused fd. The states are at connState.

// minCloseStall is the least time a closing connection's output may go
// without progress before it is dropped, whatever the linger: a peer that
// reads frees room at least once a round trip, so a shorter bound would cut
// a flush that is making progress.
const minCloseStall = time.Second

// Close closes the connection once its queued output has been sent: no more
// OnData is called, and bytes that still arrive are discarded. Nothing
// written before Close is lost for a peer that reads: when the output has
// left, the loop sends FIN and OnClose runs. The output may go without
// progress for at most the linger timeout (WithLinger, at least one second);
// beyond that it is dropped, the peer gets a reset and OnClose reports
// ErrWriteTimeout (unless CloseWithError gave a reason). After OnClose the
// loop still reads and discards until the peer's FIN, for at most the
// linger, so that closing the socket does not reset what the peer has not
// read yet; the handler no longer sees the connection. A second Close
// returns ErrClosed.
func (c *Conn) Close() error {
	if c.closing() {
		return ErrClosed
	}
	l := c.loop
	switch {
	case c.state < stOpen && c.earlyOutput():
		c.set(factCloseAfterConnect) // the output leaves once connected (and the handshake done)
		return nil
	case c.state == stConnecting:
		c.state = stClosing
		l.queueClose(c) // never connected: no FIN to send
		return nil
	case c.state == stOpen && c.has(factTLS):
		c.ext.tls.closeNotify()
	}
	c.state = stClosing
	if c.Pending() == 0 {
		c.endOutput()
	} else {
		// The output must keep moving: a peer that stops reading cannot
		// hold a closed connection for longer than the stall bound.
		c.extras().lastWrite = l.clock
		c.armTimers()
	}
	c.updateInterest()
	return nil
}

// earlyOutput reports whether a connection that is not open yet has output
// waiting for it to be.
func (c *Conn) earlyOutput() bool {
	if c.has(factTLS) {
		return c.earlyTLS() > 0 // the output holds the handshake's own
	}
	return c.Pending() > 0
}

// CloseWithError is Close with a reason: OnClose will report err. A
// handler that finds the peer breaking the protocol (a frame over the
// maximum, say) queues a last reply if it wants to, and calls it.
func (c *Conn) CloseWithError(err error) error {
	if c.closing() {
		return ErrClosed
	}
	if c.err == nil || c.err == io.EOF {
		c.err = err
	}
	return c.Close()
}

// CloseWrite half-closes the connection, as shutdown(SHUT_WR) does: once
// the queued output has left, the peer gets FIN, and later writes return
// ErrClosed. Reading goes on: OnData still sees what the peer sends. When
// the peer's FIN comes too, the connection closes (OnClose reports io.EOF).
func (c *Conn) CloseWrite() error {
	if !c.acceptsOutput() {
		return ErrClosed
	}
	c.set(factWantFIN)
	if c.state != stOpen {
		return nil // FIN once connected (and, for TLS, after the handshake)
	}
	if c.has(factTLS) {
		c.ext.tls.closeNotify() // queued: FIN follows once it has left
	}
	if c.Pending() == 0 {
		c.sendFIN()
	}
	return nil
}

// Abort closes the connection now: queued output is dropped and, on TCP,
// the peer gets a reset (RST) instead of an orderly FIN, so it can tell that
// data was lost. OnClose follows in the next close phase, before the loop waits again.
// Inside or after OnClose it returns ErrClosed and changes nothing.
func (c *Conn) Abort() error {
	if c.state == stAborting || c.handlerDone() {
		return ErrClosed
	}
	c.set(factReset)
	c.abort(nil)
	return nil
}

// sendFIN sends FIN now that the output of a half-closed connection has
// left. If the peer's FIN came already, the connection is done.
func (c *Conn) sendFIN() {
	if err := unix.Shutdown(int(c.fd), unix.SHUT_WR); err != nil {
		c.abort(os.NewSyscallError("shutdown", err))
		return
	}
	c.set(factFINSent)
	if c.has(factPeerEOF) {
		c.loop.queueClose(c)
	}
}

// endOutput is called when a closing connection has no output left: the
// loop sends FIN (shutdown SHUT_WR: the kernel sends it after the bytes
// already handed to it) and queues the connection for OnClose in this
// pass.
func (c *Conn) endOutput() {
	if !c.has(factPeerEOF | factFINSent) {
		if unix.Shutdown(int(c.fd), unix.SHUT_WR) == nil {
			c.set(factFINSent)
		} // else not connected any more: closing is all that is left
	}
	c.loop.queueClose(c)
}

// abort closes c in the close phase of this pass, dropping its output; if
// there is output to drop, the peer gets a reset, so that it cannot take
// the truncated stream for a whole one. The first reason given is the one
// OnClose reports, except that an error overrides io.EOF: a peer that sent
// FIN and then made the sending of the reply fail lost output, and OnClose
// says so.
func (c *Conn) abort(reason error) {
	if c.handlerDone() {
		return
	}
	if dropped := c.Pending() + c.earlyTLS(); dropped > 0 {
		c.set(factReset)
		c.loop.st[statOutputDropped] += uint64(dropped)
	}
	if c.err == nil || c.err == io.EOF && reason != nil {
		c.err = reason
	}
	c.state = stAborting
	c.loop.queueClose(c)
}

// stop closes the connection when shutdown begins: at once (FIN, then
// OnClose) if nothing is queued, else once its output has left; a
// StopHandler has its say first. One that has not opened yet (connecting,
// or in its TLS handshake) ends at once: no peer waits for what it would
// send, which is dropped.
func (c *Conn) stop() {
	switch {
	case c.state < stOpen:
		c.abort(ErrStopped)
	case !c.closing():
		if sh := optional(c, c.loop.sh); sh != nil && c.state == stOpen {
			c.loop.callOnStop(c, sh)
			if c.closing() {
				return // closed by the handler, or its panic
			}
		}
		c.err = ErrStopped
		c.Close()
	}
}

// endGrace drops the output that has not left when the grace period ends.
func (c *Conn) endGrace() { c.abort(ErrStopped) }

// awaitingAck reports whether the peer of a lingering connection has not
// acknowledged all that was sent to it yet, and the round trip the kernel
// measured for the connection (0 if it cannot tell).
func (c *Conn) awaitingAck() (bool, time.Duration) {
	if c.state != stLingering || sock.Unacked(int(c.fd)) == 0 {
		return false, 0
	}
	return true, sock.RoundTrip(int(c.fd))
}

// end closes the fd when the loop ends, whatever the connection's state;
// one the handler still saw is counted closed, though without OnClose
// (the goroutine is ending).
func (c *Conn) end() {
	if !c.handlerDone() {
		c.state = stClosed
		c.loop.conns--
		c.loop.st[statClosed]++
	}
	c.release()
}

// closeStall is how long a closing connection's output may go without
// progress before it is dropped.
func (l *Loop) closeStall() time.Duration {
	return max(l.cfg.linger, minCloseStall)
}

// queueClose puts c on the list of the close phase of this pass.
func (l *Loop) queueClose(c *Conn) {
	if !c.has(factMarked) {
		c.set(factMarked)
		l.closing = append(l.closing, c)
	}
}

// closeMarked is the close phase: for each connection queued by queueClose,
// OnClose if the handler has not been told yet, then either lingering or
// the release of the fd; then the fds retired since the last close phase
// (packet sockets and listeners, see fd_close.go) are closed.
func (l *Loop) closeMarked() {
	// OnClose may close other connections, which appends to the list.
	for i := 0; i < len(l.closing); i++ {
		c := l.closing[i]
		if c == nil {
			continue // taken by a close phase that a handler's Goexit cut short
		}
		l.closing[i] = nil
		c.clear(factMarked)
		if c.state == stLingering {
			c.release()
			continue
		}
		aborted := c.state == stAborting
		if !c.handlerDone() {
			c.endHandlerView()
		}
		if c.has(factReleased) {
			continue
		}
		if !aborted && c.has(factFINSent) && !c.has(factPeerEOF|factReset) && l.cfg.linger > 0 {
			c.beginLinger()
		} else {
			c.release()
		}
	}
	l.closing = l.closing[:0]
	l.closeRetired()
}

// endHandlerView runs OnClose and frees what only the handler used: the
// connection's buffers, its place in Conns. Closing calls made inside
// OnClose already find the connection closed.
func (c *Conn) endHandlerView() {
	c.state = stClosed
	if c.ext != nil && c.ext.t != nil {
		c.ext.t.Stop()
	}
	defer c.forget() // even if OnClose ends the goroutine
	c.loop.callOnClose(c)
}

// forget drops a connection from the handler's count and frees its buffers.
func (c *Conn) forget() {
	l := c.loop
	l.conns--
	l.st[statClosed]++
	if c.in != nil {
		l.addHeld(-c.in.Len())
		l.rings.put(c.in)
		c.in = nil
	}
	if c.out != nil {
		l.addHeld(-c.out.Len())
		l.rings.put(c.out)
		c.out = nil
	}
}

// beginLinger keeps the fd of a connection whose FIN has left, reading and
// discarding until the peer's FIN or the linger timeout.
func (c *Conn) beginLinger() {
	l := c.loop
	if err := l.p.Modify(int(c.fd), poller.Read); err != nil {
		c.release()
		return
	}
	c.clear(factWaitWrite)
	c.state = stLingering
	l.lingering++
	c.extras().lingerUntil = after(l.now(), l.cfg.linger)
	c.armTimers()
}

// lingerExpired runs when a lingering connection's peer did not send FIN
// within the linger timeout: the fd is released anyway.
func (c *Conn) lingerExpired() {
	c.loop.st[statLingerTimeouts]++
	c.loop.queueClose(c)
}

// release unregisters and closes the fd, with a reset if output was
// dropped.
func (c *Conn) release() {
	if c.has(factReleased) {
		return
	}
	l, fd := c.loop, int(c.fd)
	if c.ext != nil && c.ext.t != nil {
		c.ext.t.Stop()
	}
	if c.state == stLingering {
		l.lingering--
	}
	c.state = stClosed
	c.set(factReleased)
	if c.has(factTLS) {
		c.ext.tls.release()
	}
	_ = l.p.Remove(fd) // cannot fail for a registered fd; nothing to do if it did
	l.fds[fd] = nil
	if c.has(factReset) {
		// SO_LINGER with a zero timeout: close sends RST, not FIN.
		_ = unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
	} else if !c.has(factPeerEOF) {
		l.discardInput(fd)
	}
	_ = unix.Close(fd)
}

// maxDiscardReads bounds the reads of discardInput.
const maxDiscardReads = 16

// discardInput reads and drops what has arrived on fd, before an orderly
// close: closing a socket with unread input makes the kernel send a reset
// and drop the output it has not sent yet, while a socket closed with
// nothing unread goes on sending it.
func (l *Loop) discardInput(fd int) {
	for range maxDiscardReads {
		n, err := l.sys.read(fd, l.rbuf)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			return
		}
		l.st[statReads]++
	}
}
