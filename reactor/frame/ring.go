package frame

import "github.com/goreactor/reactor/buffer"

// RingInput implements Input; this assertion keeps it so.
var _ Input = (*RingInput)(nil)

// RingInput lets a Framer read from a buffer.Ring: bytes the caller wrote
// into R are the input, and the messages a framer returns are consumed from
// R. It is how to frame a stream outside a reactor loop, for example the
// replies a client reads with R.ReadFrom.
type RingInput struct {
	R *buffer.Ring // the buffer the input is in
}

// Buffered returns R.Len().
func (in *RingInput) Buffered() int { return in.R.Len() }

// Peek returns R.Peek(n): the next n bytes as one slice, and buffer.ErrShort
// along with every buffered byte when R holds fewer than n. Unlike
// Ring.Peek, and like reactor.Conn.Peek, n <= 0 means every buffered byte.
// When the bytes wrap around the end of R's array, R rotates them in place
// (see Ring.Peek).
func (in *RingInput) Peek(n int) ([]byte, error) {
	if n <= 0 {
		n = in.R.Len()
	}
	return in.R.Peek(n)
}

// Discard returns R.Discard(n).
func (in *RingInput) Discard(n int) int { return in.R.Discard(n) }
