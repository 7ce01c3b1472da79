package websocket

import "encoding/binary"

// Opcode says what a frame holds (RFC 6455 §5.2).
type Opcode uint8

// The opcodes RFC 6455 defines; the others are reserved.
const (
	Continuation Opcode = 0x0 // the next fragment of a message
	Text         Opcode = 0x1 // the first frame of a UTF-8 text message
	Binary       Opcode = 0x2 // the first frame of a binary message
	Close        Opcode = 0x8 // the closing handshake
	Ping         Opcode = 0x9
	Pong         Opcode = 0xA
)

// IsControl reports whether op is a control opcode (Close, Ping, Pong or a
// reserved one from 0xB): control frames may come between the fragments
// of a message, are never fragmented and carry at most 125 bytes.
func (op Opcode) IsControl() bool { return op&0x8 != 0 }

// defined reports whether op is one of the six opcodes RFC 6455 defines.
func (op Opcode) defined() bool { return op <= Binary || Close <= op && op <= Pong }

// String returns the opcode's name, or its number for a reserved one.
func (op Opcode) String() string {
	switch op {
	case Continuation:
		return "continuation"
	case Text:
		return "text"
	case Binary:
		return "binary"
	case Close:
		return "close"
	case Ping:
		return "ping"
	case Pong:
		return "pong"
	}
	return "opcode " + byteValues[op&0xf:op&0xf+1]
}

// byteValues spells the reserved opcodes' numbers, so that String need not
// format them.
const byteValues = "0123456789ABCDEF"

// The RSV bits of a frame as Header.RSV holds them, and as ParseHeader's
// allowedRSV takes them: permessage-deflate uses RSV1.
const (
	RSV1 uint8 = 1 << 2
	RSV2 uint8 = 1 << 1
	RSV3 uint8 = 1 << 0
)

const (
	// MaxHeaderLen is the longest frame header: 2 bytes, 8 of extended
	// payload length and 4 of mask.
	MaxHeaderLen = 14
	// MaxControlPayload is the longest payload of a control frame.
	MaxControlPayload = 125
)

// Header is a frame header as ParseHeader reads it.
type Header struct {
	Fin    bool    // the last frame of its message
	RSV    uint8   // the RSV bits: RSV1, RSV2, RSV3 or'ed
	Opcode Opcode  // what the frame holds
	Masked bool    // the payload is masked with Mask (frames from clients)
	Mask   [4]byte // the masking key, if Masked
	Length int64   // the payload's length, from 0 to 1<<63 - 1
}

// ParseHeader parses the frame header at the start of p and returns it
// with its length n, from 2 to MaxHeaderLen bytes: the payload starts at
// p[n] and is h.Length bytes long. It returns n == 0 and no error when the
// header has not all arrived, and an *Error (one of the package's
// sentinels) as soon as the bytes that have arrived break a rule: a
// reserved opcode, an RSV bit not in allowedRSV, a control frame without
// FIN or longer than MaxControlPayload, a length with its most
// significant bit set or not in its shortest form.
//
// The length is known once the header is, before the payload arrives: a
// caller with a maximum message size compares h.Length with it and refuses
// the frame (ErrMessageTooBig) without waiting for the payload or making
// room for it.
//
// allowedRSV holds the RSV bits the negotiated extensions give a meaning
// to: RSV1 when permessage-deflate is on, else 0. permessage-deflate marks
// a compressed message in its first frame only, so an allowed bit is
// accepted on a Text or Binary frame and refused (ErrReservedBits) on a
// continuation or control frame.
//
// A length not in its shortest form (126 with a 16-bit length below 126,
// 127 with a 64-bit length below 65536) is refused with ErrLengthEncoding:
// RFC 6455 §5.2 says that the minimal number of bytes MUST be used, and
// the encoders of browsers and of every common library do; so a header has
// one encoding, the one AppendHeader writes.
//
// ParseHeader does not check the mask nor the order of frames: the caller
// calls CheckMasking and CheckSequence for those. It reads p and does not
// modify it; it allocates nothing.
func ParseHeader(p []byte, allowedRSV uint8) (h Header, n int, err error) {
	if len(p) == 0 {
		return h, 0, nil
	}
	h.Fin = p[0]&0x80 != 0
	h.RSV = p[0] >> 4 & 7
	h.Opcode = Opcode(p[0] & 0xf)
	switch {
	case !h.Opcode.defined():
		return h, 0, ErrReservedOpcode
	case h.RSV&^allowedRSV != 0, h.RSV != 0 && h.Opcode != Text && h.Opcode != Binary:
		return h, 0, ErrReservedBits
	case h.Opcode.IsControl() && !h.Fin:
		return h, 0, ErrControlFragmented
	case len(p) < 2:
		return h, 0, nil
	}
	h.Masked = p[1]&0x80 != 0
	length := p[1] & 0x7f
	n = 2
	switch {
	case length > MaxControlPayload && h.Opcode.IsControl():
		return h, 0, ErrControlLength
	case length == 126:
		if len(p) < 4 {
			return h, 0, nil
		}
		h.Length = int64(binary.BigEndian.Uint16(p[2:]))
		if h.Length < 126 {
			return h, 0, ErrLengthEncoding
		}
		n = 4
	case length == 127:
		if len(p) > 2 && p[2]&0x80 != 0 {
			return h, 0, ErrLengthOverflow
		}
		if len(p) < 10 {
			return h, 0, nil
		}
		h.Length = int64(binary.BigEndian.Uint64(p[2:]))
		if h.Length <= 0xffff {
			return h, 0, ErrLengthEncoding
		}
		n = 10
	default:
		h.Length = int64(length)
	}
	if h.Masked {
		if len(p) < n+4 {
			return h, 0, nil
		}
		h.Mask = [4]byte(p[n : n+4])
		n += 4
	}
	return h, n, nil
}

