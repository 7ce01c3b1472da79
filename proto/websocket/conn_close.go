package websocket

import (
	"io"

	"github.com/goreactor/reactor/reactor"
)

// How a connection closes (RFC 6455 §7). The close handshake: one side
// sends a close frame, the other answers with one, and the server closes
// the TCP connection first. Here whoever receives the peer's close frame
// closes the TCP connection once its own has left (reactor.Conn.Close:
// the output leaves, then FIN; the loop lingers for the peer's FIN), so a
// server whose client closes answers and closes at once, and a side that
// closes waits for the answer, up to the close timeout. A failure (a
// protocol error, a timeout, the loop's Stop) sends its close frame and
// closes the TCP connection without waiting.

// Close starts the close handshake: it sends a close frame with code and
// reason (cut to MaxCloseReason bytes at a character's start;
// CloseNoStatus sends one without a code), delivers no more messages,
// and closes the connection when the peer's close frame arrives, or after
// the close timeout (WithCloseTimeout; then OnClose reports
// ErrCloseTimeout). It returns ErrCloseCodeInvalid for a code that may
// not be sent (ValidCloseCode), ErrClosed once the connection has begun
// to close, and ErrNotOpen before a dialed connection is open. If the
// close frame does not fit in the output (reactor.ErrOutputFull, which it
// returns), the connection closes at once without it.
func (c *Conn) Close(code uint16, reason string) error {
	switch {
	case c.state != stOpen:
		return c.notOpen()
	case code != CloseNoStatus && !ValidCloseCode(code):
		return ErrCloseCodeInvalid
	}
	if err := c.writeClose(code, reason); err != nil {
		c.closeTCP(err)
		return err
	}
	c.code = code
	c.state = stClosing // frames are still parsed, to find the peer's close: the message in flight stays
	c.nc.Loop().AfterFunc(c.ls.ep.cfg.closeTimeout, c.closeTimedOut)
	return nil
}

// closeTimedOut runs when the peer has not answered our close frame
// within the close timeout.
func (c *Conn) closeTimedOut() {
	if c.state == stClosing {
		c.closeTCP(ErrCloseTimeout)
	}
}

// peerClose handles the peer's close frame: its code and reason are
// checked (1002, 1007 otherwise); if we had not sent ours, we answer with
// its code (and with an empty close frame to one without a code); then
// the TCP connection closes.
func (c *Conn) peerClose(payload []byte) {
	code, _, err := ParseClose(payload)
	if err != nil {
		c.fail(err)
		return
	}
	c.flags |= flagPeerClose
	if c.state == stOpen {
		c.code = code
		_ = c.writeClose(code, "") // no room: the peer does not read; it gets FIN
	}
	c.closeTCP(nil)
}

// fail fails the connection for err, a protocol error of the peer's (or
// of the user's, for a write that broke the stream): a close frame with
// err's code and reason, if we had not sent one, then the TCP connection
// closes, and OnClose reports err.
func (c *Conn) fail(err error) {
	reason := ""
	if e, ok := err.(*Error); ok {
		reason = e.Reason
	}
	c.closeNow(CloseCodeOf(err), reason, err)
}

// closeNow sends a close frame with code and reason, if the connection is
// open, and closes the TCP connection without waiting for an answer;
// OnClose reports err.
func (c *Conn) closeNow(code uint16, reason string, err error) {
	if c.state >= stClosed {
		return
	}
	if c.state == stOpen && c.writeClose(code, reason) == nil {
		c.code = code
	}
	c.closeTCP(err)
}

// closeTCP ends the WebSocket connection: nothing more is read or
// written, the output leaves, then FIN; OnClose reports err (or what the
// loop saw first).
func (c *Conn) closeTCP(err error) {
	if c.state >= stClosed {
		return
	}
	c.state = stClosed
	c.releaseMessage()
	if err != nil {
		c.nc.CloseWithError(err)
	} else {
		c.nc.Close()
	}
}

// releaseMessage gives the message in flight, if any, back to the loop.
func (c *Conn) releaseMessage() {
	if m := c.msg; m != nil {
		c.msg = nil
		c.ls.putMessage(m)
	}
}

// OnStop is the reactor's: the loop is stopping. An open connection sends
// a close frame with 1001 (going away) and is closed by the loop without
// waiting for the answer: OnClose reports reactor.ErrStopped.
func (c *Conn) OnStop(*reactor.Conn) {
	switch c.state {
	case stOpen:
		if c.writeClose(CloseGoingAway, "") == nil {
			c.code = CloseGoingAway
		}
	case stClosing, stHandshake:
	default:
		return
	}
	c.state = stClosed
	c.releaseMessage()
}

// OnClose is the reactor's: the connection is over. The user's Handler
// hears of it (once), with the code of the close handshake, or
// CloseAbnormal if there was none, and the reason unless it was orderly:
// both close frames exchanged.
func (c *Conn) OnClose(_ *reactor.Conn, err error) {
	if c.state == stDone {
		return
	}
	c.state = stDone
	c.releaseMessage()
	code := c.code
	switch {
	case c.flags&(flagSentClose|flagPeerClose) == flagSentClose|flagPeerClose:
		err = nil
	case code == 0:
		code = CloseAbnormal
		if err == nil && c.flags&flagOpened != 0 {
			err = io.ErrUnexpectedEOF
		}
	}
	c.ls.ep.h.OnClose(c, code, err)
}
