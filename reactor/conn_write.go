package reactor

import (
	"os"

	"github.com/goreactor/reactor/buffer"
	"github.com/goreactor/reactor/poller"
	"golang.org/x/sys/unix"
)

// The writing side of a connection: Write queues, the flush phase sends
// with one writev, and write interest is registered only while a partial
// send left bytes behind.

// Write queues p to be sent at the end of the loop's pass and returns
// len(p): the bytes are copied, so p may be reused at once. Write queues all
// of p or none of it: if p would take the queued output past its maximum
// (WithMaxOutput) it returns 0 and ErrOutputFull, and after Close,
// CloseWrite or Abort it returns ErrClosed. On a dialed connection, bytes
// written before OnOpen leave once it is connected.
//
// One exception: a large p (directWriteMin bytes or more) written when
// nothing is queued, and nothing was sent this way since the loop last
// flushed, is sent at once, and only what the socket does not take is
// queued: copying it would cost more than the system call that coalescing
// saves. Order is kept, since nothing was queued before it; and since a
// second large write in the same pass is queued, a producer that writes
// until Pending reaches a watermark still stops there, however fast the
// peer reads. If that send fails, p is queued as usual and the failure
// shows when the loop flushes, as it would for a queued write.
//
// On a TLS connection p is encrypted into the output, which holds
// ciphertext: the cap counts the records' overhead, in advance and
// generously, so that p is queued whole or not at all.
func (c *Conn) Write(p []byte) (int, error) {
	if c.has(factTLS) {
		return c.writeTLS(p)
	}
	if err := c.admit(len(p)); err != nil || len(p) == 0 {
		return 0, err
	}
	if len(p) >= directWriteMin && c.sendsNow() {
		c.writeNow(p, nil)
		return len(p), nil
	}
	c.output().Write(p) // cannot fail: admit checked the room
	c.queueOutput(len(p))
	return len(p), nil
}

// Writev is Write of a followed by b, as one unit: both are queued, or
// neither (ErrOutputFull), and Write's exception holds for their sum, which
// is sent at once with one writev when it is large and nothing is queued.
// It is how a protocol writes a message's header and a large payload
// without copying the payload first (a WebSocket frame, say). It returns
// len(a)+len(b).
func (c *Conn) Writev(a, b []byte) (int, error) {
	n := len(a) + len(b)
	if c.has(factTLS) {
		if !c.acceptsOutput() {
			return 0, ErrClosed
		}
		if !c.tlsFits(len(a), len(b)) {
			return 0, ErrOutputFull
		}
		if k, err := c.writeTLS(a); err != nil {
			return k, err
		}
		k, err := c.writeTLS(b)
		return len(a) + k, err
	}
	if err := c.admit(n); err != nil || n == 0 {
		return 0, err
	}
	if n >= directWriteMin && c.sendsNow() {
		c.writeNow(a, b)
		return n, nil
	}
	out := c.output()
	out.Write(a) // cannot fail: admit checked the room
	out.Write(b)
	c.queueOutput(n)
	return n, nil
}

// sendsNow reports whether a write may be sent at once rather than
// queued: nothing is queued before it, nothing was sent this way since
// the last flush phase, and the connection is open.
func (c *Conn) sendsNow() bool {
	return c.Pending() == 0 && c.state == stOpen && !c.has(factDirty|factMarked)
}

// directWriteMin is the size from which Write sends at once what it would
// otherwise copy into the output ring (see Write): from about this size
// the copy costs more than the system call that coalescing would save.
const directWriteMin = 16 << 10

