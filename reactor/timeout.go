package reactor

import "time"

// connTimers holds a connection's deadlines: the read-idle and write-idle
// timeouts and the linger after Close. Only a connection that uses one has
// it. One Timer serves them all, and it is armed lazily: activity only
// records the time on the loop's clock; when the timer fires it checks what
// really expired and, if nothing did, re-arms for the next deadline. So a
// busy connection costs no timer operation per message.
type connTimers struct {
	t                 *Timer
	readTimeout       time.Duration
	writeTimeout      time.Duration
	lastRead          time.Duration // when a byte last arrived (or reading began)
	lastWrite         time.Duration // when a byte last left, or output began to wait
	lingerUntil       time.Duration // when a lingering connection stops waiting for the peer's FIN
	connectBy         time.Duration // when a Dial or a TLS handshake times out; 0 once open
	readSet, writeSet bool          // set by SetReadTimeout, SetWriteTimeout: defaults do not apply
}

// SetReadTimeout closes the connection with ErrReadTimeout if no byte
// arrives from the peer for d (0 turns it off): as Close does, so what is
// queued leaves first, then close_notify on TLS, then FIN. A Handler that
// implements IdleHandler is asked first, and may keep the connection. Time
// spent with reading paused (by backpressure or PauseRead) does not count.
// The default comes from WithReadTimeout.
func (c *Conn) SetReadTimeout(d time.Duration) {
	if c.handlerDone() {
		return
	}
	tm := c.extras()
	tm.readTimeout, tm.readSet = max(d, 0), true
	tm.lastRead = c.loop.clock
	c.armTimers()
}

// SetWriteTimeout closes the connection with ErrWriteTimeout if queued
// output makes no progress for d: the peer stopped reading (0 turns it
// off). The default comes from WithWriteTimeout.
func (c *Conn) SetWriteTimeout(d time.Duration) {
	if c.handlerDone() {
		return
	}
	tm := c.extras()
	tm.writeTimeout, tm.writeSet = max(d, 0), true
	tm.lastWrite = c.loop.clock
	c.armTimers()
}

// extras returns the connection's extras (its timers among them), making
// them on first use.
func (c *Conn) extras() *connExtras {
	if c.ext == nil {
		c.ext = &connExtras{connTimers: connTimers{lastRead: c.loop.clock, lastWrite: c.loop.clock}}
	}
	return c.ext
}

// armTimers sets the connection's timer to its earliest deadline, or stops
// it if there is none.
func (c *Conn) armTimers() {
	tm := c.ext
	if tm == nil {
		return
	}
	l := c.loop
	now := l.now()
	next := c.nextDeadline(now)
	switch {
	case next < 0:
		if tm.t != nil {
			tm.t.Stop()
		}
	case tm.t == nil:
		tm.t = l.AfterFunc(next-now, c.timedOut)
	default:
		tm.t.Reset(next - now)
	}
}

// nextDeadline returns the connection's earliest deadline, or -1 if it has
// none.
func (c *Conn) nextDeadline(now time.Duration) time.Duration {
	tm, l := c.ext, c.loop
	next := time.Duration(-1)
	earliest := func(d time.Duration) {
		if next < 0 || d < next {
			next = d
		}
	}
	switch c.state {
	case stLingering:
		earliest(tm.lingerUntil)
	case stClosing:
		if c.Pending() > 0 {
			earliest(after(tm.lastWrite, l.closeStall()))
		}
	case stOpen:
		if tm.readTimeout > 0 && !c.has(factPeerEOF) {
			if c.has(factPaused | factReadPaused) {
				earliest(after(now, tm.readTimeout)) // look again later
			} else {
				earliest(after(tm.lastRead, tm.readTimeout))
			}
		}
		if tm.writeTimeout > 0 && c.Pending() > 0 {
			earliest(after(tm.lastWrite, tm.writeTimeout))
		}
	}
	if tm.connectBy > 0 {
		earliest(tm.connectBy)
	}
	return next
}

// outputWaits is called when a connection's output goes from empty to
// not empty: the write-idle clock starts now, and the timer must not be
// set later than its deadline.
func (c *Conn) outputWaits() {
	tm, l := c.ext, c.loop
	if tm == nil || tm.writeTimeout == 0 {
		return
	}
	tm.lastWrite = l.clock
	if tm.t == nil || !tm.t.pending() || tm.t.due() > after(l.clock, tm.writeTimeout) {
		c.armTimers()
	}
}

// timedOut runs when a connection's timer fires: it acts on what expired
// and re-arms for the next deadline.
func (c *Conn) timedOut() {
	tm, l := c.ext, c.loop
	now := l.now()
	switch {
	case c.has(factReleased):
		return
	case c.state == stLingering:
		if c.has(factMarked) {
			return // the peer's FIN came: released in this pass already
		}
		if now >= tm.lingerUntil {
			c.lingerExpired()
			return
		}
	case c.handlerDone() || c.state == stAborting:
		return
	case tm.connectBy > 0 && now >= tm.connectBy:
		if c.state == stHandshake {
			l.st[statTLSFailures]++
			c.abort(ErrTLSHandshakeTimeout)
		} else {
			c.abort(ErrDialTimeout)
		}
		return
	case c.state == stClosing:
		if c.Pending() > 0 && now-tm.lastWrite >= l.closeStall() {
			c.abort(ErrWriteTimeout) // the output stalled: it is dropped, with a reset
			return
		}
	case c.state == stOpen && tm.readTimeout > 0 && !c.has(factPeerEOF|factPaused|factReadPaused) && now-tm.lastRead >= tm.readTimeout:
		if !c.idle() {
			return
		}
	case c.state == stOpen && tm.writeTimeout > 0 && c.Pending() > 0 && now-tm.lastWrite >= tm.writeTimeout:
		c.abort(ErrWriteTimeout)
		return
	}
	c.armTimers()
}

// idle runs when nothing has arrived for the read timeout. An IdleHandler
// may keep the connection (idle returns true: the clock restarts);
// otherwise it closes as by Close, after its queued output, and OnClose
// reports ErrReadTimeout. Nothing is dropped: a peer that has gone silent
// may still read.
func (c *Conn) idle() (keep bool) {
	l := c.loop
	if ih := optional(c, l.ih); ih != nil {
		keep = l.callOnIdle(c, ih)
		if c.state != stOpen {
			return false // the handler closed it, or it panicked
		}
		if keep {
			c.ext.lastRead = l.clock
			return true
		}
	}
	c.CloseWithError(ErrReadTimeout)
	return false
}
