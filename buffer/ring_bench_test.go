package buffer

import (
	"bytes"
	"testing"
)

// The write+read benchmarks move one message in and out per iteration, the
// way a connection's output buffer is filled by a handler and drained by a
// write; the Ring and bytes.Buffer variants do exactly the same work.

func benchRing(b *testing.B, size int) {
	msg, out := make([]byte, size), make([]byte, size)
	var r Ring
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Write(msg); err != nil {
			b.Fatal(err)
		}
		if n, _ := r.Read(out); n != size {
			b.Fatal("short read", n)
		}
	}
}

func benchBuffer(b *testing.B, size int) {
	msg, out := make([]byte, size), make([]byte, size)
	var r bytes.Buffer
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Write(msg); err != nil {
			b.Fatal(err)
		}
		if n, _ := r.Read(out); n != size {
			b.Fatal("short read", n)
		}
	}
}

// BenchmarkRingWriteRead64 moves 64-byte messages through a Ring.
func BenchmarkRingWriteRead64(b *testing.B) { benchRing(b, 64) }

// BenchmarkBufferWriteRead64 moves 64-byte messages through a bytes.Buffer.
func BenchmarkBufferWriteRead64(b *testing.B) { benchBuffer(b, 64) }

// BenchmarkRingWriteRead16K moves 16 KiB messages through a Ring.
func BenchmarkRingWriteRead16K(b *testing.B) { benchRing(b, 16<<10) }

// BenchmarkBufferWriteRead16K moves 16 KiB messages through a bytes.Buffer.
func BenchmarkBufferWriteRead16K(b *testing.B) { benchBuffer(b, 16<<10) }

// BenchmarkRingViews fills the ring through Writable and Commit (as readv
// would) and drains it through Readable and Discard (as writev would). A
// 100-byte backlog stays in the ring so that the positions move and the
// views wrap around the end of the array regularly.
func BenchmarkRingViews(b *testing.B) {
	const size = 64
	msg := make([]byte, size)
	var r Ring
	if _, err := r.Write(make([]byte, 100)); err != nil {
		b.Fatal(err)
	}
	sink := 0
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		wa, wb := r.Writable()
		n := copy(wa, msg)
		n += copy(wb, msg[n:])
		r.Commit(n)
		ra, rb := r.Readable()
		sink += len(ra) + len(rb)
		r.Discard(size)
	}
	if sink == 0 {
		b.Fatal("nothing readable")
	}
}

// BenchmarkRingWriteReadWrapped is BenchmarkRingWriteRead64 with a 100-byte
// backlog, so that writes and reads regularly cross the wrap point.
func BenchmarkRingWriteReadWrapped(b *testing.B) {
	msg, out := make([]byte, 64), make([]byte, 64)
	var r Ring
	if _, err := r.Write(make([]byte, 100)); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(64)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Write(msg); err != nil {
			b.Fatal(err)
		}
		if n, _ := r.Read(out); n != 64 {
			b.Fatal("short read", n)
		}
	}
}