// writeNow sends a then b (b may be empty), which admit has cleared and
// which nothing queued precedes, and queues what the socket does not take.
// It calls the kernel directly, not through the loop's syscall table: a
// call through a function value would make a and b escape, and so every
// caller's buffer, even a small one that never comes here, would be
// allocated on the heap.
func (c *Conn) writeNow(a, b []byte) {
	l := c.loop
	total := len(a) + len(b)
	n, err := l.raw.Writev(int(c.fd), a, b)
	l.st[statWrites]++
	if err != nil {
		if err != unix.EAGAIN && err != unix.EINTR {
			// Queued as usual: the flush phase meets the error again and
			// closes the connection then, keeping any reason the handler gives
			// with CloseWithError after this Write.
			c.output().Write(a)
			c.output().Write(b)
			c.queueOutput(total)
			return
		}
		n = 0
	}
	if n > 0 {
		l.st[statBytesOut] += uint64(n)
		if c.ext != nil {
			c.ext.lastWrite = l.clock
		}
	}
	if n == total {
		l.markDirty(c) // until the flush phase, further writes are queued
		return
	}
	// A partial send: the socket is full, so the rest waits for the poller
	// to report room rather than for the flush phase, which would only
	// meet EAGAIN.
	l.st[statPartialWrites]++
	out := c.output()
	if n < len(a) {
		out.Write(a[n:])
		out.Write(b)
	} else {
		out.Write(b[n-len(a):])
	}
	c.recordOutput(total - n)
	c.updateInterest()
}

// WriteString is Write for a string, without converting it to a []byte. It
// always queues s: Write's exception for large writes does not apply.
func (c *Conn) WriteString(s string) (int, error) {
	if c.has(factTLS) {
		return c.writeStringTLS(s)
	}
	if err := c.admit(len(s)); err != nil || len(s) == 0 {
		return 0, err
	}
	c.output().WriteString(s)
	c.queueOutput(len(s))
	return len(s), nil
}

// admit checks that n more bytes may be written.
func (c *Conn) admit(n int) error {
	if !c.acceptsOutput() {
		return ErrClosed
	}
	if c.Pending()+n > c.loop.cfg.maxOutput {
		return ErrOutputFull
	}
	return nil
}

// output returns the output ring, taking one from the pool if there is none.
func (c *Conn) output() *buffer.Ring {
	if c.out == nil {
		max := c.loop.cfg.maxOutput
		if c.has(factTLS) {
			max += tlsOutputSlack
		}
		c.out = c.loop.rings.get(max)
	}
	return c.out
}

// queueOutput records that n bytes were appended to the output: they
// leave in the flush phase.
func (c *Conn) queueOutput(n int) {
	c.recordOutput(n)
	c.loop.markDirty(c)
}

// recordOutput records n bytes appended to the output: the loop's held
// count, the write-idle clock if they are all there is, and backpressure.
func (c *Conn) recordOutput(n int) {
	l := c.loop
	l.addHeld(n)
	pending := c.out.Len()
	if pending == n {
		c.outputWaits()
	}
	if pending >= l.cfg.highWater && !c.has(factPaused) {
		// Backpressure: stop reading until the output drains to the low
		// watermark (the flush tells the poller).
		c.set(factPaused)
		l.st[statReadPauses]++
	}
}

// Pending returns the number of output bytes queued and not yet sent.
func (c *Conn) Pending() int {
	if c.out == nil {
		return 0
	}
	return c.out.Len()
}

// Available returns how many more bytes Write would queue now before it
// returns ErrOutputFull (0 once the connection is closing). A writer that
// must queue several pieces as one unit, such as a frame header and its
// payload, checks it first.
func (c *Conn) Available() int {
	if !c.acceptsOutput() {
		return 0
	}
	room := max(c.loop.cfg.maxOutput-c.Pending(), 0)
	if c.has(factTLS) {
		return availableTLS(room)
	}
	return room
}

// writable is called by the loop's write phase when the poller reports the
// fd ready to write.
func (c *Conn) writable() {
	if c.state == stConnecting {
		c.connected()
		return
	}
	c.flush()
}

// markDirty puts c on the list that the flush phase sends.
func (l *Loop) markDirty(c *Conn) {
	if !c.has(factDirty) {
		c.set(factDirty)
		l.dirty = append(l.dirty, c)
	}
}

