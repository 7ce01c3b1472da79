package buffer

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// seq returns n bytes counting up from start, so that order is checkable.
func seq(start, n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(start + i)
	}
	return p
}

// contents returns the readable bytes of r, in order, without consuming them.
func contents(r *Ring) []byte {
	a, b := r.Readable()
	return append(append([]byte{}, a...), b...)
}

// wrapped returns a ring of max 512 (array 512) holding seq(0, 400) with
// its read position at 300, so that the next write wraps.
func wrapped(t *testing.T) *Ring {
	t.Helper()
	r := New(512)
	_, err := r.Write(seq(0, 400))
	require.NoError(t, err)
	require.Equal(t, 300, r.Discard(300))
	return r
}

func TestZeroValue(t *testing.T) {
	var r Ring
	require.Zero(t, r.Len())
	require.Zero(t, r.Cap())
	require.Zero(t, r.Free())
	require.Zero(t, r.Max())
	a, b := r.Readable()
	require.Nil(t, a)
	require.Nil(t, b)
	a, b = r.Writable()
	require.Nil(t, a)
	require.Nil(t, b)
	r.Release()
	r.Reset()
	require.Zero(t, r.Cap())

	n, err := r.Write([]byte("x"))
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, minCap, r.Cap())
}

func TestNew(t *testing.T) {
	require.Zero(t, New(0).Max())
	require.Zero(t, New(-5).Max())
	r := New(1000)
	require.Equal(t, 1000, r.Max())
	require.Zero(t, r.Cap(), "New allocates nothing")
}

func TestFirstAllocation(t *testing.T) {
	for _, tc := range []struct {
		max, write, cap int
	}{
		{0, 1, 512},
		{0, 512, 512},
		{0, 513, 1024},
		{0, 5000, 8192},
		{100, 1, 128},
		{1000, 1, 512},
		{1000, 700, 1024},
		{512, 600, 512},
	} {
		r := New(tc.max)
		_, _ = r.Write(make([]byte, tc.write))
		require.Equal(t, tc.cap, r.Cap(), "max %d write %d", tc.max, tc.write)
	}
}

func TestGrow(t *testing.T) {
	var r Ring
	require.NoError(t, r.Grow(0))
	require.NoError(t, r.Grow(-1))
	require.Zero(t, r.Cap())
	require.NoError(t, r.Grow(10))
	require.Equal(t, 512, r.Cap())
	require.NoError(t, r.Grow(512))
	require.Equal(t, 512, r.Cap(), "512 free bytes already")

	_, err := r.Write(seq(0, 512))
	require.NoError(t, err)
	require.NoError(t, r.Grow(1))
	require.Equal(t, 1024, r.Cap(), "doubles")
	require.Equal(t, seq(0, 512), contents(&r))

	require.ErrorIs(t, r.Grow(math.MaxInt), ErrFull)
	require.Equal(t, 1024, r.Cap(), "an impossible request changes nothing")
}

func TestGrowAtWrapPoint(t *testing.T) {
	r := wrapped(t)
	r.SetMax(0)
	_, err := r.Write(seq(400, 300)) // wraps: 112 bytes at the end, 188 at the start
	require.NoError(t, err)
	a, b := r.Readable()
	require.Len(t, a, 212)
	require.Len(t, b, 188)
	require.Equal(t, 512, r.Cap())

	require.NoError(t, r.Grow(500))
	require.Equal(t, 1024, r.Cap())
	a, b = r.Readable()
	require.Equal(t, seq(300, 400), a, "moved in order to index 0")
	require.Nil(t, b)
}

func TestGrowMax(t *testing.T) {
	r := New(1000)
	err := r.Grow(1001)
	require.ErrorIs(t, err, ErrFull)
	require.True(t, errors.Is(err, ErrFull))
	require.Equal(t, 1024, r.Cap(), "grown as far as allowed")
	require.Equal(t, 1000, r.Free(), "the maximum bounds the free space")
	require.NoError(t, r.Grow(1000))

	_, err = r.Write(seq(0, 600))
	require.NoError(t, err)
	require.ErrorIs(t, r.Grow(401), ErrFull)
	require.NoError(t, r.Grow(400))
}

func TestMaxNotPowerOfTwo(t *testing.T) {
	r := New(1000)
	n, err := r.Write(seq(0, 2000))
	require.ErrorIs(t, err, ErrFull)
	require.Equal(t, 1000, n)
	require.Equal(t, 1000, r.Len())
	require.Equal(t, 1024, r.Cap())
	require.Zero(t, r.Free())
	a, b := r.Writable()
	require.Nil(t, a, "no space for readv past the maximum")
	require.Nil(t, b)
	require.Equal(t, seq(0, 1000), contents(r))
}

func TestSetMax(t *testing.T) {
	var r Ring
	_, err := r.Write(seq(0, 900))
	require.NoError(t, err)
	r.SetMax(100)
	require.Equal(t, 100, r.Max())
	require.Equal(t, 900, r.Len(), "keeps the bytes it holds")
	require.Equal(t, 1024, r.Cap(), "never reallocates")
	require.Zero(t, r.Free())
	require.ErrorIs(t, r.WriteByte(1), ErrFull)

	require.Equal(t, 850, r.Discard(850))
	n, err := r.Write(seq(0, 100))
	require.ErrorIs(t, err, ErrFull)
	require.Equal(t, 50, n)

	r.SetMax(-1)
	require.Zero(t, r.Max())
	_, err = r.Write(seq(0, 3000))
	require.NoError(t, err)
	require.Equal(t, 4096, r.Cap())
}

