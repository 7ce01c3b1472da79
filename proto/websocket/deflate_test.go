package websocket

import (
	"bytes"
	"compress/flate"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func newFlater(t testing.TB, level int) *Flater {
	f, err := NewFlater(level)
	require.NoError(t, err)
	return f
}

// sample returns n bytes of a kind: text that compresses, random bytes
// that do not, or zeros.
func sample(rng *rand.Rand, kind string, n int) []byte {
	p := make([]byte, n)
	switch kind {
	case "text":
		words := strings.Fields("the quick brown fox jumps over a lazy dog κόσμε {\"id\":42,\"name\":\"x\"}")
		var b []byte
		for len(b) < n {
			b = append(append(b, words[rng.IntN(len(words))]...), ' ')
		}
		copy(p, b)
	case "random":
		for i := range p {
			p[i] = byte(rng.Uint32())
		}
	}
	return p
}

// inflate decompresses a permessage-deflate payload with compress/flate
// directly, as RFC 7692 §7.2.2 says: the payload, then 00 00 ff ff.
func inflate(t testing.TB, payload []byte) []byte {
	r := flate.NewReader(io.MultiReader(bytes.NewReader(payload), strings.NewReader(syncTail)))
	out, err := io.ReadAll(r)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF, "the stream does not end: it is flushed, not closed")
	return out
}

// TestAutobahn_12 round-trips messages of sizes from 0 to 1 MiB, of text,
// random bytes and zeros, at several levels: the ground of Autobahn 12.x
// and 13.x (compressed messages of 16 bytes to 128 KiB echoed), without the
// connection. Each compressed message is also inflated by compress/flate
// directly, and each is refused with a maximum one byte short.
func TestAutobahn_12(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	sizes := []int{0, 1, 2, 16, 64, 125, 256, 1024, 4096, 8192, 16384, 32767, 32768, 32769, 65536, 131072, 1 << 20}
	for _, level := range []int{flate.BestSpeed, flate.DefaultCompression, flate.HuffmanOnly, flate.NoCompression} {
		f := newFlater(t, level)
		for _, kind := range []string{"text", "random", "zeros"} {
			for _, n := range sizes {
				msg := sample(rng, kind, n)
				c := f.Compress(nil, msg)
				require.NotEmpty(t, c, "level %d, %s, %d bytes", level, kind, n)
				require.Equal(t, msg, inflate(t, c), "compress/flate reads it")
				got, err := f.Decompress(nil, c, n)
				require.NoError(t, err, "level %d, %s, %d bytes", level, kind, n)
				require.Equal(t, len(msg), len(got))
				require.True(t, bytes.Equal(msg, got), "level %d, %s, %d bytes", level, kind, n)
				if n > 0 {
					_, err = f.Decompress(nil, c, n-1)
					require.ErrorIs(t, err, ErrMessageTooBig)
				}
			}
		}
	}
}

// TestDeflateEmpty: an empty message compresses to the one byte 00, as in
// RFC 7692's example of an empty fragment; an empty payload decompresses
// to nothing.
func TestDeflateEmpty(t *testing.T) {
	f := newFlater(t, flate.BestSpeed)
	require.Equal(t, []byte{0}, f.Compress(nil, nil))
	for _, p := range [][]byte{nil, {0}} {
		got, err := f.Decompress([]byte("x"), p, 0)
		require.NoError(t, err)
		require.Equal(t, "x", string(got))
	}
}

// TestDecompressRFC7692 decompresses the examples of RFC 7692 §7.2.3:
// "Hello" compressed, split across two frames, in a stored block, with
// BFINAL set, and in two DEFLATE blocks.
func TestDecompressRFC7692(t *testing.T) {
	f := newFlater(t, flate.BestSpeed)
	for _, c := range []struct {
		name    string
		payload []byte
	}{
		{"compressed", []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}},
		{"two frames joined", append([]byte{0xf2, 0x48, 0xcd}, 0xc9, 0xc9, 0x07, 0x00)},
		{"no compression", []byte{0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00}},
		{"BFINAL set", []byte{0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00}},
		{"two blocks", []byte{0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00}},
	} {
		got, err := f.Decompress(nil, c.payload, 100)
		require.NoError(t, err, c.name)
		require.Equal(t, "Hello", string(got), c.name)
	}
}

// TestDecompressFlate decompresses messages that compress/flate made
// itself: flushed once and the tail removed (as Compress does), flushed
// after each of several fragments, and closed (a final block, with no
// tail to remove).
func TestDecompressFlate(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	f := newFlater(t, flate.BestSpeed)
	for _, n := range []int{1, 100, 70000} {
		msg := sample(rng, "text", n)
		var buf bytes.Buffer
		w, err := flate.NewWriter(&buf, flate.BestCompression)
		require.NoError(t, err)

		w.Write(msg)
		w.Flush()
		flushed := bytes.TrimSuffix(buf.Bytes(), []byte(syncTail))
		require.Less(t, len(flushed), buf.Len())
		got, err := f.Decompress(nil, flushed, n)
		require.NoError(t, err)
		require.Equal(t, msg, got)

		buf.Reset()
		w.Reset(&buf)
		for p := msg; len(p) > 0; {
			k := min(len(p), 1+rng.IntN(1000))
			w.Write(p[:k])
			w.Flush()
			p = p[k:]
		}
		got, err = f.Decompress(nil, bytes.TrimSuffix(buf.Bytes(), []byte(syncTail)), n)
		require.NoError(t, err)
		require.Equal(t, msg, got)

		buf.Reset()
		w.Reset(&buf)
		w.Write(msg)
		w.Close()
		got, err = f.Decompress(nil, append(buf.Bytes(), "ignored"...), n)
		require.NoError(t, err)
		require.Equal(t, msg, got)
	}
}

