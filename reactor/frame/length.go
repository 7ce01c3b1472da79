package frame

import (
	"fmt"
	"math"
)

// lengthPrefixed is the Framer of LengthPrefixed.
type lengthPrefixed struct {
	prefix   int    // width of the length, in bytes: 1, 2, 4 or 8
	max      uint64 // largest payload accepted
	tooLarge error  // built once, so returning it does not allocate
}

// LengthPrefixed returns a Framer for messages that each start with their
// length: an unsigned big-endian (network byte order) integer of prefix
// bytes, which must be 1, 2, 4 or 8, followed by that many bytes of
// payload. The message it returns is the payload alone. A length of 0 is an
// empty message.
//
// A declared length above max gives ErrTooLarge as soon as the header has
// arrived, before any of the payload: the framer reads the length as a
// uint64 and compares it, so a hostile 8-byte length of 2^64-1 is refused
// like any other and nothing is ever allocated for it. A max beyond what
// the prefix can express, or beyond math.MaxInt-prefix, is lowered to that.
// A prefix other than 1, 2, 4 or 8, or a max below 0, is an error that
// matches ErrInvalid.
//
// Pick max no larger than the connection can buffer (reactor.WithMaxInput)
// minus prefix, or a message that is allowed can never complete.
func LengthPrefixed(prefix int, max int) (Framer, error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, err
	}
	if max < 0 {
		return nil, fmt.Errorf("%w: maximum message size %d (want >= 0)", ErrInvalid, max)
	}
	m := min(uint64(max), prefixMax(prefix), uint64(math.MaxInt-prefix))
	return &lengthPrefixed{
		prefix: prefix,
		max:    m,
		tooLarge: fmt.Errorf("%w: length prefix declares more than %d bytes",
			ErrTooLarge, m),
	}, nil
}

// Next reads the header, refuses a length over the maximum, and returns the
// payload once all of it is buffered.
func (l *lengthPrefixed) Next(in Input) ([]byte, error) {
	buffered := in.Buffered()
	if buffered < l.prefix {
		return nil, nil
	}
	h, _ := in.Peek(l.prefix)
	if len(h) < l.prefix {
		return nil, nil // an Input that broke its contract: wait
	}
	n := getLength(h)
	if n > l.max {
		return nil, l.tooLarge
	}
	end := l.prefix + int(n) // no overflow: l.max <= math.MaxInt-prefix
	if buffered < end {
		return nil, nil
	}
	p, _ := in.Peek(end)
	if len(p) < end {
		return nil, nil
	}
	in.Discard(end)
	return p[l.prefix:end:end], nil
}

// checkPrefix returns nil for the widths a length prefix may have, and an
// error matching ErrInvalid for any other.
func checkPrefix(prefix int) error {
	switch prefix {
	case 1, 2, 4, 8:
		return nil
	}
	return fmt.Errorf("%w: length prefix of %d bytes (want 1, 2, 4 or 8)", ErrInvalid, prefix)
}

// prefixMax returns the largest length a prefix of the given width (1, 2, 4
// or 8) can express.
func prefixMax(prefix int) uint64 {
	if prefix >= 8 {
		return math.MaxUint64
	}
	return 1<<(8*uint(prefix)) - 1
}

// getLength decodes the big-endian unsigned integer h (at most 8 bytes).
func getLength(h []byte) uint64 {
	var n uint64
	for _, b := range h {
		n = n<<8 | uint64(b)
	}
	return n
}

// putLength encodes n big-endian into all of h (at most 8 bytes), dropping
// the bits that do not fit.
func putLength(h []byte, n uint64) {
	for i := len(h) - 1; i >= 0; i-- {
		h[i] = byte(n)
		n >>= 8
	}
}
