package frame

import (
	"fmt"
	"math/bits"
)

// The header of a frame is written from these constants, not from an array
// on the stack: a slice of a local array passed to a method of an interface
// (Output) escapes, so the compiler moves the array to the heap, and every
// frame would cost an 8-byte allocation (go build -gcflags=-m says "moved to
// heap: hdr"). A substring of a constant points into read-only data and
// costs nothing (BenchmarkWriteLengthPrefixed checks it).

// zeroBytes holds the leading zero bytes of a header, written in one call.
const zeroBytes = "\x00\x00\x00\x00\x00\x00\x00\x00"

// byteValues holds every byte value at its own index: byteValues[b:b+1] is
// the one-byte string b (with b an int: a byte b+1 would wrap to 0).
const byteValues = "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f" +
	"\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f" +
	"\x20\x21\x22\x23\x24\x25\x26\x27\x28\x29\x2a\x2b\x2c\x2d\x2e\x2f" +
	"\x30\x31\x32\x33\x34\x35\x36\x37\x38\x39\x3a\x3b\x3c\x3d\x3e\x3f" +
	"\x40\x41\x42\x43\x44\x45\x46\x47\x48\x49\x4a\x4b\x4c\x4d\x4e\x4f" +
	"\x50\x51\x52\x53\x54\x55\x56\x57\x58\x59\x5a\x5b\x5c\x5d\x5e\x5f" +
	"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f" +
	"\x70\x71\x72\x73\x74\x75\x76\x77\x78\x79\x7a\x7b\x7c\x7d\x7e\x7f" +
	"\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f" +
	"\x90\x91\x92\x93\x94\x95\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f" +
	"\xa0\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xab\xac\xad\xae\xaf" +
	"\xb0\xb1\xb2\xb3\xb4\xb5\xb6\xb7\xb8\xb9\xba\xbb\xbc\xbd\xbe\xbf" +
	"\xc0\xc1\xc2\xc3\xc4\xc5\xc6\xc7\xc8\xc9\xca\xcb\xcc\xcd\xce\xcf" +
	"\xd0\xd1\xd2\xd3\xd4\xd5\xd6\xd7\xd8\xd9\xda\xdb\xdc\xdd\xde\xdf" +
	"\xe0\xe1\xe2\xe3\xe4\xe5\xe6\xe7\xe8\xe9\xea\xeb\xec\xed\xee\xef" +
	"\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa\xfb\xfc\xfd\xfe\xff"

// WriteLengthPrefixed queues one frame in out: the length of p as an
// unsigned big-endian integer of prefix bytes (1, 2, 4 or 8), then p, as
// LengthPrefixed reads it. The frame goes in whole or not at all: when
// out.Available() is below prefix+len(p) it returns ErrNoRoom and writes
// nothing. It returns an error matching ErrTooLarge if len(p) does not fit
// in prefix bytes (over 255 for a 1-byte prefix, 65535 for 2 bytes), and
// one matching ErrInvalid for a prefix other than 1, 2, 4 or 8. If out
// fails after all although Available said the frame fits, its error is
// returned and the frame may be partly written.
//
// p is written to out directly, with no copy into an intermediate buffer.
// The header is written before it with WriteString, from constant strings:
// its leading zero bytes in one call, then each remaining byte in a call
// of its own, so a 4-byte prefix for a message under 256 bytes takes two
// calls. It does not allocate.
func WriteLengthPrefixed(out Output, prefix int, p []byte) error {
	n, err := frameLength(prefix, p)
	if err != nil {
		return err
	}
	if out.Available()-prefix < len(p) {
		return ErrNoRoom
	}
	z := min(bits.LeadingZeros64(n)/8-(8-prefix), prefix)
	if z > 0 {
		if _, err := out.WriteString(zeroBytes[:z]); err != nil {
			return err
		}
	}
	for shift := 8 * (prefix - z - 1); shift >= 0; shift -= 8 {
		b := int(n>>uint(shift)) & 0xff
		if _, err := out.WriteString(byteValues[b : b+1]); err != nil {
			return err
		}
	}
	if len(p) > 0 {
		if _, err := out.Write(p); err != nil {
			return err
		}
	}
	return nil
}

// AppendLengthPrefixed appends one frame to dst, the length of p in prefix
// bytes then p, and returns the extended slice; it is for building frames
// in a buffer of the caller's, such as a client that sends several frames
// with one write. It returns dst unchanged and the same errors as
// WriteLengthPrefixed when p does not fit the prefix or the prefix is not
// 1, 2, 4 or 8. It allocates only when dst has no room.
func AppendLengthPrefixed(dst []byte, prefix int, p []byte) ([]byte, error) {
	n, err := frameLength(prefix, p)
	if err != nil {
		return dst, err
	}
	i := len(dst)
	dst = append(dst, zeroBytes[:prefix]...)
	putLength(dst[i:], n)
	return append(dst, p...), nil
}

// frameLength checks prefix and that len(p) fits in it, and returns len(p).
func frameLength(prefix int, p []byte) (uint64, error) {
	if err := checkPrefix(prefix); err != nil {
		return 0, err
	}
	n := uint64(len(p))
	if n > prefixMax(prefix) {
		return 0, fmt.Errorf("%w: %d bytes do not fit a %d-byte length prefix",
			ErrTooLarge, n, prefix)
	}
	return n, nil
}
