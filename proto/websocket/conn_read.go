package websocket

import (
	"unicode/utf8"

	"github.com/goreactor/reactor/reactor"
)

// The reading side of a connection: frames parsed where they lie in the
// reactor connection's input (reactor.Conn.Peek), unmasked in place, and
// consumed (Discard) once handled. A whole unfragmented message is handed
// to OnMessage as a slice of the input; the others are gathered in a
// message record (message.go).

// OnData is the reactor's: bytes have arrived. It handles every whole
// frame in the input, and leaves a partial one there for the next call
// (or streams it, if it is large).
func (c *Conn) OnData(nc *reactor.Conn) {
	c.flags &^= flagPinged // a sign of life
	if c.state == stHandshake && !c.readAnswer(nc) {
		return
	}
	for c.state == stOpen || c.state == stClosing {
		p, _ := nc.Peek(0)
		if len(p) == 0 {
			return
		}
		var n int
		if m := c.msg; m != nil && m.left > 0 {
			n = c.stream(m, p)
		} else if n = c.readFrame(nc, p); n == 0 {
			return // wait for more, or the connection failed
		}
		nc.Discard(n)
	}
}

// readFrame handles the frame at the start of p and returns the bytes it
// consumed; 0 when the frame has not all arrived (or broke the protocol).
func (c *Conn) readFrame(nc *reactor.Conn, p []byte) int {
	h, n, err := ParseHeader(p, c.allowedRSV())
	if err == nil && n > 0 {
		err = c.check(&h)
	}
	if err != nil {
		c.fail(err)
		return 0
	}
	if n == 0 {
		if nc.InputFull() {
			c.fail(ErrMessageTooBig) // an input too small for a header
		}
		return 0
	}
	end := int64(n) + h.Length // within the maximum message: check saw to it
	if int64(len(p)) < end {
		return c.partial(nc, &h, n, p[n:])
	}
	c.frame(&h, p[n:end])
	return int(end)
}

// check checks what a frame's header says against the connection: the
// mask, the order of frames, and the length against the maximum message.
func (c *Conn) check(h *Header) error {
	if err := h.CheckMasking(c.isServer()); err != nil {
		return err
	}
	m := c.msg
	if err := h.CheckSequence(m != nil && m.fragmented); err != nil {
		return err
	}
	if h.Opcode.IsControl() {
		return nil
	}
	held := 0
	if m != nil && m.fragmented {
		held = len(m.buf)
	}
	if h.Length > int64(c.ls.ep.cfg.maxMessage-held) {
		return ErrMessageTooBig
	}
	return nil
}

// partial handles a frame whose header has arrived, of n bytes, and
// whose payload has not all: arrived is what has. A control frame waits
// in the input. So does a data frame up to maxWaitFrame, a text one
// unmasked and validated as it arrives; a larger one, or one the input
// cannot hold, is streamed. It returns the bytes consumed.
func (c *Conn) partial(nc *reactor.Conn, h *Header, n int, arrived []byte) int {
	switch {
	case h.Opcode.IsControl():
		if nc.InputFull() {
			c.fail(ErrMessageTooBig) // an input too small for a control frame
		}
		return 0
	case int64(n)+h.Length > maxWaitFrame || nc.InputFull():
		c.beginStream(h, arrived)
		return n + len(arrived)
	}
	m := c.msg
	if m == nil {
		if h.Opcode != Text || h.RSV != 0 {
			return 0 // nothing to check before it is whole
		}
		m = c.ls.takeMessage()
		m.op = Text
		c.msg = m
	}
	if m.validates() && c.accept(m, h, arrived[m.part:]) {
		m.part = len(arrived)
	}
	return 0
}

// accept unmasks b, the next bytes of h's payload, in place, and
// validates them if m is text, failing the connection if they are not
// UTF-8. It reports whether they passed.
func (c *Conn) accept(m *message, h *Header, b []byte) bool {
	if h.Masked {
		MaskBytes(h.Mask, m.part, b)
	}
	if !m.validates() {
		return true
	}
	var ok bool
	if m.text, ok = ValidateUTF8(m.text, b); !ok {
		c.fail(ErrInvalidUTF8)
	}
	return ok
}

