package reactor

import (
	"io"
	"os"
	"time"

	"github.com/goreactor/reactor/poller"
	"golang.org/x/sys/unix"
)

// How a connection closes. The handler's part ends at OnClose, which runs in
// the close phase of the pass in which its queued output has left and FIN has
// been sent (or in which the output was dropped, with a reset). The loop's
// part may go on after that: a connection whose peer has not sent its FIN
// yet lingers, read and discarded until that FIN or the linger timeout,
// because closing a socket with unread input makes the kernel reset the
// connection, and a reset can destroy output the peer has not read yet. The
// fd is released in a close phase too, so no callback sees a reused fd.
//
// Transitions (flags of connFlags):
//
//	open --Close--> closing --output left: FIN--> OnClose --> lingering --peer's FIN or linger--> released
//	open --peer's FIN--> closing (or OnPeerClose, for a HalfCloser)
//	any --Abort, an error, stalled output, the grace period--> OnClose (output dropped: RST) --> released

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
	if c.flags&(fClosing|fClosed) != 0 {
		return ErrClosed
	}
	c.flags |= fClosing
	l := c.loop
	if c.Pending() == 0 {
		l.drained(c)
	} else {
		// The output must keep moving: a peer that stops reading cannot
		// hold a closed connection for longer than the stall bound.
		c.timers().lastWrite = l.clock
		l.armTimers(c)
	}
	l.sync(c)
	return nil
}

