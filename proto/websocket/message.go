package websocket

// message is a connection's record of what is in flight between two of
// its reads: a message that is not whole yet, or one of its frames. A
// connection has one only while something is in flight (Conn.msg), taken
// from its loop's free list and given back when the message is over, so
// that an idle connection holds none. It covers three cases:
//
//   - A text frame waiting in the input for the rest of its payload:
//     part bytes of it have been unmasked in place and validated, so that
//     UTF-8 fails as soon as a bad byte arrives, and the frame is not
//     unmasked twice. When it is whole, it is handed over where it lies
//     (or added to buf if its message is fragmented).
//   - A fragmented message (fragmented): the payloads of its frames so far
//     are in buf, unmasked, with text validated as they came; a compressed
//     message's buf holds its compressed payload.
//   - A frame too large to wait in the input (left > 0), streamed: its
//     payload is added to buf, unmasked, as it arrives, and consumed from
//     the input at once.
//
// During the opening handshake it holds the handshake's state instead: a
// client's buf is the Sec-WebSocket-Accept it expects, a server's ctx the
// Context given to UpgradeContext, until OnOpen.
type message struct {
	op         Opcode    // Text or Binary: the message's opcode, from its first frame
	compressed bool      // RSV1 on its first frame: buf holds DEFLATE data
	fragmented bool      // its first frame had no FIN: continuation frames follow
	text       UTF8State // the validation of an uncompressed text message so far
	part       int       // bytes of the payload of the frame in the input already unmasked (and validated)

	// The frame being streamed.
	left int64   // bytes of its payload still to come; 0 when none is streamed
	fin  bool    // it ends the message
	mask [4]byte // its masking key
	pos  int     // the position in mask of its next byte

	buf []byte // the message's payload gathered so far
	ctx any    // the Context of a server's connection until OnOpen
}

// validates reports whether the frames of m are checked as UTF-8 as they
// arrive: an uncompressed text message. A compressed one is checked once
// inflated.
func (m *message) validates() bool { return m.op == Text && !m.compressed }

// maxWaitFrame is the largest frame (header and payload) that waits in the
// input until it is whole, to be handed over where it lies; a larger data
// frame is streamed into the message's buffer as it arrives, so that the
// input (reactor.WithMaxInput) need not hold it. A frame also streams when
// the input is full (reactor.Conn.InputFull) before it is whole.
const maxWaitFrame = 64 << 10
