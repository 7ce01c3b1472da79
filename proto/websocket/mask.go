package websocket

import "encoding/binary"

// MaskBytes masks or unmasks b in place (the two are the same XOR, RFC
// 6455 §5.3) with key, starting at byte pos of the key, and returns the
// position to continue from: (pos+len(b)) mod 4. A payload masked in
// pieces, as its bytes arrive, starts at position 0 and passes each call's
// result to the next. Only pos mod 4 matters.
//
// On the receiving side b is the payload where it lies in the
// connection's input: MaskBytes writes into those bytes, so that a whole
// message reaches its handler unmasked without a copy. It allocates
// nothing.
func MaskBytes(key [4]byte, pos int, b []byte) int {
	pos &= 3
	if len(b) >= 8 {
		// The key turned to start at pos, twice over, as the eight bytes
		// of a little-endian word: it lines up with every 8-byte chunk,
		// since 8 is a multiple of 4.
		k := uint64(key[pos]) | uint64(key[(pos+1)&3])<<8 |
			uint64(key[(pos+2)&3])<<16 | uint64(key[(pos+3)&3])<<24
		k |= k << 32
		// Four words a round: the loads and stores of one round do not
		// wait on each other, which pays on long payloads (BenchmarkMask).
		for len(b) >= 32 {
			binary.LittleEndian.PutUint64(b, binary.LittleEndian.Uint64(b)^k)
			binary.LittleEndian.PutUint64(b[8:], binary.LittleEndian.Uint64(b[8:])^k)
			binary.LittleEndian.PutUint64(b[16:], binary.LittleEndian.Uint64(b[16:])^k)
			binary.LittleEndian.PutUint64(b[24:], binary.LittleEndian.Uint64(b[24:])^k)
			b = b[32:]
		}
		for len(b) >= 8 {
			binary.LittleEndian.PutUint64(b, binary.LittleEndian.Uint64(b)^k)
			b = b[8:]
		}
	}
	for i := range b {
		b[i] ^= key[pos]
		pos = (pos + 1) & 3
	}
	return pos
}
