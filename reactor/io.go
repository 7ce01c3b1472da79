package reactor

import (
	"os"

	"github.com/goreactor/reactor/poller"
	"golang.org/x/sys/unix"
)

// This file holds the loop's per-connection paths: reading and OnData
// (step 8), flushing output (steps 4 and 9) and interest; close.go has the
// closing (step 5).

// readable reads once from a connection the poller reported readable. With
// level-triggered readiness one read per report is enough: if more bytes are
// waiting, the next Wait reports the fd again.
func (l *Loop) readable(c *Conn) {
	if c.flags&(fAbort|fClosed) != 0 && c.flags&fLingering == 0 {
		return
	}
	n, err := l.sys.read(int(c.fd), l.rbuf)
	l.st[statReads]++
	if err != nil {
		switch {
		case err == unix.EAGAIN || err == unix.EINTR:
		case c.flags&fLingering != 0:
			l.mark(c) // the peer is gone: nothing left to wait for
		default:
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
	max := l.cfg.maxInput
	if c.in == nil {
		// The common case: no leftover, so OnData reads the loop's buffer
		// directly and only an unconsumed tail is copied.
		l.cur, l.fresh = c, data
		l.callOnData(c)
		data = l.fresh
		l.cur, l.fresh = nil, nil
		if len(data) == 0 || c.flags&fClosing != 0 {
			return
		}
		c.in = l.rings.get(max)
		if len(data) < max {
			k, _ := c.in.Write(data)
			l.buffered(k)
			return
		}
		// The tail reaches the maximum: OnData must be told (below).
	}
	// Append the new bytes to the leftover and let OnData see the whole.
	// While they do not all fit under the maximum, OnData sees a full
	// input, told so by InputFull, and the rest once it has made room; a
	// handler that consumes nothing from a full input can never make
	// progress, so the connection closes (its replies still leave).
	for c.flags&fClosing == 0 {
		k, _ := c.in.Write(data)
		l.buffered(k)
		data = data[k:]
		held := c.in.Len()
		full := held >= max
		if full {
			c.flags |= fInputFull
		}
		l.callOnData(c)
		c.flags &^= fInputFull
		if full && c.in.Len() == held && c.flags&fAbort == 0 {
			l.inputFull(c) // no room made: the handler cannot go on
			break
		}
		if len(data) == 0 {
			break
		}
	}
	if c.in.Len() == 0 || c.flags&fClosing != 0 {
		l.buffered(-c.in.Len())
		l.rings.put(c.in)
		c.in = nil
	}
}

// inputFull closes a connection whose handler, told that its input is at
// the maximum, made no room: its output leaves first, and OnClose reports
// ErrInputFull unless the handler gave a reason of its own.
func (l *Loop) inputFull(c *Conn) {
	if c.err == nil {
		c.err = ErrInputFull
	}
	if c.flags&fClosing == 0 {
		c.Close()
	}
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
