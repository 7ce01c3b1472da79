package websocket

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// maskNaive is RFC 6455 §5.3 as written: octet i XOR key[i mod 4].
func maskNaive(key [4]byte, pos int, b []byte) int {
	for i := range b {
		b[i] ^= key[(pos+i)%4]
	}
	return (pos + len(b)) % 4
}

// TestMaskBytes checks MaskBytes against maskNaive for every length from 0
// to 300, every alignment of the slice in memory and every key position.
func TestMaskBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	key := [4]byte{0x12, 0x9a, 0xff, 0x01}
	base := make([]byte, 300+8)
	for i := range base {
		base[i] = byte(rng.Uint32())
	}
	for n := 0; n <= 300; n++ {
		for align := range 8 {
			for pos := range 4 {
				got := bytes.Clone(base)
				want := bytes.Clone(base)
				p := MaskBytes(key, pos, got[align:align+n])
				q := maskNaive(key, pos, want[align:align+n])
				if p != q || !bytes.Equal(got, want) {
					t.Fatalf("length %d, alignment %d, position %d: %d, % x; want %d, % x", n, align, pos, p, got, q, want)
				}
			}
		}
	}
}

// TestMaskBytesPieces masks a payload in random pieces, each call starting
// where the last one stopped, and checks that it is the payload masked
// whole; masking again gives back the payload.
func TestMaskBytesPieces(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		payload := make([]byte, rng.IntN(1000))
		for i := range payload {
			payload[i] = byte(rng.Uint32())
		}
		key := [4]byte{byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())}
		whole := bytes.Clone(payload)
		require.Equal(t, len(whole)%4, MaskBytes(key, 0, whole))
		pieces := bytes.Clone(payload)
		pos := 0
		for rest := pieces; len(rest) > 0; {
			n := rng.IntN(len(rest) + 1)
			pos = MaskBytes(key, pos, rest[:n])
			rest = rest[n:]
		}
		require.Equal(t, whole, pieces)
		MaskBytes(key, 0, pieces)
		require.Equal(t, payload, pieces, "masking twice gives back the payload")
	}
	require.Equal(t, 1, MaskBytes([4]byte{}, -3, nil), "only pos mod 4 matters")
	require.Equal(t, 2, MaskBytes([4]byte{}, 7, []byte{0, 0, 0}))
}

func TestMaskBytesAllocs(t *testing.T) {
	b := make([]byte, 1000)
	require.Zero(t, testing.AllocsPerRun(100, func() { MaskBytes([4]byte{1, 2, 3, 4}, 1, b) }))
}

func BenchmarkMask(b *testing.B) {
	for _, n := range []int{16, 125, 1024, 16 << 10} {
		b.Run(byteSize(n), func(b *testing.B) {
			p := make([]byte, n)
			b.SetBytes(int64(n))
			for b.Loop() {
				MaskBytes([4]byte{1, 2, 3, 4}, 1, p)
			}
		})
	}
}

// byteSize names a benchmark's size: "125B", "16KiB".
func byteSize(n int) string {
	if n >= 1<<10 && n%(1<<10) == 0 {
		return strconv.Itoa(n>>10) + "KiB"
	}
	return strconv.Itoa(n) + "B"
}

// TestUnmaskInPlace unmasks a frame's payload where it lies in an input
// that holds two frames, as a connection does in the bytes Peek returns:
// the payload's bytes change, and no other, so the header and the next
// frame still parse.
func TestUnmaskInPlace(t *testing.T) {
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	var in []byte
	for _, msg := range []string{"first message", "second"} {
		in = AppendHeader(in, true, false, Text, len(msg), &key)
		start := len(in)
		in = append(in, msg...)
		MaskBytes(key, 0, in[start:])
	}
	before := bytes.Clone(in)
	h, n, err := ParseHeader(in, 0)
	require.NoError(t, err)
	end := n + int(h.Length)
	MaskBytes(h.Mask, 0, in[n:end])
	require.Equal(t, "first message", string(in[n:end]))
	require.Equal(t, before[:n], in[:n], "the header is untouched")
	require.Equal(t, before[end:], in[end:], "the next frame is untouched")
	h2, n2, err := ParseHeader(in[end:], 0)
	require.NoError(t, err)
	MaskBytes(h2.Mask, 0, in[end+n2:])
	require.Equal(t, "second", string(in[end+n2:]))
}
