package frame

import (
	"bytes"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDelimitedInvalid(t *testing.T) {
	for _, c := range []struct {
		delim []byte
		max   int
	}{{nil, 10}, {[]byte{}, 10}, {[]byte("\n"), -1}} {
		f, err := Delimited(c.delim, c.max)
		require.ErrorIs(t, err, ErrInvalid, "delim %q max %d", c.delim, c.max)
		require.Nil(t, f)
	}
}

func TestDelimitedLines(t *testing.T) {
	f, err := Delimited([]byte("\n"), 16)
	require.NoError(t, err)

	in := newRingInput(t, []byte("one\n\ntwo\nthr"))
	require.Equal(t, []byte("one"), mustNext(t, f, in))
	empty := mustNext(t, f, in)
	require.NotNil(t, empty, "an empty line is a message, not 'wait'")
	require.Empty(t, empty)
	require.Equal(t, []byte("two"), mustNext(t, f, in))
	require.Nil(t, mustNext(t, f, in))
	require.Equal(t, 3, in.Buffered())
	in.R.WriteString("ee\n")
	require.Equal(t, []byte("three"), mustNext(t, f, in))
	require.Nil(t, mustNext(t, f, in))
	require.Equal(t, 0, in.Buffered())
}

func TestDelimitedSplits(t *testing.T) {
	lf, err := Delimited([]byte("\n"), 8)
	require.NoError(t, err)
	checkSplits(t, lf, []byte("a\n\nbb\nccc\n12345678\ntail"),
		outcome{msgs: msgs("a", "", "bb", "ccc", "12345678")})

	crlf, err := Delimited([]byte("\r\n"), 16)
	require.NoError(t, err)
	checkSplits(t, crlf, []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\na\rb\nc\r\n\r"),
		outcome{msgs: msgs("GET / HTTP/1.1", "Host: x", "", "a\rb\nc")})

	// A line over the maximum ends the stream with ErrTooLarge, after the
	// messages before it, however the bytes arrive.
	checkSplits(t, crlf, []byte("ok\r\n0123456789abcdefg\r\nnever\r\n"),
		outcome{msgs: msgs("ok"), tooLarge: true})
}

func TestDelimitedSplitDelimiter(t *testing.T) {
	f, err := Delimited([]byte("\r\n"), 16)
	require.NoError(t, err)
	in := newRingInput(t, []byte("abc\r"))
	require.Nil(t, mustNext(t, f, in))
	in.R.WriteString("\ndef\r")
	require.Equal(t, []byte("abc"), mustNext(t, f, in))
	require.Nil(t, mustNext(t, f, in))
	in.R.WriteString("\n")
	require.Equal(t, []byte("def"), mustNext(t, f, in))
}

func TestDelimitedMaximum(t *testing.T) {
	f, err := Delimited([]byte("\r\n"), 5)
	require.NoError(t, err)

	// A line of exactly max bytes is accepted, even when its delimiter
	// arrives byte by byte at the edge of the window.
	in := newRingInput(t, []byte("abcde\r"))
	require.Nil(t, mustNext(t, f, in))
	in.R.WriteString("\n")
	require.Equal(t, []byte("abcde"), mustNext(t, f, in))

	// max+1 bytes: ErrTooLarge once max+len(delim) bytes are buffered
	// without a delimiter, before the line ends.
	in = newRingInput(t, []byte("abcdef"))
	require.Nil(t, mustNext(t, f, in))
	in.R.WriteString("\r")
	msg, err := f.Next(in)
	require.ErrorIs(t, err, ErrTooLarge)
	require.Contains(t, err.Error(), "maximum 5")
	require.Nil(t, msg)
	require.Equal(t, 7, in.Buffered(), "nothing consumed")

	// The delimiter one byte too late is still too late.
	in = newRingInput(t, []byte("abcdef\r\n"))
	_, err = f.Next(in)
	require.ErrorIs(t, err, ErrTooLarge)

	// max 0 allows only empty messages.
	zero, err := Delimited([]byte("\n"), 0)
	require.NoError(t, err)
	in = newRingInput(t, []byte("\n\nx"))
	require.Equal(t, []byte{}, mustNext(t, zero, in))
	require.Equal(t, []byte{}, mustNext(t, zero, in))
	_, err = zero.Next(in)
	require.ErrorIs(t, err, ErrTooLarge)
}

func TestDelimitedHugeMaximum(t *testing.T) {
	f, err := Delimited([]byte("\n"), math.MaxInt)
	require.NoError(t, err)
	long := bytes.Repeat([]byte("x"), 10000)
	in := newRingInput(t, long)
	require.Nil(t, mustNext(t, f, in))
	in.R.WriteString("\n")
	require.Equal(t, long, mustNext(t, f, in))
}

func TestDelimitedKeepsItsOwnDelimiter(t *testing.T) {
	delim := []byte(";")
	f, err := Delimited(delim, 10)
	require.NoError(t, err)
	delim[0] = ','
	in := newRingInput(t, []byte("a,b;"))
	require.Equal(t, []byte("a,b"), mustNext(t, f, in))
}

func TestDelimitedOverlappingDelimiter(t *testing.T) {
	// The delimiter is the first occurrence: "aaa" with delimiter "aa" is
	// an empty message followed by "a".
	f, err := Delimited([]byte("aa"), 10)
	require.NoError(t, err)
	checkSplits(t, f, []byte("aaabaa"), outcome{msgs: msgs("", "ab")})
}
