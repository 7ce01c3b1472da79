package http1

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestTokenMasks checks the token class's bit masks against the grammar:
// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
// "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA.
func TestTokenMasks(t *testing.T) {
	for b := range 256 {
		c := byte(b)
		want := '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
		require.Equal(t, want, isToken(c), "byte %#x", b)
	}
}

// TestFieldBytes: the 8-bytes-at-a-time scan stops where a byte-by-byte
// one does, for every byte value at every place in a word and around it.
func TestFieldBytes(t *testing.T) {
	naive := func(buf []byte, i, end int) int {
		for i < end && isFieldByte(buf[i]) {
			i++
		}
		return i
	}
	for b := range 256 {
		for at := range 20 {
			buf := bytes.Repeat([]byte("a\xe9 Z~"), 4)[:20]
			buf[at] = byte(b)
			for start := range 3 {
				for end := start; end <= len(buf); end++ {
					require.Equal(t, naive(buf, start, end), fieldBytes(buf, start, end), "byte %#x at %d, [%d:%d]", b, at, start, end)
				}
			}
		}
	}
}
