package frame

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// header encodes n in prefix bytes with encoding/binary, independently of
// the package's own encoder.
func header(prefix int, n uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return b[8-prefix:]
}

// lp returns a frame: header(prefix, len(payload)) then payload.
func lp(prefix int, payload string) []byte {
	return append(header(prefix, uint64(len(payload))), payload...)
}

func TestLengthPrefixedInvalid(t *testing.T) {
	for _, prefix := range []int{-1, 0, 3, 5, 6, 7, 9, 16} {
		f, err := LengthPrefixed(prefix, 100)
		require.ErrorIs(t, err, ErrInvalid, "prefix %d", prefix)
		require.Nil(t, f)
	}
	f, err := LengthPrefixed(4, -1)
	require.ErrorIs(t, err, ErrInvalid)
	require.Nil(t, f)
}

func TestLengthPrefixedMessages(t *testing.T) {
	for _, prefix := range []int{1, 2, 4, 8} {
		f, err := LengthPrefixed(prefix, 100)
		require.NoError(t, err)
		var stream []byte
		stream = append(stream, lp(prefix, "hello")...)
		stream = append(stream, lp(prefix, "")...)
		stream = append(stream, lp(prefix, "world")...)
		in := newRingInput(t, stream[:len(stream)-1])
		require.Equal(t, []byte("hello"), mustNext(t, f, in), "prefix %d", prefix)
		empty := mustNext(t, f, in)
		require.NotNil(t, empty, "an empty payload is a message, not 'wait'")
		require.Empty(t, empty)
		require.Nil(t, mustNext(t, f, in), "the last byte is missing")
		require.Equal(t, prefix+4, in.Buffered())
		in.R.Write(stream[len(stream)-1:])
		require.Equal(t, []byte("world"), mustNext(t, f, in))
		require.Nil(t, mustNext(t, f, in))
		require.Equal(t, 0, in.Buffered())
	}
}

func TestLengthPrefixedSplits(t *testing.T) {
	for _, prefix := range []int{1, 2, 4, 8} {
		f, err := LengthPrefixed(prefix, 10)
		require.NoError(t, err)
		var stream []byte
		for _, m := range []string{"a", "", "0123456789", "bc"} {
			stream = append(stream, lp(prefix, m)...)
		}
		partial := append(bytes.Clone(stream), lp(prefix, "unfinished")[:prefix+3]...)
		checkSplits(t, f, partial, outcome{msgs: msgs("a", "", "0123456789", "bc")})

		over := append(bytes.Clone(stream), lp(prefix, "0123456789X")...)
		over = append(over, lp(prefix, "never")...)
		checkSplits(t, f, over, outcome{msgs: msgs("a", "", "0123456789", "bc"), tooLarge: true})
	}
}

// TestLengthPrefixedBoundaries declares lengths around the maximum and
// around what each prefix width can hold.
func TestLengthPrefixedBoundaries(t *testing.T) {
	for _, c := range []struct {
		prefix int
		max    int
		length uint64
		ok     bool
	}{
		{1, 0, 0, true},
		{1, 0, 1, false},
		{1, 100, 100, true},
		{1, 100, 101, false},
		{1, 255, 255, true},
		{1, 1000, 255, true}, // max beyond 255 is lowered to 255
		{2, 255, 256, false},
		{2, 256, 256, true},
		{2, 65535, 65535, true},
		{2, 1 << 20, 65535, true},
		{4, 65535, 65536, false},
		{4, 65536, 65536, true},
		{4, 1 << 20, 1<<20 + 1, false},
		{8, 1 << 20, 1 << 20, true},
		{8, 1 << 20, 1<<20 + 1, false},
		{8, 1 << 20, 1 << 62, false},
		{8, 1 << 20, 1 << 63, false},
		{8, math.MaxInt, math.MaxUint64, false},
		{8, math.MaxInt, math.MaxInt - 7, false}, // max is lowered to MaxInt-8
	} {
		f, err := LengthPrefixed(c.prefix, c.max)
		require.NoError(t, err)
		in := newRingInput(t, header(c.prefix, c.length))

		// Right after the header: an error, a wait for the payload, or
		// the empty message.
		msg, err := f.Next(in)
		if c.ok && c.length == 0 {
			require.NoError(t, err)
			require.Equal(t, []byte{}, msg)
			require.Equal(t, 0, in.Buffered())
			continue
		}
		require.Nil(t, msg)
		if !c.ok {
			require.ErrorIs(t, err, ErrTooLarge, "%+v", c)
			require.Equal(t, c.prefix, in.Buffered(), "nothing consumed")
			continue
		}
		require.NoError(t, err, "%+v", c)
		require.Equal(t, c.prefix, in.Buffered())

		payload := bytes.Repeat([]byte{0xa5}, int(c.length))
		in.R.Write(payload)
		require.Equal(t, payload, mustNext(t, f, in), "%+v", c)
		require.Equal(t, 0, in.Buffered())
	}
}

// TestLengthPrefixedHugeLengthNoAlloc declares 2^62 bytes: the framer
// refuses it without allocating anything, let alone 2^62 bytes.
func TestLengthPrefixedHugeLengthNoAlloc(t *testing.T) {
	f, err := LengthPrefixed(8, 1<<20)
	require.NoError(t, err)
	in := newRingInput(t, append(header(8, 1<<62), "payload"...))
	var got error
	allocs := testing.AllocsPerRun(100, func() {
		_, got = f.Next(in)
	})
	require.ErrorIs(t, got, ErrTooLarge)
	require.Contains(t, got.Error(), "more than 1048576 bytes")
	require.Zero(t, allocs)
	require.Equal(t, 15, in.Buffered())
}

func TestPrefixMax(t *testing.T) {
	require.Equal(t, uint64(255), prefixMax(1))
	require.Equal(t, uint64(65535), prefixMax(2))
	require.Equal(t, uint64(math.MaxUint32), prefixMax(4))
	require.Equal(t, uint64(math.MaxUint64), prefixMax(8))
}

func TestGetPutLength(t *testing.T) {
	for _, prefix := range []int{1, 2, 4, 8} {
		for _, n := range []uint64{0, 1, 0x7f, 0xff, 0x100, 0xffff, 0x10000, 0x01020304, math.MaxUint32, 1 << 62, math.MaxUint64} {
			if n > prefixMax(prefix) {
				continue
			}
			h := make([]byte, prefix)
			putLength(h, n)
			require.Equal(t, header(prefix, n), h)
			require.Equal(t, n, getLength(h))
		}
	}
}
