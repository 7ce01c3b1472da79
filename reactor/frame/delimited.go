package frame

import (
	"bytes"
	"fmt"
	"math"
)

// delimited is the Framer of Delimited.
type delimited struct {
	delim    []byte // a copy of the caller's delimiter
	limit    int    // max+len(delim), at most math.MaxInt: the scan window
	tooLarge error  // built once, so returning it does not allocate
}

// Delimited returns a Framer for messages that each end with delim, such as
// lines ending in "\n" or "\r\n". The message it returns leaves the
// delimiter out, and max bounds its length (without the delimiter). The
// delimiter is the first occurrence of delim after the previous message:
// with delim "\r\n", a lone "\r" or "\n" is part of the message. The framer
// keeps a copy of delim.
//
// Once max+len(delim) bytes are buffered without a delimiter among them,
// Next returns ErrTooLarge, whether the rest of the line has arrived or not.
// An empty delim, or a max below 0, is an error that matches ErrInvalid.
//
// The framer keeps no state between calls, so it scans from the start of
// the buffered input each time: one call scans at most max+len(delim)
// bytes, and a line that arrives in k reads is scanned up to k times. Pick
// max with that in mind, and no larger than the connection can buffer
// (reactor.WithMaxInput) minus len(delim).
func Delimited(delim []byte, max int) (Framer, error) {
	if len(delim) == 0 {
		return nil, fmt.Errorf("%w: empty delimiter", ErrInvalid)
	}
	if max < 0 {
		return nil, fmt.Errorf("%w: maximum message size %d (want >= 0)", ErrInvalid, max)
	}
	limit := math.MaxInt
	if max <= math.MaxInt-len(delim) {
		limit = max + len(delim)
	}
	return &delimited{
		delim: bytes.Clone(delim),
		limit: limit,
		tooLarge: fmt.Errorf("%w: no delimiter %q within %d bytes (message maximum %d)",
			ErrTooLarge, delim, limit, max),
	}, nil
}

// Next returns the bytes before the next delimiter and consumes both.
func (d *delimited) Next(in Input) ([]byte, error) {
	n := in.Buffered()
	if n < len(d.delim) {
		return nil, nil
	}
	n = min(n, d.limit)
	p, _ := in.Peek(n)
	if len(p) < n {
		return nil, nil // an Input that broke its contract: wait
	}
	i := bytes.Index(p, d.delim)
	if i < 0 {
		if n == d.limit {
			return nil, d.tooLarge
		}
		return nil, nil
	}
	in.Discard(i + len(d.delim))
	return p[:i:i], nil
}
