package reactor

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// The reading side of a connection: the read phase's read, OnData and the
// input it leaves, and the peer's FIN.

// Buffered returns the number of input bytes the handler can consume now.
func (c *Conn) Buffered() int {
	n := len(c.freshInput())
	if c.in != nil {
		n += c.in.Len()
	}
	return n
}

// freshInput returns the bytes of the current read that the handler has not
// consumed, when the connection had no leftover input (so they were not
// copied into its input ring).
func (c *Conn) freshInput() []byte {
	if c.loop.cur == c {
		return c.loop.fresh
	}
	return nil
}

// Peek returns the next n input bytes as one slice, without consuming them;
// n <= 0 means every buffered byte. When fewer than n bytes are buffered it
// returns those and ErrShortInput. The slice is valid until the handler
// returns, consumes input, or calls Peek or Next again (which may move the
// buffered bytes to make them one slice). The bytes are the connection's own: a
// protocol that decodes where the data lies (WebSocket unmasks in place)
// may modify them, and what it leaves unconsumed stays as it left it.
func (c *Conn) Peek(n int) ([]byte, error) {
	if c.in != nil && c.in.Len() > 0 {
		if n <= 0 {
			n = c.in.Len()
		}
		p, err := c.in.Peek(n)
		if err != nil {
			return p, ErrShortInput
		}
		return p, nil
	}
	fresh := c.freshInput()
	if n <= 0 {
		return fresh, nil
	}
	if n > len(fresh) {
		return fresh, ErrShortInput
	}
	return fresh[:n:n], nil
}

// Next returns the next n input bytes and consumes them; n <= 0 means every
// buffered byte. With fewer than n bytes buffered it consumes nothing and
// returns them with ErrShortInput. The slice is valid until the handler
// returns or calls Peek or Next again.
func (c *Conn) Next(n int) ([]byte, error) {
	p, err := c.Peek(n)
	if err == nil {
		c.Discard(len(p))
	}
	return p, err
}

// Discard consumes up to n input bytes and returns how many it consumed.
func (c *Conn) Discard(n int) int {
	if n <= 0 {
		return 0
	}
	if c.in != nil && c.in.Len() > 0 {
		n = c.in.Discard(n)
		c.loop.addHeld(-n)
		return n
	}
	fresh := c.freshInput()
	if n > len(fresh) {
		n = len(fresh)
	}
	c.loop.fresh = fresh[n:]
	return n
}

// InputFull reports, inside OnData, that the connection's unconsumed input
// has reached its maximum (WithMaxInput): the loop reads no more from it
// until the handler consumes some. A handler that consumes nothing in that
// call cannot make progress, so the connection then closes as by Close:
// what the handler wrote (an error reply, say) is sent, then FIN, and
// OnClose reports ErrInputFull.
func (c *Conn) InputFull() bool { return c.has(factInputFull) }

// PauseRead stops reading from the connection until ResumeRead, for a
// handler whose own backlog is the reason to wait, as queued output is the
// loop's (WithWriteWatermarks): replies being computed on another loop,
// say. Input already buffered stays buffered, and nothing more is read, so
// the peer's FIN is not seen either, and the read timeout does not count,
// until ResumeRead. A closing connection goes on reading (and discarding)
// whatever the handler asked.
func (c *Conn) PauseRead() {
	if c.handlerDone() || c.has(factReadPaused) {
		return
	}
	c.set(factReadPaused)
	c.updateInterest()
}

// ResumeRead undoes PauseRead: the loop reads from the connection again.
// Input buffered meanwhile is not shown to OnData again until more
// arrives: a handler that left a request in the input while paused takes
// it up itself (Peek) when it resumes.
func (c *Conn) ResumeRead() {
	if c.handlerDone() || !c.has(factReadPaused) {
		return
	}
	c.clear(factReadPaused)
	if c.ext != nil {
		c.ext.lastRead = c.loop.clock // the read-idle clock restarts
	}
	c.updateInterest()
}

// ReadPaused reports whether the handler paused reading (PauseRead).
func (c *Conn) ReadPaused() bool { return c.has(factReadPaused) }

// PeerClosed reports whether the peer has closed its sending side (FIN;
// on TLS, close_notify or FIN): it will send nothing more, though it may
// still read what the connection writes.
func (c *Conn) PeerClosed() bool {
	if t := c.tlsSide(); t != nil && t.notified {
		return true
	}
	return c.has(factPeerEOF)
}

// PeerCloseError tells how the peer closed its sending side, once it has
// (PeerClosed): io.EOF for an orderly close, and io.ErrUnexpectedEOF for a
// TLS stream cut short by a FIN without close_notify. Anyone on the path
// can forge such a FIN, so input read up to it may be a truncated message
// and must not be taken for a whole one (see HalfCloser). It returns nil
// while the peer has not closed.
func (c *Conn) PeerCloseError() error {
	switch t := c.tlsSide(); {
	case t != nil && t.truncated:
		return io.ErrUnexpectedEOF
	case c.PeerClosed():
		return io.EOF
	}
	return nil
}

