package http1

import "github.com/goreactor/reactor/reactor"

// The request at the front of a connection's input goes through these
// steps, each call of serve taking it as far as the bytes allow:
//
//	head arriving --head whole--> body arriving (its exchange: how far the
//	    chunks were scanned, whether 100 Continue was sent)
//	head arriving --header deadline, idle timeout--> 408, close
//	body arriving --body whole--> served: ServeHTTP, its response gathered;
//	    the request is consumed, the next one is at the front
//	served --Stream--> streaming: the head leaves, then the pieces as the
//	    output drains; reading pauses; the next request waits
//	served --TakeOver--> handed over: the connection is the new handler's
//	served --Connection: close, HTTP/1.0--> the response leaves, then close
//	any step --error, limit--> refused: the error's answer, then close
//	front --no room in the output--> waits for OnWritable
//	any step --peer's FIN--> what is whole is answered, then close

// stopReason is why serveBuffered stopped.
type stopReason uint8

const (
	stopEmpty    stopReason = iota // every request buffered was served
	stopHead                       // the head at the front has not all arrived
	stopBody                       // its body has not all arrived
	stopRoom                       // the output has no room for another response
	stopStream                     // the response just gathered streams
	stopTakeOver                   // the connection goes to another handler
	stopClose                      // the connection closes after the responses
	stopRefused                    // a request was refused: its answer, then close
	stopWaiting                    // a stream goes on, or the room did not come: OnWritable resumes
)

// serve answers the requests buffered on c, in order, and reports why it
// stopped. The responses are gathered in ls.out and written with one
// c.Write, and the requests answered are consumed with one c.Discard:
// pipelined requests cost one call of each, not one per request. It
// writes again only where a response must leave before it goes on (a
// stream, a hand-over, or to find room for more).
func (ls *loopServer) serve(c *reactor.Conn) stopReason {
	ls.out = ls.out[:0] // empty, unless a handler panicked in the middle of a serve
	ls.date.use(c.Loop())
	for {
		why, off, err := ls.serveBuffered(c)
		ls.flush(c)
		c.Discard(off)
		switch why {
		case stopHead:
			ls.armDeadline(c)
		case stopRoom:
			if c.Available() >= ls.srv.cfg.room {
				continue // the output took it all at once: go on
			}
			return stopWaiting // reading is paused until the output drains
		case stopStream:
			if why := ls.startStream(c); why != stopEmpty {
				return why
			}
			continue
		case stopTakeOver:
			ls.handOver(c, ls.w.takeover)
			return why // c and its Context are the new handler's
		case stopClose:
			c.Close()
		case stopRefused:
			c.CloseWithError(err)
		}
		ls.releaseIdle(c)
		return why
	}
}

// serveBuffered serves the requests at the front of c's input until one
// of them stops it (stopReason), and returns how many bytes they took.
func (ls *loopServer) serveBuffered(c *reactor.Conn) (why stopReason, off int, err error) {
	buf, _ := c.Peek(0)
	ls.avail = c.Available() // nothing writes to c until serveBuffered returns
	lim := ls.srv.cfg.lim
	for off < len(buf) {
		if ls.outOfRoom(c) {
			return stopRoom, off, nil
		}
		r := &ls.head
		n, err := Parse(buf[off:], r, lim)
		switch {
		case err != nil:
			return ls.refusal(c, err), off, err
		case n == 0 && off == 0 && c.InputFull():
			// The input is at its maximum and holds no whole head: the
			// loop's input is smaller than the limits say a head may be.
			return ls.refusal(c, ErrHeadersTooLarge), off, ErrHeadersTooLarge
		case n == 0:
			return stopHead, off, nil
		}
		x, _ := c.Context().(*exchange)
		if x != nil {
			x.disarm()
		}
		end, err := ls.bodyEnd(c, x, buf[off:], n)
		switch {
		case err != nil:
			return ls.refusal(c, err), off, err
		case end == 0 && off == 0 && c.InputFull():
			// The input holds the largest request within the limits
			// (LoopOptions), and Scan refuses a chunked body before it
			// passes them, so this one has passed a limit. (Behind
			// answered requests it waits: consuming them makes room.)
			return ls.refusal(c, ErrBodyTooLarge), off, ErrBodyTooLarge
		case end == 0:
			ls.continue100(c)
			return stopBody, off, nil
		}
		ls.run(c, buf[off+n:off+end])
		off += end
		if x, ok := c.Context().(*exchange); ok {
			x.served()
		}
		switch {
		case ls.w.takeover != nil:
			return stopTakeOver, off, nil
		case ls.w.produce != nil:
			return stopStream, off, nil
		case ls.w.closes:
			return stopClose, off, nil
		}
	}
	return stopEmpty, off, nil
}

// outOfRoom reports whether c's output lacks the room for another
// response (WithResponseRoom), once the responses gathered are written.
// With nothing queued or gathered the request is served all the same: no
// waiting would make more room.
func (ls *loopServer) outOfRoom(c *reactor.Conn) bool {
	return ls.avail-len(ls.out) < ls.srv.cfg.room && c.Pending()+len(ls.out) > 0
}

// bodyEnd returns the length of the request whose n-byte head starts buf,
// head and body, if its body has all arrived; 0 if it has not. x is c's
// exchange, if it has one: a chunked body that has not all arrived needs
// one, to remember how far it was scanned.
func (ls *loopServer) bodyEnd(c *reactor.Conn, x *exchange, buf []byte, n int) (int, error) {
	r := &ls.head
	if !r.Chunked {
		end := n + max(r.ContentLength, 0)
		if end > len(buf) {
			return 0, nil
		}
		return end, nil
	}
	scan := &ls.chunks
	if x != nil {
		scan = &x.body
	} else {
		scan.Reset()
	}
	m, err := scan.Scan(buf[n:], ls.srv.cfg.lim)
	if err != nil {
		return 0, err
	}
	if m == 0 {
		if x == nil {
			ls.exchangeOf(c).body = *scan // resumed where it stopped, next time
		}
		return 0, nil
	}
	return n + m, nil
}

// continue100 answers "Expect: 100-continue" once per request, while its
// body has not arrived: after the responses gathered before it.
func (ls *loopServer) continue100(c *reactor.Conn) {
	if !ls.head.Expect100 || ls.head.Minor != 1 {
		return
	}
	if x := ls.exchangeOf(c); !x.continued {
		x.continued = true
		ls.out = append(ls.out, status100...)
	}
}

// flush writes the responses gathered; each was checked to fit.
func (ls *loopServer) flush(c *reactor.Conn) {
	if len(ls.out) > 0 {
		c.Write(ls.out) // fails only if the handler closed c itself
		ls.out = ls.out[:0]
	}
}

// status100 is the interim response to "Expect: 100-continue".
const status100 = "HTTP/1.1 100 Continue\r\n\r\n"

// run serves the request whose head is in ls.head and whose body (as
// sent: a chunked one as its chunks) is body: the handler writes its
// response, which is added to the responses gathered.
func (ls *loopServer) run(c *reactor.Conn, body []byte) {
	ls.req = Request{ls: ls, c: c, head: &ls.head, body: body, chunked: ls.head.Chunked}
	ls.scratch = ls.scratch[:0]
	ls.w.begin(&ls.head)
	ls.srv.h.ServeHTTP(&ls.w, &ls.req)
	ls.finish()
}
