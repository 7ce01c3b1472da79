package websocket

// Output is where a FrameWriter writes frames: a *reactor.Conn, or any
// buffer with these two methods.
type Output interface {
	// Write queues p whole, or fails.
	Write(p []byte) (int, error)
	// Available returns the number of bytes Write takes now.
	Available() int
}

// maskChunk is the size of the buffer a client's payload is masked
// through on its way to the output.
const maskChunk = 1 << 10

// vectored is an Output that takes two slices as one unit, as
// *reactor.Conn does (Writev): a frame's header and its payload go out
// together, and a large payload is not copied on its way.
type vectored interface {
	Writev(a, b []byte) (int, error)
}

// FrameWriter writes frames into an Output without allocating. It holds
// the bytes it writes that are not the caller's: the header, a close
// frame's payload, and a client's payload masked (the caller's payload is
// not modified). They could not be arrays on the stack: a slice of one
// passed to a method of an interface escapes, so the compiler would move
// it to the heap, one allocation per frame. A FrameWriter holds nothing
// between calls, so one serves every connection of a loop; it is owned by
// one goroutine, the loop's. The zero value is ready to use.
type FrameWriter struct {
	hdr  [MaxHeaderLen]byte
	ctl  [MaxControlPayload]byte
	mask [maskChunk]byte
}

// WriteFrame writes one frame to out: its header, with FIN if fin, RSV1 if
// rsv1 (the first frame of a compressed message), the opcode op and the
// length of payload, then payload. A server passes a nil mask; a client
// passes a fresh masking key for each frame (RFC 6455 §5.3), and the
// payload goes out masked, through w's buffer, while payload itself is
// left as it was.
//
// The frame goes whole or not at all: when out.Available() is below its
// length, WriteFrame returns ErrNoRoom and writes nothing. It refuses,
// writing nothing, the frames ParseHeader would: a reserved opcode
// (ErrReservedOpcode), RSV1 on a frame other than Text or Binary
// (ErrReservedBits), a control frame without fin (ErrControlFragmented)
// or longer than MaxControlPayload (ErrControlLength). If out fails after
// all although Available said the frame fits, its error is returned and
// the frame may be partly written.
func (w *FrameWriter) WriteFrame(out Output, fin, rsv1 bool, op Opcode, payload []byte, mask *[4]byte) error {
	switch {
	case !op.defined():
		return ErrReservedOpcode
	case rsv1 && op != Text && op != Binary:
		return ErrReservedBits
	case op.IsControl() && !fin:
		return ErrControlFragmented
	case op.IsControl() && len(payload) > MaxControlPayload:
		return ErrControlLength
	}
	return w.write(out, fin, rsv1, op, payload, mask)
}

// WriteClose writes a close frame to out whose payload is code and
// reason as AppendClose makes them (an empty payload for a code that may
// not be sent, a reason cut to MaxCloseReason bytes), masked with mask if
// it is not nil, whole or not at all as WriteFrame does. Answering a
// peer's close frame is WriteClose(out, code, "", mask) with the code
// ParseClose returned.
func (w *FrameWriter) WriteClose(out Output, code uint16, reason string, mask *[4]byte) error {
	return w.write(out, true, false, Close, AppendClose(w.ctl[:0], code, reason), mask)
}

// write writes a frame whose header the caller has checked.
func (w *FrameWriter) write(out Output, fin, rsv1 bool, op Opcode, payload []byte, mask *[4]byte) error {
	hdr := AppendHeader(w.hdr[:0], fin, rsv1, op, len(payload), mask)
	if out.Available()-len(hdr) < len(payload) {
		return ErrNoRoom
	}
	if v, ok := out.(vectored); ok && mask == nil {
		_, err := v.Writev(hdr, payload)
		return err
	}
	if _, err := out.Write(hdr); err != nil {
		return err
	}
	if mask == nil {
		if len(payload) == 0 {
			return nil
		}
		_, err := out.Write(payload)
		return err
	}
	pos := 0
	for len(payload) > 0 {
		n := copy(w.mask[:], payload)
		pos = MaskBytes(*mask, pos, w.mask[:n])
		if _, err := out.Write(w.mask[:n]); err != nil {
			return err
		}
		payload = payload[n:]
	}
	return nil
}
