package frame

import "errors"

// Errors of the frame package; test for them with errors.Is.
var (
	// ErrTooLarge is returned by a Framer when the next message is longer
	// than its maximum: a length prefix declared more, or a delimiter did
	// not come within the maximum. It is returned as soon as that is known,
	// before the rest of the message arrives, and the framer never allocates
	// room for the message. Nothing is consumed, so the caller can inspect
	// the input; the usual answer is to close the connection with this
	// error as the reason. The write helpers return it when a payload is too
	// long for the width of the length prefix.
	ErrTooLarge = errors.New("frame: message larger than the maximum")

	// ErrNoRoom is returned by WriteLengthPrefixed when the output has no
	// room for the whole frame (header and payload) now. Nothing was
	// written: the caller may wait for the output to drain and try again,
	// or give up on the connection.
	ErrNoRoom = errors.New("frame: no room in the output for the frame")

	// ErrInvalid is returned, wrapped with the detail, for a parameter no
	// framer can work with: a fixed size of 0 or less, a maximum below 0,
	// an empty delimiter, a length prefix that is not 1, 2, 4 or 8 bytes
	// wide.
	ErrInvalid = errors.New("frame: invalid framing parameter")
)

// Input is buffered input that a Framer reads messages from. *reactor.Conn
// implements it (inside OnData), and so does *RingInput.
//
// Framers call Peek only with 0 < n <= Buffered(), and rely on it to return
// exactly n bytes then.
type Input interface {
	// Buffered returns the number of bytes that can be read now.
	Buffered() int
	// Peek returns the next n bytes as one slice, without consuming them.
	// With fewer than n bytes buffered it returns those and a non-nil
	// error.
	Peek(n int) ([]byte, error)
	// Discard consumes up to n bytes and returns how many it consumed.
	Discard(n int) int
}

// Output is where the write helpers put frames. *reactor.Conn implements
// it.
//
// WriteLengthPrefixed checks Available before it writes, so that a frame is
// queued whole or not at all, and then writes the header with WriteString
// and the payload with Write (see WriteLengthPrefixed for why).
type Output interface {
	// Write queues all of p, or nothing and an error. It must not retain p.
	Write(p []byte) (int, error)
	// WriteString is Write for a string.
	WriteString(s string) (int, error)
	// Available returns how many more bytes Write would accept now.
	Available() int
}

// Framer splits a byte stream into messages. A Framer holds only its
// configuration, which never changes: one Framer can serve every
// connection of every loop, from any number of goroutines.
type Framer interface {
	// Next returns the next whole message and consumes it from in. With no
	// whole message buffered yet it returns nil, nil and consumes nothing;
	// an empty message is a non-nil slice of length 0, so test for nil,
	// not for length 0, to know when to stop.
	//
	// A message over the maximum gives an error that matches ErrTooLarge
	// (errors.Is), with the framer's maximum in its text; nothing is
	// consumed and later calls return the same error.
	//
	// The message points into in's buffer: it is valid until the next call
	// that peeks at or consumes from in (for *reactor.Conn, at the latest
	// until OnData returns), and it must not be modified. Copy it to keep
	// it. Its capacity is its length, so appending to it copies.
	Next(in Input) ([]byte, error)
}