func TestReadableWritableAcrossWrap(t *testing.T) {
	r := wrapped(t)
	a, b := r.Readable()
	require.Equal(t, seq(300, 100), a)
	require.Nil(t, b)

	a, b = r.Writable()
	require.Len(t, a, 112, "from the write position to the end")
	require.Len(t, b, 300, "from the start to the read position")
	require.Equal(t, r.Free(), len(a)+len(b))

	p := seq(400, 150)
	k := copy(a, p)
	copy(b, p[k:])
	r.Commit(len(p))
	a, b = r.Readable()
	require.Equal(t, seq(300, 212), a)
	require.Equal(t, seq(512, 38), b)
	require.Equal(t, seq(300, 250), contents(r))

	r.Commit(r.Free())
	a, b = r.Writable()
	require.Nil(t, a, "full")
	require.Nil(t, b)
}

func TestViewsCannotGrowIntoData(t *testing.T) {
	r := wrapped(t)
	a, _ := r.Writable()
	require.Equal(t, len(a), cap(a), "capped so append cannot overwrite")
	ra, _ := r.Readable()
	require.Equal(t, len(ra), cap(ra))
}

func TestDiscard(t *testing.T) {
	r := wrapped(t)
	require.Zero(t, r.Discard(0))
	require.Zero(t, r.Discard(-3))
	require.Equal(t, 100, r.Len())
	require.Equal(t, 40, r.Discard(40))
	require.Equal(t, seq(340, 60), contents(r))
	require.Equal(t, 60, r.Discard(1000))
	require.Zero(t, r.Len())

	a, _ := r.Writable()
	require.Len(t, a, 512, "an empty ring restarts at index 0")
	var z Ring
	require.Zero(t, z.Discard(5))
}

func TestCommit(t *testing.T) {
	var z Ring
	z.Commit(0)
	require.Panics(t, func() { z.Commit(1) })

	r := wrapped(t)
	require.Panics(t, func() { r.Commit(-1) })
	require.Panics(t, func() { r.Commit(r.Free() + 1) })
	require.Equal(t, 100, r.Len(), "a refused Commit changes nothing")
	r.Commit(0)
	r.Commit(r.Free())
	require.Equal(t, 512, r.Len())
}

func TestPeek(t *testing.T) {
	var z Ring
	p, err := z.Peek(0)
	require.NoError(t, err)
	require.Empty(t, p)
	p, err = z.Peek(3)
	require.ErrorIs(t, err, ErrShort)
	require.Empty(t, p)

	r := wrapped(t)
	p, err = r.Peek(-1)
	require.NoError(t, err)
	require.Empty(t, p)
	p, err = r.Peek(10)
	require.NoError(t, err)
	require.Equal(t, seq(300, 10), p)
	require.Equal(t, 100, r.Len(), "Peek does not consume")
	p, err = r.Peek(101)
	require.ErrorIs(t, err, ErrShort)
	require.Equal(t, seq(300, 100), p)
}

func TestPeekAcrossWrapSlides(t *testing.T) {
	// 50 bytes at the end and 60 at the start: the data fits before its
	// start (index 462), so it moves with two copies.
	r := New(512)
	_, err := r.Write(seq(0, 512))
	require.NoError(t, err)
	r.Discard(462)
	_, err = r.Write(seq(512, 60))
	require.NoError(t, err)
	_, b := r.Readable()
	require.Len(t, b, 60)

	p, err := r.Peek(100)
	require.NoError(t, err)
	require.Equal(t, seq(462, 100), p)
	a, b := r.Readable()
	require.Equal(t, seq(462, 110), a, "data now starts at index 0")
	require.Nil(t, b)
	require.Equal(t, 512, r.Cap())
	wa, wb := r.Writable()
	require.Len(t, wa, 402)
	require.Nil(t, wb)
}

func TestPeekAcrossWrapRotates(t *testing.T) {
	// 212 bytes at the end and 188 at the start: too many to slide, so the
	// whole array is rotated in place.
	r := wrapped(t)
	_, err := r.Write(seq(400, 300))
	require.NoError(t, err)

	p, err := r.Peek(250)
	require.NoError(t, err)
	require.Equal(t, seq(300, 250), p)
	require.Equal(t, seq(300, 400), contents(r))
	a, b := r.Readable()
	require.Len(t, a, 400)
	require.Nil(t, b)

	p, err = r.Peek(401)
	require.ErrorIs(t, err, ErrShort)
	require.Equal(t, seq(300, 400), p)
}

func TestPeekDoesNotAllocate(t *testing.T) {
	r := wrapped(t)
	src := seq(0, 300)
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = r.Write(src)
		_, _ = r.Peek(250)
		r.Discard(300)
	})
	require.Zero(t, allocs)
}

func TestReset(t *testing.T) {
	r := wrapped(t)
	r.Reset()
	require.Zero(t, r.Len())
	require.Equal(t, 512, r.Cap(), "keeps the array")
	a, _ := r.Writable()
	require.Len(t, a, 512)
}

func TestRelease(t *testing.T) {
	r := wrapped(t)
	r.Release()
	require.Equal(t, 512, r.Cap(), "no-op while bytes remain")
	require.Equal(t, seq(300, 100), contents(r))

	r.Discard(100)
	r.Release()
	require.Zero(t, r.Cap())
	require.Zero(t, r.Free())
	require.Equal(t, 512, r.Max(), "the maximum survives")

	_, err := r.Write(seq(0, 10))
	require.NoError(t, err)
	require.Equal(t, 512, r.Cap(), "regrows on the next write")
	require.True(t, bytes.Equal(seq(0, 10), contents(r)))
}