// CloseWithError is Close with a reason: OnClose will report err. A
// handler that finds the peer breaking the protocol (a frame over the
// maximum, say) queues a last reply if it wants to, and calls it.
func (c *Conn) CloseWithError(err error) error {
	if c.flags&(fClosing|fClosed) != 0 {
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
	if c.flags&(fClosing|fClosed|fWantShutWR) != 0 {
		return ErrClosed
	}
	c.flags |= fWantShutWR
	if c.Pending() == 0 && c.flags&fConnecting == 0 {
		c.loop.shutWrite(c)
	}
	return nil
}

// PeerClosed reports whether the peer has sent FIN: it will send nothing
// more, though it may still read what the connection writes.
func (c *Conn) PeerClosed() bool { return c.flags&fPeerEOF != 0 }

// InputFull reports, inside OnData, that the connection's unconsumed input
// has reached its maximum (WithMaxInput): the loop reads no more from it
// until the handler consumes some. A handler that consumes nothing in that
// call cannot make progress, so the connection then closes as by Close:
// what the handler wrote (an error reply, say) is sent, then FIN, and
// OnClose reports ErrInputFull.
func (c *Conn) InputFull() bool { return c.flags&fInputFull != 0 }

// Abort closes the connection now: queued output is dropped and, on TCP,
// the peer gets a reset (RST) instead of an orderly FIN, so it can tell that
// data was lost. OnClose follows in the same pass, at the safe point.
// Inside or after OnClose it returns ErrClosed and changes nothing.
func (c *Conn) Abort() error {
	if c.flags&(fClosed|fAbort) != 0 {
		return ErrClosed
	}
	c.flags |= fReset
	c.loop.abort(c, nil)
	return nil
}

// peerClosed handles a 0-byte read: the peer sent FIN. The connection
// closes once its queued output has left; the reason is io.EOF, or
// io.ErrUnexpectedEOF if the peer stopped in the middle of a message.
//
// A handler that implements HalfCloser is told instead, and decides: it may
// go on writing and close later. If it already half-closed its side
// (CloseWrite) and its FIN has left, both directions are done and the
// connection closes.
func (l *Loop) peerClosed(c *Conn) {
	c.flags |= fPeerEOF
	if c.flags&fClosing != 0 {
		if c.Pending() == 0 {
			l.mark(c) // a lingering connection: its wait is over
		} else {
			l.sync(c) // no more reading: the FIN would be reported every pass
		}
		return
	}
	c.err = io.EOF
	if c.in != nil && c.in.Len() > 0 {
		c.err = io.ErrUnexpectedEOF
	}
	if l.hc == nil {
		c.Close()
		return
	}
	l.callOnPeerClose(c)
	if c.flags&fShutWR != 0 && c.flags&fClosing == 0 {
		l.mark(c)
	}
	l.sync(c)
}

// shutWrite sends FIN now that the output of a half-closed connection has
// left. If the peer's FIN came already, the connection is done.
func (l *Loop) shutWrite(c *Conn) {
	if err := unix.Shutdown(int(c.fd), unix.SHUT_WR); err != nil {
		l.abort(c, os.NewSyscallError("shutdown", err))
		return
	}
	c.flags |= fShutWR
	if c.flags&fPeerEOF != 0 {
		l.mark(c)
	}
}

// drained is called when a closing connection has no output left: the loop
// sends FIN (shutdown SHUT_WR: the kernel sends it after the bytes already
// handed to it) and queues the connection for OnClose in this pass.
func (l *Loop) drained(c *Conn) {
	if c.flags&(fPeerEOF|fAbort|fConnecting|fShutWR) == 0 {
		if unix.Shutdown(int(c.fd), unix.SHUT_WR) == nil {
			c.flags |= fShutWR
		} // else not connected any more: closing is all that is left
	}
	l.mark(c)
}

// closeStall is how long a closing connection's output may go without
// progress before it is dropped.
func (l *Loop) closeStall() time.Duration {
	return max(l.cfg.linger, minCloseStall)
}

// mark queues c for the close phase of this pass.
func (l *Loop) mark(c *Conn) {
	if c.flags&fMarked == 0 {
		c.flags |= fMarked
		l.closing = append(l.closing, c)
	}
}

// abort closes c in the close phase of this pass, dropping its output; if
// there is output to drop, the peer gets a reset, so that it cannot take
// the truncated stream for a whole one. The first reason given is the one
// OnClose reports, except that an error overrides io.EOF: a peer that sent
// FIN and then made the sending of the reply fail lost output, and OnClose
// says so.
func (l *Loop) abort(c *Conn, reason error) {
	if c.flags&fClosed != 0 {
		return
	}
	if c.Pending() > 0 {
		c.flags |= fReset
	}
	if c.err == nil || c.err == io.EOF && reason != nil {
		c.err = reason
	}
	c.flags |= fClosing | fAbort
	l.mark(c)
}

// closeMarked is the close phase: for each connection queued by mark,
// OnClose if the handler has not been told yet, then either lingering or
// the release of the fd.
func (l *Loop) closeMarked() {
	// OnClose may close other connections, which appends to the list.
	for i := 0; i < len(l.closing); i++ {
		c := l.closing[i]
		if c == nil {
			continue // taken by a close phase that a handler's Goexit cut short
		}
		l.closing[i] = nil
		c.flags &^= fMarked
		if c.flags&fClosed == 0 {
			l.endHandlerView(c)
		}
		if c.flags&fReleased != 0 {
			continue
		}
		if c.flags&(fShutWR|fPeerEOF|fReset|fAbort|fLingering) == fShutWR && l.cfg.linger > 0 {
			l.beginLinger(c)
		} else {
			l.release(c)
		}
	}
	l.closing = l.closing[:0]
}

// endHandlerView runs OnClose and frees what only the handler used: the
// connection's buffers, its place in Conns. Closing calls made inside
// OnClose already find the connection closed.
func (l *Loop) endHandlerView(c *Conn) {
	c.flags |= fClosed
	if c.tm != nil && c.tm.t != nil {
		c.tm.t.Stop()
	}
	defer l.forget(c) // even if OnClose ends the goroutine
	l.callOnClose(c)
}

// forget drops a connection from the handler's count and frees its buffers.
func (l *Loop) forget(c *Conn) {
	l.conns--
	l.st[statClosed]++
	if c.in != nil {
		l.buffered(-c.in.Len())
		l.rings.put(c.in)
		c.in = nil
	}
	if c.out != nil {
		l.buffered(-c.out.Len())
		l.rings.put(c.out)
		c.out = nil
	}
}

// beginLinger keeps the fd of a connection whose FIN has left, reading and
// discarding until the peer's FIN or the linger timeout.
func (l *Loop) beginLinger(c *Conn) {
	if c.flags&(fRegRead|fRegWrite) != fRegRead {
		if err := l.p.Modify(int(c.fd), poller.Read); err != nil {
			l.release(c)
			return
		}
		c.flags = c.flags&^fRegWrite | fRegRead
	}
	c.flags |= fLingering
	l.lingering++
	c.timers().lingerUntil = after(l.now(), l.cfg.linger)
	l.armTimers(c)
}

// lingerExpired runs when a lingering connection's peer did not send FIN
// within the linger timeout: the fd is released anyway.
func (l *Loop) lingerExpired(c *Conn) {
	l.st[statLingerTimeouts]++
	l.mark(c)
}

// release unregisters and closes the fd, with a reset if output was dropped.
func (l *Loop) release(c *Conn) {
	if c.flags&fReleased != 0 {
		return
	}
	fd := int(c.fd)
	if c.tm != nil && c.tm.t != nil {
		c.tm.t.Stop()
	}
	if c.flags&fLingering != 0 {
		l.lingering--
	}
	c.flags = c.flags&^fLingering | fReleased
	_ = l.p.Remove(fd) // cannot fail for a registered fd; nothing to do if it did
	l.fds[fd] = nil
	if c.flags&fReset != 0 {
		// SO_LINGER with a zero timeout: close sends RST, not FIN.
		_ = unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
	} else if c.flags&fPeerEOF == 0 {
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
