package reactor

import (
	"io"
	"os"

	"github.com/goreactor/reactor/poller"
	"golang.org/x/sys/unix"
)

// This file holds the loop's per-connection paths: reading and OnData
// (step 8), flushing output (steps 4 and 9), interest and closing (step 5).

// readable reads once from a connection the poller reported readable. With
// level-triggered readiness one read per report is enough: if more bytes are
// waiting, the next Wait reports the fd again.
func (l *Loop) readable(c *Conn) {
	if c.flags&(fAbort|fClosed) != 0 {
		return
	}
	n, err := l.sys.read(int(c.fd), l.rbuf)
	l.st[statReads]++
	if err != nil {
		if err != unix.EAGAIN && err != unix.EINTR {
			l.abort(c, os.NewSyscallError("read", err))
		}
		return
	}
	if n == 0 {
		l.peerClosed(c)
		return
	}
	l.st[statBytesIn] += uint64(n)
	if c.tm != nil {
		c.tm.lastRead = l.clock
	}
	if c.flags&fClosing != 0 {
		return // closing: what still arrives is discarded
	}
	l.deliver(c, l.rbuf[:n])
}

// deliver shows data, just read into the loop's buffer, to OnData after the
// connection's leftover input, and keeps what the handler leaves.
func (l *Loop) deliver(c *Conn, data []byte) {
	if c.in == nil {
		// The common case: no leftover, so OnData reads the loop's buffer
		// directly and only an unconsumed tail is copied.
		l.cur, l.fresh = c, data
		l.callOnData(c)
		rest := l.fresh
		l.cur, l.fresh = nil, nil
		if len(rest) == 0 || c.flags&fClosing != 0 {
			return
		}
		c.in = l.rings.get(l.cfg.maxInput)
		k, _ := c.in.Write(rest)
		l.buffered(k)
		if k < len(rest) {
			l.abort(c, ErrInputFull)
		}
		return
	}
	// Leftover input: append the new bytes and let OnData see the whole. If
	// they do not all fit under the maximum, OnData sees what fits, and the
	// rest once it has made room; a handler that consumes nothing from a
	// full ring can never make progress, so the connection is closed.
	for len(data) > 0 && c.flags&fClosing == 0 {
		k, _ := c.in.Write(data)
		l.buffered(k)
		if k == 0 {
			l.abort(c, ErrInputFull)
			return
		}
		data = data[k:]
		l.callOnData(c)
	}
	if c.in.Len() == 0 || c.flags&fClosing != 0 {
		l.buffered(-c.in.Len())
		l.rings.put(c.in)
		c.in = nil
	}
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
			l.mark(c) // Close was waiting for this FIN
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

// drained is called when a closing connection has no output left. If the
// peer has sent FIN, or the connection is aborted, it is closed in this
// pass. Otherwise the loop sends FIN (shutdown SHUT_WR: the kernel sends it
// after the queued bytes) and keeps reading, to discard, until the peer's
// FIN or the linger timeout: closing a socket that has unread input makes
// the kernel reset the connection, and a reset destroys the output the peer
// has not received yet.
func (l *Loop) drained(c *Conn) {
	if c.flags&(fPeerEOF|fAbort|fConnecting) != 0 {
		l.mark(c)
		return
	}
	if c.flags&fShutWR == 0 {
		if unix.Shutdown(int(c.fd), unix.SHUT_WR) != nil {
			l.mark(c) // not connected any more: nothing to wait for
			return
		}
		c.flags |= fShutWR
	}
	c.timers().lingerUntil = l.now() + l.cfg.linger // now for the peer's FIN
	l.armTimers(c)
}

// buffered adds n (possibly negative) to the bytes the loop holds in
// connection buffers, and keeps the peak for Stats.
func (l *Loop) buffered(n int) {
	l.held += n
	if l.held > l.peakHeld {
		l.peakHeld = l.held
	}
}

// markDirty puts c on the list that step 4 flushes.
func (l *Loop) markDirty(c *Conn) {
	if c.flags&fDirty == 0 {
		c.flags |= fDirty
		l.dirty = append(l.dirty, c)
	}
}

// flushDirty is step 4. A connection already waiting for the poller to
// report room is skipped: trying now would only meet EAGAIN.
func (l *Loop) flushDirty() {
	// OnWritable, called from flush, may write and so append to the list.
	for i := 0; i < len(l.dirty); i++ {
		c := l.dirty[i]
		l.dirty[i] = nil
		c.flags &^= fDirty
		if c.flags&fRegWrite == 0 {
			l.flush(c)
		} else {
			l.sync(c) // waits for room; but a write may have paused reading
		}
	}
	l.dirty = l.dirty[:0]
}

// flush sends as much queued output as the socket takes, in one writev,
// and registers write interest only if some is left: a partial send.
func (l *Loop) flush(c *Conn) {
	if c.flags&(fAbort|fClosed|fConnecting) != 0 {
		return // a connecting socket's output waits for the connection
	}
	if out := c.out; out != nil && out.Len() > 0 {
		a, b := out.Readable()
		n, err := l.sys.writev(int(c.fd), a, b)
		l.st[statWrites]++
		if n > 0 {
			out.Discard(n)
			l.buffered(-n)
			l.st[statBytesOut] += uint64(n)
			if c.tm != nil {
				c.tm.lastWrite = l.clock
			}
		}
		if err != nil && err != unix.EAGAIN && err != unix.EINTR {
			l.abort(c, os.NewSyscallError("writev", err))
			return
		}
		if out.Len() > 0 {
			l.st[statPartialWrites]++
		}
	}
	if c.Pending() == 0 {
		l.releaseOut(c)
		switch {
		case c.flags&fClosing != 0:
			l.drained(c)
		case c.flags&(fWantShutWR|fShutWR) == fWantShutWR:
			l.shutWrite(c)
		}
	}
	if c.flags&fPaused != 0 && c.Pending() <= l.cfg.lowWater {
		c.flags &^= fPaused
		if c.tm != nil {
			c.tm.lastRead = l.clock // the read-idle clock restarts
		}
		if l.wh != nil && c.flags&fClosing == 0 {
			l.callOnWritable(c)
		}
	}
	l.sync(c)
}

// releaseOut gives an empty output ring back to the pool.
func (l *Loop) releaseOut(c *Conn) {
	if c.out != nil && c.out.Len() == 0 {
		l.rings.put(c.out)
		c.out = nil
	}
}

// sync tells the poller the interest the connection's state calls for, if
// it differs from what is registered. Read: unless the peer sent FIN or
// reading is paused by backpressure (a closing connection keeps reading, to
// discard what arrives). Write: while output is left over from a send (new
// output is first tried in step 4 without asking the poller).
func (l *Loop) sync(c *Conn) {
	if c.flags&(fAbort|fMarked|fClosed) != 0 {
		return // step 5 unregisters it
	}
	var want, have poller.Interest
	switch {
	case c.flags&fConnecting != 0:
		want = poller.Write // writable: the connect finished, one way or the other
	default:
		if c.flags&fPeerEOF == 0 && (c.flags&fPaused == 0 || c.flags&fClosing != 0) {
			want |= poller.Read
		}
		if c.Pending() > 0 && (c.flags&fDirty == 0 || c.flags&fRegWrite != 0) {
			want |= poller.Write
		}
	}
	if c.flags&fRegRead != 0 {
		have |= poller.Read
	}
	if c.flags&fRegWrite != 0 {
		have |= poller.Write
	}
	if want == have {
		return
	}
	if err := l.p.Modify(int(c.fd), want); err != nil {
		l.abort(c, err)
		return
	}
	if want&poller.Write != 0 && have&poller.Write == 0 {
		l.st[statWriteWaits]++
	}
	c.flags &^= fRegRead | fRegWrite
	if want&poller.Read != 0 {
		c.flags |= fRegRead
	}
	if want&poller.Write != 0 {
		c.flags |= fRegWrite
	}
}

// mark queues c for step 5.
func (l *Loop) mark(c *Conn) {
	if c.flags&fMarked == 0 {
		c.flags |= fMarked
		l.closing = append(l.closing, c)
	}
}

// abort closes c at step 5 of this pass, dropping its output. The first
// reason given is the one OnClose reports, except that an error overrides
// io.EOF: a peer that sent FIN and then made the sending of the reply fail
// lost output, and OnClose says so.
func (l *Loop) abort(c *Conn, reason error) {
	if c.flags&fClosed != 0 {
		return
	}
	if c.err == nil || c.err == io.EOF && reason != nil {
		c.err = reason
	}
	c.flags |= fClosing | fAbort
	l.mark(c)
}

// closeMarked is step 5: OnClose, then the fd is unregistered and closed.
func (l *Loop) closeMarked() {
	// OnClose may close other connections, which appends to the list.
	for i := 0; i < len(l.closing); i++ {
		c := l.closing[i]
		l.closing[i] = nil
		l.finish(c)
	}
	l.closing = l.closing[:0]
}

func (l *Loop) finish(c *Conn) {
	if c.flags&fClosed != 0 {
		return
	}
	fd := int(c.fd)
	if c.tm != nil && c.tm.t != nil {
		c.tm.t.Stop()
	}
	l.callOnClose(c)
	c.flags |= fClosed
	_ = l.p.Remove(fd) // cannot fail for a registered fd; nothing to do if it did
	l.fds[fd] = nil
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
	if c.flags&fReset != 0 {
		// SO_LINGER with a zero timeout: close sends RST, not FIN.
		_ = unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
	}
	_ = unix.Close(fd)
}