// readable is called by the loop's read phase when the poller reports the
// fd ready to read.
func (c *Conn) readable() {
	switch c.state {
	case stConnecting:
		c.connected() // a failed connect is reported in both lists
	case stHandshake, stOpen, stClosing, stLingering:
		c.read()
	}
}

// read reads once from a connection the poller reported readable. With
// level-triggered readiness one read per report is enough: if more bytes are
// waiting, the next Wait reports the fd again.
func (c *Conn) read() {
	l := c.loop
	n, err := l.sys.read(int(c.fd), l.rbuf)
	l.st[statReads]++
	if err != nil {
		switch {
		case err == unix.EAGAIN || err == unix.EINTR:
		case c.state == stLingering:
			l.queueClose(c) // the peer is gone: nothing left to wait for
		default:
			c.abort(os.NewSyscallError("read", err))
		}
		return
	}
	if n == 0 {
		c.peerFIN()
		return
	}
	l.st[statBytesIn] += uint64(n)
	if c.ext != nil {
		c.ext.lastRead = l.clock
	}
	switch {
	case c.state == stHandshake:
		c.feedHandshake(l.rbuf[:n])
	case c.state != stOpen:
		// closing or lingering: what still arrives is discarded
	case c.has(factTLS):
		c.ext.tls.records(l.rbuf[:n])
	default:
		c.deliver(l.rbuf[:n])
	}
}

// deliver shows data, just read into the loop's buffer, to OnData after the
// connection's leftover input, and keeps what the handler leaves.
func (c *Conn) deliver(data []byte) {
	l := c.loop
	max := l.cfg.maxInput
	if c.in == nil {
		// The common case: no leftover, so OnData reads the loop's buffer
		// directly and only an unconsumed tail is copied.
		l.cur, l.fresh = c, data
		l.callOnData(c)
		data = l.fresh
		l.cur, l.fresh = nil, nil
		if len(data) == 0 || c.state != stOpen {
			return
		}
		c.in = l.rings.get(max)
		if len(data) < max {
			k, _ := c.in.Write(data)
			l.addHeld(k)
			return
		}
		// The tail reaches the maximum: OnData must be told (below).
	}
	c.deliverLeftover(data)
}

// deliverLeftover appends the new bytes to the leftover input and lets
// OnData see the whole. While they do not all fit under the maximum, OnData
// sees a full input, told so by InputFull, and the rest once it has made
// room; a handler that consumes nothing from a full input can never make
// progress, so the connection closes (its replies still leave).
func (c *Conn) deliverLeftover(data []byte) {
	l := c.loop
	for c.state == stOpen {
		k, _ := c.in.Write(data)
		l.addHeld(k)
		data = data[k:]
		held := c.in.Len()
		full := held >= l.cfg.maxInput
		if full {
			c.set(factInputFull)
		}
		l.callOnData(c)
		c.clear(factInputFull)
		if full && c.in.Len() == held && c.state != stAborting {
			c.closeInputFull() // no room made: the handler cannot go on
			break
		}
		if len(data) == 0 {
			break
		}
	}
	if c.in.Len() == 0 || c.state != stOpen {
		l.addHeld(-c.in.Len())
		l.rings.put(c.in)
		c.in = nil
	}
}

// closeInputFull closes a connection whose handler, told that its input is
// at the maximum, made no room: its output leaves first, and OnClose
// reports ErrInputFull unless the handler gave a reason of its own.
func (c *Conn) closeInputFull() {
	if c.err == nil {
		c.err = ErrInputFull
	}
	if c.state == stOpen {
		c.Close()
	}
}

// peerFIN handles a 0-byte read: the peer sent FIN. The connection closes
// once its queued output has left; the reason is io.EOF, or
// io.ErrUnexpectedEOF if the peer stopped in the middle of a message.
//
// On a TLS connection the peer's close_notify counts as its FIN (see
// peerFINTLS).
func (c *Conn) peerFIN() {
	l := c.loop
	c.set(factPeerEOF)
	switch {
	case c.state == stHandshake:
		c.handshakeFIN()
		return
	case c.state != stOpen:
		if c.Pending() == 0 {
			l.queueClose(c) // a lingering connection: its wait is over
		} else {
			c.updateInterest() // no more reading: the FIN would be reported every pass
		}
		return
	case c.has(factTLS):
		c.peerFINTLS()
		return
	}
	c.peerDone(io.EOF)
}

// peerDone ends the reading side of an open connection whose peer will
// send no more: OnClose will report err (io.EOF), or io.ErrUnexpectedEOF if
// the peer stopped in the middle of a message.
//
// A handler that implements HalfCloser is told instead, and decides: it may
// go on writing and close later. If it already half-closed its side
// (CloseWrite) and its FIN has left, both directions are done and the
// connection closes.
func (c *Conn) peerDone(err error) {
	l := c.loop
	c.err = err
	if c.in != nil && c.in.Len() > 0 {
		c.err = io.ErrUnexpectedEOF
	}
	hc := optional(c, l.hc)
	if hc == nil {
		c.Close()
		return
	}
	l.callOnPeerClose(c, hc)
	if c.has(factFINSent) && c.state == stOpen {
		l.queueClose(c)
	}
	c.updateInterest()
}