func TestDecompressInvalid(t *testing.T) {
	f := newFlater(t, flate.BestSpeed)
	msg := bytes.Repeat([]byte("invalid data follows "), 100)
	c := f.Compress(nil, msg)
	for _, p := range [][]byte{
		{0xff},
		{0xff, 0xff, 0xff, 0xff},
		{0x07}, // a reserved block type
		c[:len(c)/2],
		append(bytes.Clone(c[:len(c)-3]), 0xff, 0xff, 0xff),
	} {
		got, err := f.Decompress([]byte("prefix"), p, 1<<20)
		require.ErrorIs(t, err, ErrDeflateData, "% x", p)
		require.Equal(t, CloseInvalidPayload, int(CloseCodeOf(err)))
		require.Equal(t, "prefix", string(got), "an error leaves dst as it was")
	}
	got, err := f.Decompress(nil, c, len(msg))
	require.NoError(t, err, "the Flater works after an error")
	require.Equal(t, msg, got)
}

// TestDecompressBomb inflates 10 MB of zeros compressed to about 10 KB
// with a maximum of 1 MiB: ErrMessageTooBig, having inflated no more than
// the maximum, and allocated no more than twice it in all.
func TestDecompressBomb(t *testing.T) {
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	require.NoError(t, err)
	w.Write(make([]byte, 10_000_000))
	w.Flush()
	bomb := bytes.TrimSuffix(buf.Bytes(), []byte(syncTail))
	require.Less(t, len(bomb), 20_000)

	const maxSize = 1 << 20
	f := newFlater(t, flate.BestSpeed)
	f.Decompress(nil, []byte{0}, 0) // the decompressor, made once

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got, err := f.Decompress(nil, bomb, maxSize)
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, err, ErrMessageTooBig)
	require.Equal(t, CloseMessageTooBig, int(CloseCodeOf(err)))
	require.Empty(t, got)
	require.LessOrEqual(t, cap(got), maxSize+1+8<<10, "dst never grows past the maximum (and the allocator's rounding)")
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("the bomb allocated %d bytes against a maximum of %d", allocated, maxSize)
	require.Less(t, allocated, uint64(2*maxSize+64<<10))

	// With room for the maximum, nothing at all.
	dst := make([]byte, 0, maxSize+1)
	require.Zero(t, testing.AllocsPerRun(5, func() {
		if _, err := f.Decompress(dst, bomb, maxSize); err != ErrMessageTooBig {
			t.Fatal(err)
		}
	}))
}

// TestFlaterAllocs: once the compressor and decompressor are made, a
// message costs no allocation when dst has room.
func TestFlaterAllocs(t *testing.T) {
	f := newFlater(t, flate.BestSpeed)
	msg := bytes.Repeat([]byte("no allocation per message "), 200)
	c := make([]byte, 0, 2*len(msg))
	out := make([]byte, 0, len(msg)+1)
	c = f.Compress(c, msg)
	require.Zero(t, testing.AllocsPerRun(100, func() {
		c = f.Compress(c[:0], msg)
		var err error
		if out, err = f.Decompress(out[:0], c, len(msg)); err != nil {
			t.Fatal(err)
		}
	}))
	require.Equal(t, msg, out)
}

func TestNewFlater(t *testing.T) {
	for _, level := range []int{flate.HuffmanOnly, flate.DefaultCompression, flate.NoCompression, flate.BestSpeed, flate.BestCompression} {
		_, err := NewFlater(level)
		require.NoError(t, err, "level %d", level)
	}
	for _, level := range []int{-3, 10} {
		_, err := NewFlater(level)
		require.ErrorContains(t, err, "compression level")
	}
}

// FuzzDeflateRoundTrip compresses any bytes and decompresses them again,
// with a maximum of their length: the same bytes.
func FuzzDeflateRoundTrip(f *testing.F) {
	for _, s := range []string{"", "a", "Hello", strings.Repeat("ab", 1000), "\x00\x00\xff\xff", string(make([]byte, 40000))} {
		f.Add([]byte(s))
	}
	fl := newFlater(f, flate.BestSpeed)
	f.Fuzz(func(t *testing.T, msg []byte) {
		c := fl.Compress(nil, msg)
		got, err := fl.Decompress([]byte("prefix"), c, len(msg))
		require.NoError(t, err)
		require.Equal(t, "prefix"+string(msg), string(got))
	})
}

// FuzzDecompress decompresses any bytes with a small maximum: no panic, no
// more than the maximum, dst's bytes untouched, and only the package's
// errors.
func FuzzDecompress(f *testing.F) {
	fl := newFlater(f, flate.BestSpeed)
	for _, s := range []string{
		"", "\x00", "\xff", "\x07",
		"\xf2\x48\xcd\xc9\xc9\x07\x00",
		"\xf3\x48\xcd\xc9\xc9\x07\x00\x00",
		"\x00\x05\x00\xfa\xff\x48\x65\x6c\x6c\x6f\x00",
		"\xf2\x48\x05\x00\x00\x00\xff\xff\xca\xc9\xc9\x07\x00",
		string(fl.Compress(nil, make([]byte, 5000))),
		string(fl.Compress(nil, []byte(strings.Repeat("abc", 300)))),
	} {
		f.Add([]byte(s))
	}
	const maxSize = 1000
	f.Fuzz(func(t *testing.T, p []byte) {
		got, err := fl.Decompress([]byte("prefix"), p, maxSize)
		require.Equal(t, "prefix", string(got[:6]))
		require.LessOrEqual(t, len(got), 6+maxSize)
		if err != nil {
			require.Len(t, got, 6)
			require.True(t, err == ErrDeflateData || err == ErrMessageTooBig, "%v", err)
		}
	})
}