// frame handles a whole frame whose payload lies in the input.
func (c *Conn) frame(h *Header, payload []byte) {
	if h.Opcode.IsControl() {
		if h.Masked {
			MaskBytes(h.Mask, 0, payload)
		}
		c.control(h.Opcode, payload)
		return
	}
	c.idle = 0
	m := c.msg
	if m == nil {
		if h.Fin && h.RSV == 0 {
			// The common case: a whole message, handed over in place.
			if h.Masked {
				MaskBytes(h.Mask, 0, payload)
			}
			if h.Opcode == Text && !validText(payload) {
				c.fail(ErrInvalidUTF8)
				return
			}
			c.deliver(h.Opcode, payload)
			return
		}
		m = c.ls.takeMessage()
		c.msg = m
	}
	if h.Opcode != Continuation {
		m.op, m.compressed = h.Opcode, h.RSV&RSV1 != 0
	}
	done := m.part
	if !c.accept(m, h, payload[done:]) {
		return
	}
	m.part = 0
	if !m.fragmented && h.Fin {
		// A whole message, after all: handed over in place, or inflated
		// from where it lies.
		c.msg = nil
		c.endMessage(m, payload)
		return
	}
	m.buf = append(m.buf, payload...)
	m.fragmented = true
	if h.Fin {
		c.msg = nil
		c.endMessage(m, m.buf)
	}
}

// beginStream starts streaming a data frame whose header has arrived, with
// the first bytes of its payload, arrived, which the caller consumes.
func (c *Conn) beginStream(h *Header, arrived []byte) {
	m := c.msg
	if m == nil {
		m = c.ls.takeMessage()
		c.msg = m
	}
	if h.Opcode != Continuation {
		m.op, m.compressed = h.Opcode, h.RSV&RSV1 != 0
	}
	if !c.accept(m, h, arrived[m.part:]) {
		return
	}
	m.left, m.fin, m.mask = h.Length, h.Fin, h.Mask
	m.pos, m.part = len(arrived), 0
	c.idle = 0
	c.take(m, arrived)
}

// stream adds the next bytes of a streamed frame's payload, from p, to
// its message, and returns how many it consumed.
func (c *Conn) stream(m *message, p []byte) int {
	n := int(min(int64(len(p)), m.left))
	b := p[:n]
	if c.isServer() {
		m.pos = MaskBytes(m.mask, m.pos, b)
	}
	if m.validates() {
		var ok bool
		if m.text, ok = ValidateUTF8(m.text, b); !ok {
			c.fail(ErrInvalidUTF8)
			return n
		}
	}
	c.take(m, b)
	return n
}

// take adds b, the next bytes of the streamed frame's payload, unmasked
// and validated, to the message, and ends the frame when it is whole.
func (c *Conn) take(m *message, b []byte) {
	m.buf = append(m.buf, b...)
	m.left -= int64(len(b))
	if m.left > 0 {
		return
	}
	m.fragmented = true
	if m.fin {
		c.msg = nil
		c.endMessage(m, m.buf)
	}
}

// endMessage hands over a message whose last frame has arrived: data is
// its payload (m.buf, or the frame in the input), inflated if it is
// compressed and checked if it is text; then m goes back to the loop.
func (c *Conn) endMessage(m *message, data []byte) {
	switch {
	case m.compressed:
		c.endCompressed(m.op, data)
	case m.op == Text && !m.text.Complete():
		c.fail(ErrInvalidUTF8)
	default:
		c.deliver(m.op, data)
	}
	c.ls.putMessage(m)
}

// endCompressed inflates a compressed message into the loop's buffer,
// within the maximum message, checks it if it is text, and hands it over.
func (c *Conn) endCompressed(op Opcode, data []byte) {
	ls := c.ls
	out, err := ls.flate().Decompress(ls.inflate[:0], data, ls.ep.cfg.maxMessage)
	switch {
	case err != nil:
		c.fail(err)
		return
	case op == Text && !validText(out):
		c.fail(ErrInvalidUTF8)
	default:
		c.deliver(op, out)
	}
	ls.inflate = keep(out)
}

// validText reports whether p is valid UTF-8, whole.
func validText(p []byte) bool { return utf8.Valid(p) }

// deliver hands a message to the user's Handler, unless we have begun to
// close.
func (c *Conn) deliver(op Opcode, data []byte) {
	if c.state == stOpen {
		c.ls.ep.h.OnMessage(c, op, data)
	}
}

// control handles a control frame, unmasked.
func (c *Conn) control(op Opcode, payload []byte) {
	switch op {
	case Ping:
		c.idle = 0
		if c.state == stOpen {
			c.writeFrame(Pong, payload, false) // no room: the pong is dropped, as the peer does not read
		}
	case Pong:
		// A sign of life (OnData noted it), not of activity.
	case Close:
		c.peerClose(payload)
	}
}
