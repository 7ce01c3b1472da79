package frame

import (
	"math/bits"

	"github.com/goreactor/reactor/buffer"
)

// The adapters implement the interfaces; these assertions keep it so.
var (
	_ Input  = (*RingInput)(nil)
	_ Output = (*RingOutput)(nil)
)

// RingInput lets a Framer read from a buffer.Ring: bytes the caller wrote
// into R are the input, and the messages a framer returns are consumed from
// R. It is how to frame a stream outside a reactor loop, for example the
// replies a client reads with R.ReadFrom.
type RingInput struct {
	R *buffer.Ring
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

// ringLimit is the most a Ring without a maximum can hold: 2^62 bytes on
// 64-bit systems, 2^30 on 32-bit ones (see buffer.Ring.Grow).
const ringLimit = 1 << (bits.UintSize - 2)

// RingOutput lets the write helpers put frames into a buffer.Ring, which
// the caller then sends (R.WriteTo) or reads. Its writes are all-or-nothing
// against R's maximum.
type RingOutput struct {
	R *buffer.Ring
}

// Available returns how many more bytes R accepts: Max()-Len() when R has a
// maximum, else what is left of the largest size a Ring can have.
func (out *RingOutput) Available() int {
	limit := out.R.Max()
	if limit <= 0 || limit > ringLimit {
		limit = ringLimit
	}
	return max(0, limit-out.R.Len())
}

// Write appends all of p to R, or returns 0 and ErrNoRoom if p does not fit.
func (out *RingOutput) Write(p []byte) (int, error) {
	if len(p) > out.Available() {
		return 0, ErrNoRoom
	}
	return out.R.Write(p)
}

// WriteString appends all of s to R, or returns 0 and ErrNoRoom if s does
// not fit.
func (out *RingOutput) WriteString(s string) (int, error) {
	if len(s) > out.Available() {
		return 0, ErrNoRoom
	}
	return out.R.WriteString(s)
}
