package frame

import (
	"bytes"
	"testing"

	"github.com/goreactor/reactor/buffer"
)

// benchBatch is how many messages each refill of the ring holds: the
// benchmarks write a batch, then take its messages out one per iteration,
// as a handler does with the messages of one read.
const benchBatch = 64

// benchFramer takes b.N 64-byte messages (framing included) out of a ring,
// one per iteration.
func benchFramer(b *testing.B, f Framer, msg []byte) {
	batch := bytes.Repeat(msg, benchBatch)
	r := buffer.New(0)
	in := &RingInput{R: r}
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if r.Len() == 0 {
			r.Write(batch)
		}
		if m, err := f.Next(in); m == nil || err != nil {
			b.Fatalf("Next = %q, %v", m, err)
		}
	}
}

func BenchmarkFixed(b *testing.B) {
	f, _ := Fixed(64)
	benchFramer(b, f, bytes.Repeat([]byte("x"), 64))
}

func BenchmarkDelimitedLF(b *testing.B) {
	f, _ := Delimited([]byte("\n"), 1024)
	benchFramer(b, f, append(bytes.Repeat([]byte("x"), 63), '\n'))
}

func BenchmarkDelimitedCRLF(b *testing.B) {
	f, _ := Delimited([]byte("\r\n"), 1024)
	benchFramer(b, f, append(bytes.Repeat([]byte("x"), 62), "\r\n"...))
}

func BenchmarkLengthPrefixed(b *testing.B) {
	f, _ := LengthPrefixed(4, 1024)
	msg, _ := AppendLengthPrefixed(nil, 4, bytes.Repeat([]byte("x"), 60))
	benchFramer(b, f, msg)
}

// BenchmarkWriteLengthPrefixed queues a 4-byte header and a 60-byte payload
// in a ring per iteration, emptying the ring after each batch.
func BenchmarkWriteLengthPrefixed(b *testing.B) {
	r := buffer.New(0)
	out := &ringOutput{R: r}
	p := bytes.Repeat([]byte("x"), 60)
	b.SetBytes(64)
	b.ReportAllocs()
	for i := range b.N {
		if i%benchBatch == 0 {
			r.Reset()
		}
		if err := WriteLengthPrefixed(out, 4, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendLengthPrefixed builds the same frames in a slice.
func BenchmarkAppendLengthPrefixed(b *testing.B) {
	buf := make([]byte, 0, 64*benchBatch)
	p := bytes.Repeat([]byte("x"), 60)
	b.SetBytes(64)
	b.ReportAllocs()
	for i := range b.N {
		if i%benchBatch == 0 {
			buf = buf[:0]
		}
		buf, _ = AppendLengthPrefixed(buf, 4, p)
	}
}
