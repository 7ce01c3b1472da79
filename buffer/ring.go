package buffer

import (
	"errors"
	"math/bits"
)

// ErrFull is returned when a write would make the ring hold more than its
// maximum. The write has stored the bytes that fit before returning it.
var ErrFull = errors.New("buffer: ring full")

// ErrShort is returned by Peek(n) when the ring holds fewer than n bytes;
// Peek then returns all readable bytes, contiguous, along with it.
var ErrShort = errors.New("buffer: ring holds fewer bytes than asked")

const (
	// minCap is the length of the smallest array a ring allocates, unless
	// its maximum is smaller.
	minCap = 512

	// maxRingCap bounds a ring that has no maximum: 2^62 bytes on 64-bit
	// systems, 2^30 on 32-bit ones. Asking for more fails with ErrFull
	// instead of overflowing the size computations.
	maxRingCap = 1 << (bits.UintSize - 2)
)

// Ring is a growable byte ring buffer: a FIFO of bytes stored in a
// power-of-two array that wraps around, read and written through two
// monotonic counters that go back to 0 whenever the ring becomes empty. See
// the package documentation for its memory policy. The zero value is an
// empty ring with no maximum that holds no memory.
//
// A Ring is not safe for concurrent use.
type Ring struct {
	buf []byte // backing array; nil or a power-of-two length
	r   uint   // read counter; the next byte to read is buf[r&(len(buf)-1)]
	w   uint   // write counter; w-r is the number of readable bytes
	max int    // maximum Len; 0 means none
}

// New returns an empty ring that will never hold more than max bytes through
// its writes. A max of 0 or less means no maximum. New allocates no array;
// the first write does.
func New(max int) *Ring {
	r := &Ring{}
	r.SetMax(max)
	return r
}

// SetMax changes the maximum number of bytes the ring may hold; max <= 0
// removes the maximum. It never drops bytes already held and never
// reallocates: if the ring already holds more than the new maximum, it keeps
// them, and writes fail with ErrFull until reads bring Len below it. A larger
// array than the new maximum calls for is kept until Release.
func (r *Ring) SetMax(max int) {
	if max < 0 {
		max = 0
	}
	r.max = max
}

// Max returns the maximum set by New or SetMax, or 0 if there is none.
func (r *Ring) Max() int { return r.max }

// Len returns the number of readable bytes.
func (r *Ring) Len() int { return int(r.w - r.r) }

// Cap returns the length of the backing array: 0 or a power of two.
func (r *Ring) Cap() int { return len(r.buf) }

// Free returns the number of bytes that can be written without growing the
// array: Cap()-Len(). When the maximum is below Cap() (a maximum of 1000 with
// an array of 1024 bytes), the space counts only up to the maximum, so that
// a readv into Writable() followed by Commit can never take Len past it; it
// is then Max()-Len(), and 0 if Len() is already at or above Max().
func (r *Ring) Free() int {
	c := len(r.buf)
	if r.max > 0 && r.max < c {
		c = r.max
	}
	f := c - r.Len()
	if f < 0 {
		return 0
	}
	return f
}

// limit returns the largest Len that writes may reach.
func (r *Ring) limit() int {
	if r.max <= 0 || r.max > maxRingCap {
		return maxRingCap
	}
	return r.max
}

// ceilPow2 returns the smallest power of two >= n, for 0 < n <= maxRingCap.
func ceilPow2(n int) int {
	if n <= 1 {
		return 1
	}
	return 1 << bits.Len(uint(n-1))
}

// Grow makes sure that at least n more bytes can be written without another
// allocation, so that Free() >= n afterwards. It grows the array by doubling
// (the first array holds at least 512 bytes, or the maximum rounded up to
// a power of two if that is smaller), keeping the readable bytes in
// order. If the maximum does not allow n more bytes, Grow grows as far as the
// maximum allows and returns ErrFull. Without a maximum, Grow returns ErrFull
// and changes nothing only if Len()+n is beyond what an array can hold
// (2^62 bytes on 64-bit systems). n <= 0 is a no-op.
func (r *Ring) Grow(n int) error {
	if n <= r.Free() {
		return nil
	}
	l, lim := r.Len(), r.limit()
	need, err := l+n, error(nil)
	if n > lim-l {
		if lim == maxRingCap {
			return ErrFull // beyond any array; do not try to allocate it
		}
		need, err = lim, ErrFull
	}
	if need > len(r.buf) {
		r.resize(need)
	}
	return err
}

