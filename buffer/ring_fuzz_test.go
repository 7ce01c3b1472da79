package buffer

import (
	"bytes"
	"fmt"
	"testing"
)

// The fuzz input is a header of two bytes followed by operations of three
// bytes each: an opcode and a big-endian 16-bit argument. Missing bytes at
// the end read as 0.
//
// Header 0 starts from the zero Ring; any other value h starts from
// New(int(int16(h))), so negative maxima are covered too.
const (
	opWrite       = iota // Write arg&0x1fff pattern bytes
	opWriteString        // WriteString of arg&0x1fff pattern bytes
	opWriteByte          // WriteByte of one pattern byte
	opRead               // Read into a slice of arg&0x1fff bytes
	opReadByte           // ReadByte
	opPeek               // Peek(int16(arg))
	opDiscard            // Discard(int16(arg))
	opReadv              // copy arg&0x1fff bytes (at most Free) into Writable, Commit
	opWritev             // consume arg&0x1fff bytes (at most Len) from Readable, Discard
	opGrow               // Grow(int16(arg))
	opReset              // Reset
	opRelease            // Release
	opSetMax             // SetMax(int16(arg))
	opReadFrom           // ReadFrom a bytes.Reader of arg&0x1fff pattern bytes
	opWriteTo            // WriteTo a bytes.Buffer
	opCount              // number of opcodes; opcodes are taken modulo it
)

// maxFuzzInput bounds the inputs FuzzRing accepts to 100 operations. Longer
// inputs are ignored rather than truncated: the fuzzing engine minimizes
// every new interesting input with a search that is quadratic in its length,
// and inputs whose tails do nothing made that search stall the run.
const maxFuzzInput = 2 + 3*100

// prog builds a fuzz input: a header and a list of (opcode, argument) pairs.
func prog(header uint16, ops ...int) []byte {
	p := []byte{byte(header >> 8), byte(header)}
	for i := 0; i+1 < len(ops); i += 2 {
		arg := uint16(ops[i+1])
		p = append(p, byte(ops[i]), byte(arg>>8), byte(arg))
	}
	return p
}

// fuzzModel is what the ring must agree with: its bytes, its maximum, and
// the source of fresh bytes to write.
type fuzzModel struct {
	data bytes.Buffer
	max  int
	next uint32
}

// nextPattern returns n fresh bytes, advancing the model's counter: the top
// byte of a hashed counter, so that no short cycle hides a lost, repeated or
// reordered run of bytes.
func (m *fuzzModel) nextPattern(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		m.next++
		p[i] = byte(m.next * 2654435761 >> 24)
	}
	return p
}

// room returns how many of n bytes a write may store, and whether the write
// must report ErrFull.
func (m *fuzzModel) room(n int) (int, bool) {
	if m.max <= 0 || m.data.Len()+n <= m.max {
		return n, false
	}
	return max(0, m.max-m.data.Len()), n > 0
}

// FuzzRing runs a sequence of operations decoded from the input against a
// Ring and against a model made of a bytes.Buffer and a maximum, comparing
// every result and the ring's state after each operation.
func FuzzRing(f *testing.F) {
	addRingSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > maxFuzzInput {
			return // see maxFuzzInput
		}
		at := func(i int) byte {
			if i < len(in) {
				return in[i]
			}
			return 0
		}
		var r *Ring
		m := &fuzzModel{}
		if h := int(int16(uint16(at(0))<<8 | uint16(at(1)))); h == 0 {
			r = &Ring{}
		} else {
			r = New(h)
			m.max = max(h, 0)
		}
		for i := 2; i < len(in); i += 3 {
			op := int(at(i)) % opCount
			arg := uint16(at(i+1))<<8 | uint16(at(i+2))
			before := r.Cap()
			step(t, r, m, op, arg)
			check(t, r, m, before, fmt.Sprintf("op %d (%d) arg %d", i/3, op, arg))
		}
	})
}

