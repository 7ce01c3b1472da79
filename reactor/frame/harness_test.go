package frame

import (
	"bytes"
	"errors"
	"fmt"
	"math/bits"
	"testing"

	"github.com/goreactor/reactor/buffer"
	"github.com/stretchr/testify/require"
)

// outcome is what a framer made of a stream: the messages it returned, in
// order, and whether it stopped with ErrTooLarge.
type outcome struct {
	msgs     [][]byte
	tooLarge bool
}

func (o outcome) String() string {
	return fmt.Sprintf("%q tooLarge=%v", o.msgs, o.tooLarge)
}

// drain calls f.Next until it returns no message or an error, checks what a
// framer promises on each call, and adds copies of the messages to o. It
// reports whether the framer returned an error. It runs for every piece of
// every fuzz input, so it checks with plain comparisons and reports with
// t.Fatalf rather than go through testify's reflection each time.
func drain(t testing.TB, f Framer, in *RingInput, o *outcome) bool {
	for {
		before := in.Buffered()
		msg, err := f.Next(in)
		if err != nil {
			if !errors.Is(err, ErrTooLarge) || msg != nil {
				t.Fatalf("Next = %q, %v; want nil and ErrTooLarge", msg, err)
			}
			if in.Buffered() != before {
				t.Fatalf("ErrTooLarge consumed %d bytes; must consume none", before-in.Buffered())
			}
			if again, err2 := f.Next(in); again != nil || err2 != err {
				t.Fatalf("Next after an error = %q, %v; want nil, %v again", again, err2, err)
			}
			o.tooLarge = true
			return true
		}
		if msg == nil {
			if in.Buffered() != before {
				t.Fatalf("Next returned no message and consumed %d bytes", before-in.Buffered())
			}
			return false
		}
		if used := before - in.Buffered(); used < len(msg) {
			t.Fatalf("Next returned %d bytes and consumed only %d", len(msg), used)
		}
		if cap(msg) != len(msg) {
			t.Fatalf("message of length %d has capacity %d; want equal", len(msg), cap(msg))
		}
		o.msgs = append(o.msgs, bytes.Clone(msg))
	}
}

// equal reports whether two outcomes are the same, telling an empty message
// from none but not a nil message list from an empty one.
func (o outcome) equal(p outcome) bool {
	if o.tooLarge != p.tooLarge || len(o.msgs) != len(p.msgs) {
		return false
	}
	for i := range o.msgs {
		if !bytes.Equal(o.msgs[i], p.msgs[i]) || (o.msgs[i] == nil) != (p.msgs[i] == nil) {
			return false
		}
	}
	return true
}

// feed writes stream into a fresh ring in pieces that end at the given
// cuts, letting f take the messages out after each piece, and returns what
// f made of it. The first piece is written behind offset bytes of junk that
// are then discarded, so that the data starts at that index of the ring's
// array and wraps around its end when offset is near its size.
func feed(t testing.TB, f Framer, stream []byte, offset int, cuts ...int) outcome {
	r := buffer.New(0)
	in := &RingInput{R: r}
	var o outcome
	prev := 0
	for i := 0; i <= len(cuts); i++ {
		end := len(stream)
		if i < len(cuts) {
			end = cuts[i]
		}
		if i == 0 && offset > 0 {
			_, err := r.Write(make([]byte, offset))
			require.NoError(t, err)
		}
		_, err := r.Write(stream[prev:end])
		require.NoError(t, err)
		if i == 0 {
			r.Discard(offset)
		}
		prev = end
		if drain(t, f, in, &o) {
			break
		}
	}
	return o
}

// ringOffsets are the start indexes feed is tried with: none, the middle of
// the first 512-byte array a ring allocates, and near its end so that the
// data wraps.
var ringOffsets = []int{0, 300, 500}

// checkSplits feeds stream to f whole, in two pieces cut at every index, and
// in three pieces cut at every pair of indexes, at each of ringOffsets, and
// requires the outcome to be want every time.
func checkSplits(t *testing.T, f Framer, stream []byte, want outcome) {
	t.Helper()
	for _, off := range ringOffsets {
		require.Equal(t, want, feed(t, f, stream, off), "whole, offset %d", off)
		for i := 0; i <= len(stream); i++ {
			require.Equal(t, want, feed(t, f, stream, off, i), "cut at %d, offset %d", i, off)
			for j := i; j <= len(stream); j++ {
				require.Equal(t, want, feed(t, f, stream, off, i, j), "cuts at %d and %d, offset %d", i, j, off)
			}
		}
	}
}

// msgs returns its arguments as byte slices, for an outcome: nil for none,
// as drain leaves it.
func msgs(s ...string) [][]byte {
	if len(s) == 0 {
		return nil
	}
	out := make([][]byte, len(s))
	for i, m := range s {
		out[i] = []byte(m)
	}
	return out
}

// newRingInput returns a RingInput over a ring holding p.
func newRingInput(t testing.TB, p []byte) *RingInput {
	r := buffer.New(0)
	_, err := r.Write(p)
	require.NoError(t, err)
	return &RingInput{R: r}
}

// mustNext calls f.Next(in) and requires no error.
func mustNext(t testing.TB, f Framer, in Input) []byte {
	msg, err := f.Next(in)
	require.NoError(t, err)
	return msg
}

// ringLimit is the most a Ring without a maximum can hold: 2^62 bytes on
// 64-bit systems, 2^30 on 32-bit ones (see buffer.Ring.Grow).
const ringLimit = 1 << (bits.UintSize - 2)

// ringOutput is an Output over a buffer.Ring, for the tests of the write
// helpers: its writes are all-or-nothing against R's maximum, as a
// *reactor.Conn's are against its output limit.
type ringOutput struct {
	R *buffer.Ring
}

var _ Output = (*ringOutput)(nil)

// Available returns how many more bytes R accepts: Max()-Len() when R has a
// maximum, else what is left of the largest size a Ring can have.
func (out *ringOutput) Available() int {
	limit := out.R.Max()
	if limit <= 0 || limit > ringLimit {
		limit = ringLimit
	}
	return max(0, limit-out.R.Len())
}

// Write appends all of p to R, or returns 0 and ErrNoRoom if p does not fit.
func (out *ringOutput) Write(p []byte) (int, error) {
	if len(p) > out.Available() {
		return 0, ErrNoRoom
	}
	return out.R.Write(p)
}

// WriteString appends all of s to R, or returns 0 and ErrNoRoom if s does
// not fit.
func (out *ringOutput) WriteString(s string) (int, error) {
	if len(s) > out.Available() {
		return 0, ErrNoRoom
	}
	return out.R.WriteString(s)
}
