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
	connectBy         time.Duration // when a Dial times out; 0 if not connecting
	readSet, writeSet bool          // set by SetReadTimeout, SetWriteTimeout: defaults do not apply
}

// SetReadTimeout closes the connection with ErrReadTimeout if no byte
// arrives from the peer for d (0 turns it off). Time spent with reading
// paused by backpressure does not count. The default comes from
// WithReadTimeout.
func (c *Conn) SetReadTimeout(d time.Duration) {
	if c.flags&fClosed != 0 {
		return
	}
	tm := c.timers()
	tm.readTimeout, tm.readSet = max(d, 0), true
	tm.lastRead = c.loop.clock
	c.loop.armTimers(c)
}

// SetWriteTimeout closes the connection with ErrWriteTimeout if queued
// output makes no progress for d: the peer stopped reading (0 turns it
// off). The default comes from WithWriteTimeout.
func (c *Conn) SetWriteTimeout(d time.Duration) {
	if c.flags&fClosed != 0 {
		return
	}
	tm := c.timers()
	tm.writeTimeout, tm.writeSet = max(d, 0), true
	tm.lastWrite = c.loop.clock
	c.loop.armTimers(c)
}

func (c *Conn) timers() *connTimers {
	if c.tm == nil {
		c.tm = &connTimers{lastRead: c.loop.clock, lastWrite: c.loop.clock}
	}
	return c.tm
}

// armTimers sets the connection's timer to its earliest deadline, or stops
// it if there is none.
func (l *Loop) armTimers(c *Conn) {
	tm := c.tm
	if tm == nil {
		return
	}
	now := l.now()
	next := time.Duration(-1)
	earliest := func(d time.Duration) {
		if next < 0 || d < next {
			next = d
		}
	}
	switch {
	case c.flags&fLingering != 0:
		earliest(tm.lingerUntil)
	case c.flags&fClosed != 0:
	case c.flags&fClosing != 0:
		if c.Pending() > 0 && c.flags&fConnecting == 0 {
			earliest(after(tm.lastWrite, l.closeStall()))
		}
	default:
		if tm.readTimeout > 0 && c.flags&(fPeerEOF|fConnecting) == 0 {
			if c.flags&fPaused != 0 {
				earliest(after(now, tm.readTimeout)) // look again later
			} else {
				earliest(after(tm.lastRead, tm.readTimeout))
			}
		}
		if tm.writeTimeout > 0 && c.Pending() > 0 && c.flags&fConnecting == 0 {
			earliest(after(tm.lastWrite, tm.writeTimeout))
		}
	}
	if tm.connectBy > 0 {
		earliest(tm.connectBy)
	}
	switch {
	case next < 0:
		if tm.t != nil {
			tm.t.Stop()
		}
	case tm.t == nil:
		tm.t = l.AfterFunc(next-now, func() { l.connTimeout(c) })
	default:
		tm.t.Reset(next - now)
	}
}

// outputWaits is called when a connection's output goes from empty to
// not empty: the write-idle clock starts now, and the timer must not be
// set later than its deadline.
func (l *Loop) outputWaits(c *Conn) {
	tm := c.tm
	if tm == nil || tm.writeTimeout == 0 {
		return
	}
	tm.lastWrite = l.clock
	if tm.t == nil || tm.t.i < 0 || tm.t.when > after(l.clock, tm.writeTimeout) {
		l.armTimers(c)
	}
}

// connTimeout runs when a connection's timer fires.
func (l *Loop) connTimeout(c *Conn) {
	tm, now := c.tm, l.now()
	switch {
	case c.flags&fReleased != 0:
		return
	case c.flags&fLingering != 0:
		if c.flags&fMarked != 0 {
			return // the peer's FIN came: released in this pass already
		}
		if now >= tm.lingerUntil {
			l.lingerExpired(c)
			return
		}
	case c.flags&fClosed != 0:
		return
	case tm.connectBy > 0 && now >= tm.connectBy:
		l.abort(c, ErrDialTimeout)
		return
	case c.flags&fClosing != 0:
		if c.Pending() > 0 && c.flags&fConnecting == 0 && now-tm.lastWrite >= l.closeStall() {
			l.abort(c, ErrWriteTimeout) // the output stalled: it is dropped, with a reset
			return
		}
	case tm.readTimeout > 0 && c.flags&(fPeerEOF|fPaused|fConnecting) == 0 && now-tm.lastRead >= tm.readTimeout:
		l.abort(c, ErrReadTimeout)
		return
	case tm.writeTimeout > 0 && c.Pending() > 0 && c.flags&fConnecting == 0 && now-tm.lastWrite >= tm.writeTimeout:
		l.abort(c, ErrWriteTimeout)
		return
	}
	l.armTimers(c)
}