// CheckMasking checks the mask of a frame that came from a client
// (fromClient true, at a server: it must be masked, or ErrUnmasked) or from
// a server (at a client: it must not be, or ErrMasked). RFC 6455 §5.1.
func (h Header) CheckMasking(fromClient bool) error {
	switch {
	case fromClient && !h.Masked:
		return ErrUnmasked
	case !fromClient && h.Masked:
		return ErrMasked
	}
	return nil
}

// CheckSequence checks that a frame may come where it does (RFC 6455
// §5.4): fragmented says whether a data message has begun with a frame
// without FIN and waits for its last continuation frame. A continuation
// frame needs such a message (ErrContinuation); a Text or Binary frame
// must not come in the middle of one (ErrUnfinished). Control frames may
// come anywhere.
func (h Header) CheckSequence(fragmented bool) error {
	switch {
	case h.Opcode == Continuation && !fragmented:
		return ErrContinuation
	case (h.Opcode == Text || h.Opcode == Binary) && fragmented:
		return ErrUnfinished
	}
	return nil
}

// AppendHeader appends a frame header to dst and returns the extended
// slice: FIN if fin, RSV1 if rsv1 (a compressed message's first frame),
// the opcode op, and the payload length, which must not be negative, in
// its shortest form. With a mask (a client's frame) it sets the mask bit
// and appends the key; the caller masks the payload (MaskBytes). A server
// passes nil. It does not check the rules of control frames
// (FrameWriter does). It allocates only when dst has no room.
func AppendHeader(dst []byte, fin bool, rsv1 bool, op Opcode, length int, mask *[4]byte) []byte {
	b0 := byte(op & 0xf)
	if fin {
		b0 |= 0x80
	}
	if rsv1 {
		b0 |= RSV1 << 4
	}
	var b1 byte
	if mask != nil {
		b1 = 0x80
	}
	switch {
	case length < 126:
		dst = append(dst, b0, b1|byte(length))
	case length <= 0xffff:
		dst = append(dst, b0, b1|126)
		dst = binary.BigEndian.AppendUint16(dst, uint16(length))
	default:
		dst = append(dst, b0, b1|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(length))
	}
	if mask != nil {
		dst = append(dst, mask[:]...)
	}
	return dst
}

// headerLen returns the length of the header AppendHeader writes for a
// payload of length bytes.
func headerLen(length int, masked bool) int {
	n := 2
	switch {
	case length > 0xffff:
		n += 8
	case length >= 126:
		n += 2
	}
	if masked {
		n += 4
	}
	return n
}
