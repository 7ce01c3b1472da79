package frame

import "fmt"

// fixed is the Framer of Fixed.
type fixed struct {
	size int
}

// Fixed returns a Framer for messages of exactly size bytes each, such as
// the records of a binary protocol. size is also the maximum: a Fixed framer
// never returns ErrTooLarge. A size of 0 or less is an error that matches
// ErrInvalid.
//
// The connection must be able to buffer size bytes (see
// reactor.WithMaxInput), or a message never completes.
func Fixed(size int) (Framer, error) {
	if size <= 0 {
		return nil, fmt.Errorf("%w: fixed message size %d (want > 0)", ErrInvalid, size)
	}
	return &fixed{size: size}, nil
}

// Next returns the next size bytes, or nil, nil while fewer are buffered.
func (f *fixed) Next(in Input) ([]byte, error) {
	n := f.size
	if in.Buffered() < n {
		return nil, nil
	}
	p, _ := in.Peek(n)
	if len(p) < n {
		return nil, nil // an Input that broke its contract: wait
	}
	in.Discard(n)
	return p[:n:n], nil
}
