package buffer

import (
	"errors"
	"io"
)

// Ring implements the io interfaces below; these assertions keep it so.
var (
	_ io.Reader       = (*Ring)(nil)
	_ io.Writer       = (*Ring)(nil)
	_ io.ByteReader   = (*Ring)(nil)
	_ io.ByteWriter   = (*Ring)(nil)
	_ io.StringWriter = (*Ring)(nil)
	_ io.ReaderFrom   = (*Ring)(nil)
	_ io.WriterTo     = (*Ring)(nil)
)

// errBadCount reports a Reader or Writer that broke its contract by
// returning a count below 0 or above the length of the slice it was given.
var errBadCount = errors.New("buffer: reader or writer returned an invalid count")

const (
	// minRead is how much free space ReadFrom asks Grow for when the ring
	// is full.
	minRead = 512

	// maxEmptyReads is how many reads returning 0, nil in a row ReadFrom
	// tolerates before giving up with io.ErrNoProgress.
	maxEmptyReads = 100
)

// Write appends p to the ring, growing it as needed. If the maximum does not
// allow all of p, Write stores the first bytes that fit and returns their
// count with ErrFull. It never retains p.
func (r *Ring) Write(p []byte) (int, error) {
	var err error
	if len(p) > r.Free() {
		if err = r.Grow(len(p)); err != nil {
			p = p[:r.Free()]
		}
	}
	if len(p) == 0 {
		return 0, err
	}
	i := r.w & uint(len(r.buf)-1)
	if n := copy(r.buf[i:], p); n < len(p) { // stops at the end of the array
		copy(r.buf, p[n:]) // the rest wraps to the start
	}
	r.w += uint(len(p))
	return len(p), err
}

// WriteString is like Write, but appends the bytes of s.
func (r *Ring) WriteString(s string) (int, error) {
	var err error
	if len(s) > r.Free() {
		if err = r.Grow(len(s)); err != nil {
			s = s[:r.Free()]
		}
	}
	if len(s) == 0 {
		return 0, err
	}
	i := r.w & uint(len(r.buf)-1)
	if n := copy(r.buf[i:], s); n < len(s) {
		copy(r.buf, s[n:])
	}
	r.w += uint(len(s))
	return len(s), err
}

// WriteByte appends c to the ring, growing it as needed. It returns ErrFull,
// and stores nothing, if the ring is at its maximum.
func (r *Ring) WriteByte(c byte) error {
	if r.Free() == 0 {
		if err := r.Grow(1); err != nil {
			return err
		}
	}
	r.buf[r.w&uint(len(r.buf)-1)] = c
	r.w++
	return nil
}

// Read reads up to len(p) bytes from the front of the ring into p and
// returns how many it read. Like bytes.Buffer, Read on an empty ring returns
// 0, io.EOF when len(p) > 0; with len(p) == 0 it returns 0, nil, empty or
// not. io.EOF only says that the ring is empty now: later writes make it
// readable again.
func (r *Ring) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if r.r == r.w {
		return 0, io.EOF
	}
	n := min(uint(len(p)), r.w-r.r)
	i := r.r & uint(len(r.buf)-1)
	if k := uint(copy(p[:n], r.buf[i:])); k < n { // stops at the end of the array
		copy(p[k:n], r.buf) // the rest wraps to the start
	}
	r.r += n
	if r.r == r.w {
		r.r, r.w = 0, 0
	}
	return int(n), nil
}

// ReadByte reads and returns the byte at the front of the ring, or returns
// 0, io.EOF if the ring is empty.
func (r *Ring) ReadByte() (byte, error) {
	if r.r == r.w {
		return 0, io.EOF
	}
	c := r.buf[r.r&uint(len(r.buf)-1)]
	r.r++
	if r.r == r.w {
		r.r, r.w = 0, 0
	}
	return c, nil
}

// ReadFrom reads from src into the ring until src returns io.EOF or an
// error, growing the ring by doubling when it fills. It returns the number of
// bytes read; io.EOF is not returned as an error.
//
// When the ring reaches its maximum before src has reported io.EOF, ReadFrom
// stops and returns ErrFull. It cannot tell whether src has bytes left
// without reading one it could not store, so it returns ErrFull even if src
// happens to end exactly there; it never reads more than the maximum allows.
// Any other error from src is returned as is. A src that keeps returning
// 0, nil makes ReadFrom give up with io.ErrNoProgress.
func (r *Ring) ReadFrom(src io.Reader) (int64, error) {
	var total int64
	empty := 0
	for {
		if r.Free() == 0 {
			_ = r.Grow(minRead) // on ErrFull it still grows as far as allowed
			if r.Free() == 0 {
				return total, ErrFull
			}
		}
		a, _ := r.Writable()
		n, err := src.Read(a)
		if n < 0 || n > len(a) {
			return total, errBadCount
		}
		r.w += uint(n)
		total += int64(n)
		switch {
		case err == io.EOF:
			return total, nil
		case err != nil:
			return total, err
		case n > 0:
			empty = 0
		default:
			if empty++; empty >= maxEmptyReads {
				return total, io.ErrNoProgress
			}
		}
	}
}

// WriteTo writes the readable bytes to dst in order, discarding what dst
// accepted, until the ring is empty or dst fails. It returns the number of
// bytes written and the first error from dst; a write that took fewer bytes
// than offered without an error makes WriteTo return io.ErrShortWrite. The
// bytes not written stay in the ring. An empty ring writes nothing and
// returns 0, nil.
func (r *Ring) WriteTo(dst io.Writer) (int64, error) {
	var total int64
	for r.r != r.w {
		a, _ := r.Readable()
		n, err := dst.Write(a)
		if n < 0 || n > len(a) {
			return total, errBadCount
		}
		r.Discard(n)
		total += int64(n)
		if err != nil {
			return total, err
		}
		if n < len(a) {
			return total, io.ErrShortWrite
		}
	}
	return total, nil
}
