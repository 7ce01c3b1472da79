package http1

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// scanWhole scans body in one call, and again cut at every point before
// its end (the first part, then the whole), and requires the same answer
// each way.
func scanWhole(t *testing.T, body string, lim Limits) (int, int, error) {
	t.Helper()
	var b ChunkedBody
	n, err := b.Scan([]byte(body), lim)
	end := len(body)
	if n > 0 {
		end = n
	}
	for cut := range end {
		var c ChunkedBody
		m, err1 := c.Scan([]byte(body[:cut]), lim)
		if err1 != nil {
			require.Equal(t, err, err1, "cut at %d: an error in the first part is the whole's", cut)
			continue
		}
		require.Zero(t, m, "cut at %d: the first part is not the whole body", cut)
		m, err2 := c.Scan([]byte(body), lim)
		require.Equal(t, n, m, "cut at %d", cut)
		require.Equal(t, err, err2, "cut at %d", cut)
		if err == nil {
			require.Equal(t, b.Size(), c.Size(), "cut at %d", cut)
		}
	}
	return n, b.Size(), err
}

// decode joins the data of the chunks of an accepted body.
func decode(body []byte) string {
	var s strings.Builder
	for {
		data, rest := NextChunk(body)
		if data == nil {
			return s.String()
		}
		s.Write(data)
		body = rest
	}
}

func TestChunkedBody(t *testing.T) {
	for _, c := range []struct{ body, data string }{
		{"0\r\n\r\n", ""},
		{"5\r\nhello\r\n0\r\n\r\n", "hello"},
		{"5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n", "hello, world"},
		{"A\r\n0123456789\r\n0\r\n\r\n", "0123456789"},
		{"00000a\r\n0123456789\r\n0\r\n\r\n", "0123456789"},
		{"3;name=value;x\r\nabc\r\n0 ; last\r\n\r\n", "abc"},
		{"3\nabc\n0\n\n", "abc"},
		{"3\r\nabc\r\n0\r\nTrailer: yes\r\nOther: too\r\n\r\n", "abc"},
	} {
		full := c.body + "GET / HTTP/1.1\r\n" // the next request must not count
		n, size, err := scanWhole(t, full, DefaultLimits())
		require.NoError(t, err, "%q", c.body)
		require.Equal(t, len(c.body), n, "%q", c.body)
		require.Equal(t, len(c.data), size, "%q", c.body)
		require.Equal(t, c.data, decode([]byte(full[:n])), "%q", c.body)
	}
}

func TestChunkedBodyErrors(t *testing.T) {
	lim := Limits{MaxRequestLine: 64, MaxHeaderBytes: 20, MaxHeaders: 2, MaxBody: 10, MaxChunkOverhead: 13}
	for _, c := range []struct {
		body string
		want *Error
	}{
		{"\r\n", ErrChunk},
		{"x\r\n", ErrChunk},
		{"-1\r\n", ErrChunk},
		{"3 x\r\nabc\r\n0\r\n\r\n", ErrChunk},
		{"3\r\nabcX\r\n0\r\n\r\n", ErrChunk},
		{"3\r\nabc\rX0\r\n\r\n", ErrChunk},
		{"3;\x01\r\nabc\r\n0\r\n\r\n", ErrChunk},
		{"1;" + strings.Repeat("e", maxChunkLine), ErrChunk},
		{"b\r\n", ErrBodyTooLarge}, // told by the size, before the data
		{"5\r\nhello\r\n6\r\n", ErrBodyTooLarge},
		{"ffffffff\r\n", ErrBodyTooLarge},
		{"20000000000000\r\n", ErrBodyTooLarge},     // maxLength
		{"20000000000001\r\n", ErrChunk},            // past it: an overflow
		{"fffffffffffffffffffffffff\r\n", ErrChunk}, // past 64 bits
		{"a\r\n0123456789\r\n0\r\n\r\n", nil},       // exactly MaxBody
		// Framing: each one-byte chunk takes five bytes besides its data
		// (three as bare LFs), the last chunk three (two).
		{"1\r\na\r\n1\r\nb\r\n0\r\n\r\n", nil},               // exactly MaxChunkOverhead
		{"1\r\na\r\n1\r\nb\r\n1\r\nc\r\n", ErrChunkOverhead}, // told by the line end after the data
		{"1\r\na\r\n1\r\nb\r\n00\r\n\r\n", ErrChunkOverhead}, // told by the size line
		{"1\na\n1\nb\n1\nc\n1\nd\n0\n\n", ErrChunkOverhead},  // line ends count as sent
		{"1\na\n1\nb\n1\nc\n0\n\n", nil},
		{"1;" + strings.Repeat("e", 10) + "\r\n", ErrChunkOverhead},
		{"b;" + strings.Repeat("e", 10) + "\r\n", ErrBodyTooLarge}, // the data's limit is told first
		{"0\r\nBad Trailer: x\r\n\r\n", ErrHeaderField},
		{"0\r\nT: \x00\r\n\r\n", ErrHeaderField},
		{"0\r\nT: " + strings.Repeat("t", 20) + "\r\n\r\n", ErrHeadersTooLarge},
		{"0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", ErrTooManyHeaders},
	} {
		_, _, err := scanWhole(t, c.body, lim)
		if c.want == nil {
			require.NoError(t, err, "%q", c.body)
			continue
		}
		require.ErrorIs(t, err, c.want, "%q", c.body)
	}
}

// TestChunkedBodyResumes: a body that arrives a byte at a time is accepted
// chunk by chunk; a chunk whose data has not all arrived is not.
func TestChunkedBodyResumes(t *testing.T) {
	body := "4\r\nabcd\r\n2\r\nef\r\n0\r\n\r\n"
	var b ChunkedBody
	for k := 1; k < len(body); k++ {
		n, err := b.Scan([]byte(body[:k]), DefaultLimits())
		require.NoError(t, err)
		require.Zero(t, n)
		switch {
		case k < len("4\r\nabcd\r\n"):
			require.Equal(t, 0, b.Size(), "after %d bytes", k)
		case k < len("4\r\nabcd\r\n2\r\nef\r\n"):
			require.Equal(t, 4, b.Size(), "after %d bytes", k)
		default:
			require.Equal(t, 6, b.Size(), "after %d bytes", k)
		}
	}
	n, err := b.Scan([]byte(body), DefaultLimits())
	require.NoError(t, err)
	require.Equal(t, len(body), n)
	n, err = b.Scan([]byte(body+"GET / HTTP/1.1\r\n"), DefaultLimits())
	require.NoError(t, err)
	require.Equal(t, len(body), n, "asked again, with the next request after it")
	require.Equal(t, 6, b.Size())
	b.Reset()
	require.Zero(t, b.Size())
	_, err = b.Scan(nil, DefaultLimits())
	require.NoError(t, err)
}

func TestChunkedBodyDoesNotAllocate(t *testing.T) {
	body := []byte("5\r\nhello\r\n7;x=y\r\n, world\r\n0\r\nT: v\r\n\r\n")
	lim := DefaultLimits()
	allocs := testing.AllocsPerRun(1000, func() {
		var b ChunkedBody
		if n, err := b.Scan(body[:20], lim); n != 0 || err != nil {
			panic("a partial body")
		}
		if n, err := b.Scan(body, lim); n != len(body) || err != nil {
			panic(err)
		}
		for p := body; p != nil; {
			_, p = NextChunk(p)
		}
	})
	require.Zero(t, allocs)
}
