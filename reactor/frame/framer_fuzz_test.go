package frame

import (
	"bytes"
	"math"
	"testing"

	"github.com/goreactor/reactor/buffer"
	"github.com/stretchr/testify/require"
)

// Each fuzz test feeds its stream to a framer through a ring, cut into
// pieces by the bytes of cuts, and requires the same outcome as a model
// that decodes the whole stream at once with no cleverness.
//
// cuts[0] sets where in the ring's first array the data starts (2*cuts[0],
// so that it often wraps around the end of the 512-byte array); each later
// byte c, in a cycle, is the length of the next piece minus 1. With no cuts
// the stream is written in one piece.

// maxFuzzStream and maxFuzzCuts bound the inputs the fuzz tests accept.
// Longer inputs are skipped rather than cut: they find nothing that short
// ones do not (512 bytes already fill and wrap a ring's first array), and
// the engine minimizes every new interesting input with a search that is
// quadratic in its length, which stalled runs for many seconds at a time
// with 4096-byte streams.
const (
	maxFuzzStream = 512
	maxFuzzCuts   = 32
)

// checkFuzz requires got to equal want; it compares cheaply first and
// leaves testify to print the difference only when there is one.
func checkFuzz(t *testing.T, want, got outcome) {
	if !want.equal(got) {
		require.Equal(t, want, got)
		t.Fatalf("outcomes differ: want %v, got %v", want, got)
	}
}

// fuzzFeed feeds stream to f as cuts describes and returns the outcome.
func fuzzFeed(t *testing.T, f Framer, stream, cuts []byte) outcome {
	if len(cuts) == 0 {
		return feed(t, f, stream, 0)
	}
	offset := 2 * int(cuts[0])
	var at []int
	if steps := cuts[1:]; len(steps) > 0 {
		for i, pos := 0, 0; ; i++ {
			pos += int(steps[i%len(steps)]) + 1
			if pos >= len(stream) {
				break
			}
			at = append(at, pos)
		}
	}
	return feed(t, f, stream, offset, at...)
}

// modelFixed cuts stream into messages of size bytes; a shorter tail is an
// unfinished message.
func modelFixed(stream []byte, size int) outcome {
	var o outcome
	for len(stream) >= size {
		o.msgs = append(o.msgs, stream[:size])
		stream = stream[size:]
	}
	return o
}

// modelDelimited splits stream at every delim with bytes.Split. Every part
// but the last was followed by a delimiter: it is a message, or the end of
// the stream with ErrTooLarge if it is over max. The last part is an
// unfinished message, too large once it holds max+len(delim) bytes.
func modelDelimited(stream, delim []byte, max int) outcome {
	var o outcome
	parts := bytes.Split(stream, delim)
	for _, p := range parts[:len(parts)-1] {
		if len(p) > max {
			o.tooLarge = true
			return o
		}
		o.msgs = append(o.msgs, p)
	}
	o.tooLarge = len(parts[len(parts)-1]) >= max+len(delim)
	return o
}

// modelLengthPrefixed decodes frames of a prefix-byte big-endian length and
// a payload, one after the other, until one declares more than max or is
// unfinished. It also returns how many bytes the messages took.
func modelLengthPrefixed(stream []byte, prefix, max int) (outcome, int) {
	var o outcome
	used := 0
	for len(stream)-used >= prefix {
		var n uint64
		for _, b := range stream[used : used+prefix] {
			n = n*256 + uint64(b)
		}
		if n > uint64(max) {
			o.tooLarge = true
			break
		}
		if uint64(len(stream)-used-prefix) < n {
			break
		}
		o.msgs = append(o.msgs, stream[used+prefix:used+prefix+int(n)])
		used += prefix + int(n)
	}
	return o, used
}

// normalize makes an outcome's empty messages and empty list compare equal
// to drain's: non-nil empty slices, and a nil list.
func normalize(o outcome) outcome {
	if len(o.msgs) == 0 {
		o.msgs = nil
	}
	for i, m := range o.msgs {
		if len(m) == 0 {
			o.msgs[i] = []byte{}
		}
	}
	return o
}

func FuzzFixed(f *testing.F) {
	f.Add([]byte(""), uint8(1), []byte(nil))
	f.Add([]byte("abc"), uint8(3), []byte(nil))                         // one exact message
	f.Add([]byte("abcdefgh"), uint8(3), []byte{0, 0})                   // byte by byte, tail left
	f.Add([]byte("abcdefghijkl"), uint8(4), []byte{250, 2, 5})          // wraps in the ring
	f.Add(bytes.Repeat([]byte("x"), 510), uint8(255), []byte{200, 100}) // messages across a wrap
	f.Add([]byte("ab"), uint8(0), []byte(nil))                          // invalid size
	f.Fuzz(func(t *testing.T, stream []byte, size uint8, cuts []byte) {
		if len(stream) > maxFuzzStream || len(cuts) > maxFuzzCuts {
			return
		}
		fr, err := Fixed(int(size))
		if size == 0 {
			require.ErrorIs(t, err, ErrInvalid)
			return
		}
		require.NoError(t, err)
		want := normalize(modelFixed(stream, int(size)))
		checkFuzz(t, want, fuzzFeed(t, fr, stream, cuts))
	})
}