// resize moves the readable bytes, in order, to the start of a new array of
// at least need bytes. need must be above Cap() and at most limit().
func (r *Ring) resize(need int) {
	c := minCap
	if need > c {
		c = ceilPow2(need)
	}
	if top := ceilPow2(r.limit()); c > top {
		c = top
	}
	buf := make([]byte, c)
	a, b := r.Readable()
	n := copy(buf, a)
	n += copy(buf[n:], b)
	r.buf, r.r, r.w = buf, 0, uint(n)
}

// Readable returns the readable bytes in order: first a, then b. b is empty
// unless the data wraps around the end of the array; both are nil when the
// ring is empty. The slices alias the ring: they are meant for writev or for
// parsing in place, followed by Discard, and are valid only until the next
// call that changes the ring.
func (r *Ring) Readable() (a, b []byte) {
	n := r.w - r.r
	if n == 0 {
		return nil, nil
	}
	c := uint(len(r.buf))
	i := r.r & (c - 1)
	if end := i + n; end > c {
		return r.buf[i:c:c], r.buf[: end-c : end-c]
	}
	return r.buf[i : i+n : i+n], nil
}

// Writable returns the free space of the current array in order: first a,
// then b, with len(a)+len(b) == Free(). It never grows the array (call Grow
// first for that) and returns nil, nil when Cap() is 0 or the ring is full.
// The slices are meant for readv; after it, Commit(n) makes the n bytes it
// stored readable. They are valid only until the next call that changes the
// ring.
func (r *Ring) Writable() (a, b []byte) {
	f := uint(r.Free())
	if f == 0 {
		return nil, nil
	}
	c := uint(len(r.buf))
	i := r.w & (c - 1)
	if end := i + f; end > c {
		return r.buf[i:c:c], r.buf[: end-c : end-c]
	}
	return r.buf[i : i+f : i+f], nil
}

// Discard drops up to n readable bytes from the front and returns how many
// it dropped. n <= 0 is a no-op. When the ring becomes empty, both counters
// are reset to 0.
func (r *Ring) Discard(n int) int {
	if n <= 0 {
		return 0
	}
	if l := r.Len(); n >= l {
		r.r, r.w = 0, 0
		return l
	}
	r.r += uint(n)
	return n
}

// Commit marks n bytes, written into the space returned by Writable, as
// readable. Committing a negative count or more than Free() bytes is a
// programming error, and Commit panics on it rather than corrupt the ring.
func (r *Ring) Commit(n int) {
	if n < 0 || n > r.Free() {
		panic("buffer: Ring.Commit count out of range")
	}
	r.w += uint(n)
}

// Peek returns the next n readable bytes as one contiguous slice without
// consuming them. If the ring holds fewer than n bytes, Peek returns all of
// them and ErrShort; n <= 0 returns nil, nil.
//
// When the n bytes wrap around the end of the array, Peek rotates the data
// in place, without allocating, so that it starts at index 0: this moves up
// to Cap() bytes (O(n) in the size of the array) and invalidates any slice
// returned earlier by Readable, Writable or Peek. The returned slice is valid
// only until the next call that changes the ring.
func (r *Ring) Peek(n int) ([]byte, error) {
	var err error
	if l := r.Len(); n > l {
		n, err = l, ErrShort
	}
	if n <= 0 {
		return nil, err
	}
	c := uint(len(r.buf))
	i := r.r & (c - 1)
	if i+uint(n) > c {
		r.straighten()
		i = 0
	}
	return r.buf[i : i+uint(n) : i+uint(n)], err
}

// straighten moves the readable bytes, which must wrap, so that they start
// at index 0 of the same array.
func (r *Ring) straighten() {
	l := r.Len()
	i := int(r.r & uint(len(r.buf)-1))
	tail := len(r.buf) - i // bytes in buf[i:]
	head := l - tail       // bytes in buf[:head]
	if l <= i {
		// The data fits before its own start: slide the head right past
		// where the tail will go, then move the tail to the front. Neither
		// copy overlaps bytes still to be moved, so this costs O(Len).
		copy(r.buf[tail:l], r.buf[:head])
		copy(r.buf[:tail], r.buf[i:])
	} else {
		// Rotate the whole array left by i with three reversals: O(Cap).
		reverse(r.buf[:i])
		reverse(r.buf[i:])
		reverse(r.buf)
	}
	r.r, r.w = 0, uint(l)
}

// reverse reverses p in place.
func reverse(p []byte) {
	for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
		p[i], p[j] = p[j], p[i]
	}
}

// Reset empties the ring and keeps its array for reuse.
func (r *Ring) Reset() {
	r.r, r.w = 0, 0
}

// Release drops the backing array if the ring is empty, so that it holds no
// memory until the next write. If the ring holds bytes, Release does nothing.
func (r *Ring) Release() {
	if r.r == r.w {
		r.buf, r.r, r.w = nil, 0, 0
	}
}