// flushDirty is the flush phase: every connection written to since the
// last one sends its output. A connection already waiting for the poller to
// report room is skipped: trying now would only meet EAGAIN.
func (l *Loop) flushDirty() {
	// OnWritable, called from flush, may write and so append to the list.
	for i := 0; i < len(l.dirty); i++ {
		c := l.dirty[i]
		l.dirty[i] = nil
		c.clear(factDirty)
		if !c.has(factWaitWrite) {
			c.flush()
		} else {
			c.updateInterest() // waits for room; but a write may have paused reading
		}
	}
	l.dirty = l.dirty[:0]
}

// flush sends as much queued output as the socket takes, in one writev,
// and registers write interest only if some is left: a partial send.
func (c *Conn) flush() {
	if c.state < stHandshake || c.state > stClosing {
		return // connecting: the output waits for the connection
	}
	if c.Pending() > 0 && !c.send() {
		return
	}
	l := c.loop
	if c.Pending() == 0 {
		c.releaseOutput()
		switch {
		case c.state == stClosing:
			c.endOutput()
		case c.has(factWantFIN) && !c.has(factFINSent) && c.state == stOpen:
			c.sendFIN()
		}
	}
	if c.has(factPaused) && c.Pending() <= l.cfg.lowWater {
		c.clear(factPaused)
		if c.ext != nil {
			c.ext.lastRead = l.clock // the read-idle clock restarts
		}
		if wh := optional(c, l.wh); wh != nil && c.state == stOpen {
			l.callOnWritable(c, wh)
		}
	}
	c.updateInterest()
}

// send makes one writev of the queued output. It returns false if that
// failed and the connection is aborted.
func (c *Conn) send() bool {
	l, out := c.loop, c.out
	a, b := out.Readable()
	n, err := l.sys.writev(int(c.fd), a, b)
	l.st[statWrites]++
	if n > 0 {
		out.Discard(n)
		l.addHeld(-n)
		l.st[statBytesOut] += uint64(n)
		if c.ext != nil {
			c.ext.lastWrite = l.clock
		}
	}
	if err != nil && err != unix.EAGAIN && err != unix.EINTR {
		c.abort(os.NewSyscallError("writev", err))
		return false
	}
	if out.Len() > 0 {
		l.st[statPartialWrites]++
	}
	return true
}

// releaseOutput gives an empty output ring back to the pool.
func (c *Conn) releaseOutput() {
	if c.out != nil && c.out.Len() == 0 {
		c.loop.rings.put(c.out)
		c.out = nil
	}
}

// updateInterest tells the poller what the connection waits for; the poller
// keeps what is registered and makes no system call when nothing changed.
// Read: unless the peer sent FIN or reading is paused by backpressure (a
// closing connection keeps reading, to discard what arrives). Write: while
// output is left over from a send (new output is first tried in the flush
// phase without asking the poller).
func (c *Conn) updateInterest() {
	if c.state == stAborting || c.handlerDone() || c.has(factMarked) {
		return // the close phase unregisters it
	}
	var want poller.Interest
	switch {
	case c.state == stConnecting:
		want = poller.Write // writable: the connect finished, one way or the other
	default:
		if !c.has(factPeerEOF|factHandshakeFull) && (!c.has(factPaused|factReadPaused) || c.state == stClosing) {
			want |= poller.Read
		}
		if c.Pending() > 0 && (!c.has(factDirty) || c.has(factWaitWrite)) {
			want |= poller.Write
		}
	}
	l := c.loop
	if err := l.p.Modify(int(c.fd), want); err != nil {
		c.abort(err)
		return
	}
	switch {
	case want&poller.Write == 0:
		c.clear(factWaitWrite)
	case !c.has(factWaitWrite):
		c.set(factWaitWrite)
		l.st[statWriteWaits]++
	}
}