// addRingSeeds adds FuzzRing's seed corpus: the edge cases of wrapping,
// growing, the maximum, zero lengths and negative arguments.
func addRingSeeds(f *testing.F) {
	// Wrap-around: with a 512-byte array, write 400, read 300, write a
	// 300-byte string (ends at 700 mod 512), then read everything back,
	// the last bytes one at a time, and read the empty ring.
	f.Add(prog(512, opWrite, 400, opRead, 300, opWriteString, 300, opRead, 398,
		opReadByte, 0, opReadByte, 0, opReadByte, 0))
	// Growth at the wrap point: the data wraps when a 500-byte write
	// forces the array from 512 to 1024 bytes.
	f.Add(prog(0, opWrite, 400, opRead, 300, opWrite, 300, opWrite, 500, opRead, 2000))
	// Hitting the maximum: a short write, then every kind of write at the
	// limit of 1000 bytes (array 1024), then draining.
	f.Add(prog(1000, opWrite, 800, opWrite, 300, opWriteByte, 0, opWriteString, 5,
		opReadv, 100, opGrow, 10, opReadFrom, 10, opWriteTo, 0))
	// ReadFrom that exactly fills the maximum, and one that overflows it.
	f.Add(prog(1000, opReadFrom, 1000, opDiscard, 1, opReadFrom, 50, opRead, 2000))
	// Zero-length operations on the zero Ring and on an allocated one.
	f.Add(prog(0, opWrite, 0, opWriteString, 0, opRead, 0, opPeek, 0, opDiscard, 0,
		opReadv, 0, opWritev, 0, opGrow, 0, opReadFrom, 0, opWriteTo, 0,
		opWriteByte, 7, opRead, 0, opPeek, 0, opReadv, 0, opWritev, 0, opRead, 1, opRead, 1))
	// Release then regrow: release is refused while bytes remain, works
	// once empty, and the next write allocates again.
	f.Add(prog(0, opWrite, 100, opRelease, 0, opRead, 100, opRelease, 0, opWrite, 700, opRead, 700))
	// Peek across the wrap with room before the data (two copies).
	f.Add(prog(512, opWrite, 500, opRead, 450, opWrite, 60, opPeek, 100, opRead, 200))
	// Peek across the wrap with the array nearly full (three reversals),
	// then Peek of more than Len (ErrShort).
	f.Add(prog(512, opWrite, 400, opRead, 300, opWrite, 300, opPeek, 250, opPeek, 600, opRead, 600))
	// Vectored views across the wrap: readv into both free parts, writev
	// from both readable parts.
	f.Add(prog(512, opWrite, 400, opRead, 300, opReadv, 350, opWritev, 420, opWritev, 100))
	// Lowering the maximum below Len keeps the bytes and refuses writes;
	// removing it lets the ring grow again.
	f.Add(prog(0, opWrite, 900, opSetMax, 100, opWrite, 1, opReadFrom, 5, opRead, 850,
		opWrite, 100, opSetMax, 0, opWrite, 3000, opWriteTo, 0))
	// Negative maximum and negative arguments.
	f.Add(prog(0xfff0, opWrite, 10, opDiscard, 0xffff, opPeek, 0xfffe, opGrow, 0x8000, opRead, 10))
	// Reset keeps the array; Grow at and past the maximum.
	f.Add(prog(2000, opWrite, 1500, opReset, 0, opGrow, 2000, opGrow, 2001, opWrite, 10, opReadByte, 0))
}

// check compares the state of the ring with the model after every step.
func check(t *testing.T, r *Ring, m *fuzzModel, before int, where string) {
	t.Helper()
	if r.Len() != m.data.Len() {
		t.Fatalf("%s: Len %d, want %d", where, r.Len(), m.data.Len())
	}
	a, b := r.Readable()
	if len(b) > 0 && len(a) == 0 {
		t.Fatalf("%s: Readable gave an empty first part", where)
	}
	if want := m.data.Bytes(); len(a)+len(b) != len(want) || !bytes.Equal(a, want[:len(a)]) || !bytes.Equal(b, want[len(a):]) {
		t.Fatalf("%s: Readable %x + %x, want %x", where, a, b, want)
	}
	c := r.Cap()
	if c != 0 && c&(c-1) != 0 {
		t.Fatalf("%s: Cap %d is not a power of two", where, c)
	}
	if c > before {
		// Growth: the first array holds minCap bytes, later ones double,
		// and none exceeds the smallest power of two >= max.
		top := 1 << 62
		if m.max > 0 {
			top = ceilPow2(m.max)
		}
		if c > top || (c < minCap && c != top) || (before > 0 && c < 2*before) {
			t.Fatalf("%s: grew from %d to %d with max %d", where, before, c, m.max)
		}
	}
	if c < r.Len() {
		t.Fatalf("%s: Cap %d below Len %d", where, c, r.Len())
	}
	wa, wb := r.Writable()
	if len(wa)+len(wb) != r.Free() {
		t.Fatalf("%s: Writable holds %d bytes, Free %d", where, len(wa)+len(wb), r.Free())
	}
	usable := c
	if m.max > 0 {
		usable = min(c, m.max)
	}
	if r.Free() != max(0, usable-r.Len()) {
		t.Fatalf("%s: Free %d with Cap %d, Len %d, max %d", where, r.Free(), c, r.Len(), m.max)
	}
	if r.Max() != m.max {
		t.Fatalf("%s: Max %d, want %d", where, r.Max(), m.max)
	}
}
