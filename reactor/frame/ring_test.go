package frame

import (
	"testing"

	"github.com/goreactor/reactor/buffer"
	"github.com/stretchr/testify/require"
)

// TestRingOutput checks the tests' Output over a buffer.Ring, which the
// tests of WriteLengthPrefixed rely on: all or nothing against R's maximum.
func TestRingOutput(t *testing.T) {
	r := buffer.New(10)
	out := &ringOutput{R: r}
	require.Equal(t, 10, out.Available())
	n, err := out.Write([]byte("0123456789X"))
	require.ErrorIs(t, err, ErrNoRoom)
	require.Zero(t, n)
	n, err = out.WriteString("0123456789X")
	require.ErrorIs(t, err, ErrNoRoom)
	require.Zero(t, n)
	require.Equal(t, 0, r.Len(), "all or nothing")

	n, err = out.WriteString("0123")
	require.NoError(t, err)
	require.Equal(t, 4, n)
	require.Equal(t, 6, out.Available())

	r.SetMax(2) // below Len: no room, not a negative count
	require.Equal(t, 0, out.Available())

	unbounded := &ringOutput{R: buffer.New(0)}
	require.Equal(t, ringLimit, unbounded.Available())
}

// TestRingInput: RingInput passes the ring through, except that Peek with
// n <= 0 returns every buffered byte.
func TestRingInput(t *testing.T) {
	in := newRingInput(t, []byte("hello"))
	require.Equal(t, 5, in.Buffered())
	p, err := in.Peek(0)
	require.NoError(t, err)
	require.Equal(t, []byte("hello"), p, "n <= 0 is everything")
	p, err = in.Peek(9)
	require.ErrorIs(t, err, buffer.ErrShort)
	require.Equal(t, []byte("hello"), p)
	require.Equal(t, 2, in.Discard(2))
	p, err = in.Peek(-1)
	require.NoError(t, err)
	require.Equal(t, []byte("llo"), p)
}