func FuzzDelimited(f *testing.F) {
	f.Add([]byte(""), []byte("\n"), uint16(10), []byte(nil))
	f.Add([]byte("a\nb\n"), []byte("\n"), uint16(10), []byte(nil))                   // delimiter at the end
	f.Add([]byte("a\r\nbc\r\n\r\n"), []byte("\r\n"), uint16(4), []byte{0, 1})        // split delimiters
	f.Add([]byte("abc\r\nd"), []byte("\r\n"), uint16(3), []byte{0, 3, 0})            // cut inside "\r\n"
	f.Add([]byte("1234\n12345\n"), []byte("\n"), uint16(4), []byte(nil))             // max, then max+1
	f.Add([]byte("12345"), []byte("\n"), uint16(4), []byte{0, 0})                    // too long, no delimiter
	f.Add([]byte("1234\r"), []byte("\r\n"), uint16(4), []byte(nil))                  // max with half a delimiter
	f.Add([]byte("x\n"), []byte("\n"), uint16(0), []byte(nil))                       // max 0
	f.Add([]byte("aaabaa"), []byte("aa"), uint16(5), []byte{1, 0})                   // overlapping delimiter
	f.Add([]byte("a--b--c"), []byte("--"), uint16(8), []byte{255, 1})                // wraps in the ring
	f.Add([]byte("abc"), []byte(""), uint16(8), []byte(nil))                         // invalid delimiter
	f.Add(bytes.Repeat([]byte("y\n"), 250), []byte("\n"), uint16(1), []byte{240, 7}) // many in a read
	f.Fuzz(func(t *testing.T, stream, delim []byte, max uint16, cuts []byte) {
		if len(stream) > maxFuzzStream || len(cuts) > maxFuzzCuts || len(delim) > 8 {
			return
		}
		fr, err := Delimited(delim, int(max))
		if len(delim) == 0 {
			require.ErrorIs(t, err, ErrInvalid)
			return
		}
		require.NoError(t, err)
		want := normalize(modelDelimited(stream, delim, int(max)))
		checkFuzz(t, want, fuzzFeed(t, fr, stream, cuts))
	})
}

func FuzzLengthPrefixed(f *testing.F) {
	// prefix selects the width: 1, 2, 4 or 8 bytes for prefix%4 = 0, 1, 2, 3.
	f.Add([]byte(""), uint8(0), uint16(10), []byte(nil))
	f.Add([]byte("\x03abc\x00\x01z"), uint8(0), uint16(10), []byte(nil))                      // messages, an empty one
	f.Add([]byte("\x00\x03abc\x00\x02xy"), uint8(1), uint16(3), []byte{0, 0})                 // byte by byte; max
	f.Add([]byte("\x00\x04abcd"), uint8(1), uint16(3), []byte{0, 0})                          // max+1
	f.Add([]byte("\xff"), uint8(0), uint16(255), []byte(nil))                                 // 255, unfinished
	f.Add([]byte("\x00\x00\x01\x00"), uint8(2), uint16(256), []byte{0, 1})                    // 256, unfinished
	f.Add([]byte("\x40\x00\x00\x00\x00\x00\x00\x00xx"), uint8(3), uint16(60000), []byte(nil)) // 2^62
	f.Add([]byte("\xff\xff\xff\xff\xff\xff\xff\xff"), uint8(3), uint16(60000), []byte{0, 3})  // 2^64-1
	f.Add([]byte("\x00\x00\x00\x02ab\x00\x00\x00\x01c"), uint8(2), uint16(9), []byte{250, 4}) // wraps
	f.Fuzz(func(t *testing.T, stream []byte, prefix uint8, max uint16, cuts []byte) {
		if len(stream) > maxFuzzStream || len(cuts) > maxFuzzCuts {
			return
		}
		width := []int{1, 2, 4, 8}[prefix%4]
		fr, err := LengthPrefixed(width, int(max))
		require.NoError(t, err)
		model, used := modelLengthPrefixed(stream, width, int(max))
		want := normalize(model)
		checkFuzz(t, want, fuzzFeed(t, fr, stream, cuts))

		// The writers encode the messages back into the bytes they came
		// from.
		var app []byte
		r := buffer.New(0)
		for _, m := range want.msgs {
			if app, err = AppendLengthPrefixed(app, width, m); err != nil {
				t.Fatalf("AppendLengthPrefixed(%d bytes): %v", len(m), err)
			}
			if err := WriteLengthPrefixed(&ringOutput{R: r}, width, m); err != nil {
				t.Fatalf("WriteLengthPrefixed(%d bytes): %v", len(m), err)
			}
		}
		if !bytes.Equal(app, stream[:used]) {
			t.Fatalf("AppendLengthPrefixed built %x; want %x", app, stream[:used])
		}
		if written, _ := r.Peek(math.MaxInt); !bytes.Equal(written, stream[:used]) {
			t.Fatalf("WriteLengthPrefixed wrote %x; want %x", written, stream[:used])
		}
	})
}
