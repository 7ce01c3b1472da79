package websocket

import (
	"errors"

	"github.com/goreactor/reactor/reactor"
)

// The writing side of a connection: each message is one frame, written
// into the reactor connection's output whole or not at all, so it goes
// through the loop's output cap and backpressure (reactor.WithMaxOutput,
// reactor.WithWriteWatermarks): a peer that does not read holds at most
// the cap of the server's memory, and the writer learns it from
// reactor.ErrOutputFull.

// ErrOpcode is returned by WriteMessage for an opcode other than Text and
// Binary.
var ErrOpcode = errors.New("websocket: a message is Text or Binary")

// compressMin is the smallest message sent compressed when
// permessage-deflate is on: below it, DEFLATE's few bytes of framing
// would eat most of what it saves.
const compressMin = 128

// smallFrame bounds the frames written with one Write from a buffer on the
// stack: header and payload as one piece, one TLS record on TLS. A larger
// frame is written with reactor.Conn.Writev: its header and its payload as
// one unit, the payload sent from where it lies when it is large.
const smallFrame = 512

// writeMargin is what a frame written in two pieces (Writev) needs beyond
// its size: on TLS each piece becomes records of its own, with their
// overhead (reactor.Conn.Available counts it for one).
const writeMargin = 128

// WriteText sends p as a text message. The peer fails the connection if
// p is not UTF-8: that is the caller's to ensure (OnMessage's text is).
// See WriteMessage.
func (c *Conn) WriteText(p []byte) error { return c.WriteMessage(Text, p) }

// WriteBinary sends p as a binary message. See WriteMessage.
func (c *Conn) WriteBinary(p []byte) error { return c.WriteMessage(Binary, p) }

// WriteMessage sends p as one message of type op, Text or Binary, in one
// frame: compressed if permessage-deflate was negotiated and p is at
// least 128 bytes and compresses to fewer. The frame is queued whole in
// the reactor connection's output, p copied, and leaves at the end of the
// loop's pass; p may be reused at once. It returns reactor.ErrOutputFull,
// having queued nothing, when the frame would pass the output cap (the
// peer does not read fast enough: see Available and WritableHandler),
// ErrOpcode for another op, ErrNotOpen before a dialed connection is open,
// and ErrClosed once the connection has begun to close.
func (c *Conn) WriteMessage(op Opcode, p []byte) error {
	switch {
	case op != Text && op != Binary:
		return ErrOpcode
	case c.state != stOpen:
		return c.notOpen()
	case c.flags&flagDeflate != 0 && len(p) >= compressMin:
		ls := c.ls
		z := ls.flate().Compress(ls.deflate[:0], p)
		err := errNotSmaller
		if len(z) < len(p) {
			err = c.writeFrame(op, z, true)
		}
		ls.deflate = keep(z)
		if err != errNotSmaller {
			return err
		}
	}
	return c.writeFrame(op, p, false)
}

// errNotSmaller says that a message did not compress.
var errNotSmaller = errors.New("websocket: compressed message not smaller")

// Ping sends a ping with payload p, at most MaxControlPayload bytes (else
// ErrTooLong); the peer answers with a pong of the same payload. The
// errors are WriteMessage's.
func (c *Conn) Ping(p []byte) error {
	switch {
	case c.state != stOpen:
		return c.notOpen()
	case len(p) > MaxControlPayload:
		return ErrTooLong
	}
	return c.writeFrame(Ping, p, false)
}

// Available returns how many bytes of payload a message written now may
// have without the write returning reactor.ErrOutputFull: 0 when the
// output is full, or the connection not open.
func (c *Conn) Available() int {
	if c.state != stOpen {
		return 0
	}
	return max(c.nc.Available()-MaxHeaderLen-writeMargin, 0)
}

// notOpen returns the error of a write on a connection that is not open.
func (c *Conn) notOpen() error {
	if c.state == stHandshake {
		return ErrNotOpen
	}
	return ErrClosed
}

// writeFrame writes a frame with FIN, whole or not at all: a server's
// unmasked, from the caller's payload; a client's masked with a fresh key
// (writeMasked).
func (c *Conn) writeFrame(op Opcode, payload []byte, rsv1 bool) error {
	if !c.isServer() {
		return c.writeMasked(op, payload, rsv1)
	}
	var buf [smallFrame]byte
	frame := AppendHeader(buf[:0], true, rsv1, op, len(payload), nil)
	if len(frame)+len(payload) <= len(buf) {
		frame = append(frame, payload...)
		_, err := c.nc.Write(frame)
		return err
	}
	if c.nc.Available() < len(frame)+len(payload)+writeMargin {
		return reactor.ErrOutputFull
	}
	// Header and payload as one unit: a large payload is sent from where
	// it lies, not copied into the output first.
	_, err := c.nc.Writev(frame, payload)
	return err
}

// writeMasked writes a client's frame: the header with a fresh masking
// key, and the payload masked, built in the loop's frame buffer (the
// caller's payload is not modified) and written with one Write.
func (c *Conn) writeMasked(op Opcode, payload []byte, rsv1 bool) error {
	ls := c.ls
	key := ls.keys.key()
	b := AppendHeader(ls.frame[:0], true, rsv1, op, len(payload), &key)
	n := len(b)
	b = append(b, payload...)
	MaskBytes(key, 0, b[n:])
	_, err := c.nc.Write(b)
	ls.frame = keep(b)
	return err
}

// writeClose writes a close frame with code and reason (AppendClose: an
// empty payload for CloseNoStatus), and notes that it is sent.
func (c *Conn) writeClose(code uint16, reason string) error {
	var b [MaxControlPayload]byte
	err := c.writeFrame(Close, AppendClose(b[:0], code, reason), false)
	if err == nil {
		c.flags |= flagSentClose
	}
	return err
}
