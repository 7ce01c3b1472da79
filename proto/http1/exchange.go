package http1

import "github.com/goreactor/reactor/reactor"

// exchange is what a connection must remember between two calls of the
// server: how far the chunked body arriving was scanned, whether 100
// Continue was sent, the deadline of a head arriving, a response that
// streams. Only a connection in one of these states has one: it is in the
// connection's Context while it does, and goes back to its loop's free
// list as soon as it is not needed (releaseIdle), so an idle keep-alive
// connection holds none. Exchanges are reused, their timer with them, so
// a busy loop makes none.
type exchange struct {
	ls *loopServer
	c  *reactor.Conn

	body      ChunkedBody // the scan of the chunked body arriving
	continued bool        // 100 Continue was sent for the request arriving

	deadline *reactor.Timer // the header deadline; made on first use, kept with the exchange
	armed    bool           // the header deadline runs: a head is arriving

	produce func(*Stream) bool // the producer of the response that streams; nil if none
	stream  Stream
}

// exchangeOf returns c's exchange, taking one from the free list (or
// making one) if it has none.
func (ls *loopServer) exchangeOf(c *reactor.Conn) *exchange {
	if x, ok := c.Context().(*exchange); ok {
		return x
	}
	var x *exchange
	if n := len(ls.free); n > 0 {
		x, ls.free = ls.free[n-1], ls.free[:n-1]
	} else {
		x = &exchange{ls: ls}
	}
	x.c = c
	c.SetContext(x)
	return x
}

// idle reports whether the exchange holds nothing its connection needs.
func (x *exchange) idle() bool {
	return !x.armed && !x.continued && x.produce == nil && x.body == (ChunkedBody{})
}

// served forgets the request just served: the next one starts afresh.
func (x *exchange) served() {
	x.body.Reset()
	x.continued = false
}

// releaseIdle lets c's exchange go if it holds nothing c needs.
func (ls *loopServer) releaseIdle(c *reactor.Conn) {
	if x, ok := c.Context().(*exchange); ok && x.idle() {
		ls.release(c, x)
	}
}

// release takes x from c, stopped and emptied, and puts it on the free
// list.
func (ls *loopServer) release(c *reactor.Conn, x *exchange) {
	x.disarm()
	d := x.deadline
	*x = exchange{ls: ls, deadline: d}
	c.SetContext(nil)
	ls.free = append(ls.free, x)
}

// armDeadline starts the header deadline of the head arriving on c, unless
// it runs already: it is set once per head, so more bytes do not move it.
func (ls *loopServer) armDeadline(c *reactor.Conn) {
	d := ls.srv.cfg.headerTimeout
	if p, _ := c.Peek(0); d <= 0 || onlyLineEnds(p) {
		return // nothing, or the empty lines a client may send after a body
	}
	x := ls.exchangeOf(c)
	if x.armed {
		return
	}
	x.armed = true
	if x.deadline == nil {
		x.deadline = c.Loop().AfterFunc(d, x.headTimedOut)
		return
	}
	x.deadline.Reset(d)
}

// disarm stops the header deadline: the head has arrived.
func (x *exchange) disarm() {
	if x.armed {
		x.armed = false
		x.deadline.Stop()
	}
}

// headTimedOut runs when a head has not all arrived by its deadline: the
// client gets 408, and the connection closes.
func (x *exchange) headTimedOut() {
	if !x.armed {
		return
	}
	x.armed = false
	x.ls.refuse(x.c, ErrHeaderTimeout)
}

// onlyLineEnds reports whether p is made of CR and LF only (or is empty).
func onlyLineEnds(p []byte) bool {
	for _, b := range p {
		if b != '\r' && b != '\n' {
			return false
		}
	}
	return true
}
