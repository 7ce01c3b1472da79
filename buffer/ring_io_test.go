package buffer

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

func TestWrite(t *testing.T) {
	var r Ring
	n, err := r.Write(nil)
	require.NoError(t, err)
	require.Zero(t, n)
	require.Zero(t, r.Cap(), "an empty write allocates nothing")

	p := seq(0, 10)
	n, err = r.Write(p)
	require.NoError(t, err)
	require.Equal(t, 10, n)
	p[0] = 99
	require.Equal(t, seq(0, 10), contents(&r), "Write does not retain p")
}

func TestWriteAcrossWrap(t *testing.T) {
	r := wrapped(t)
	n, err := r.Write(seq(400, 412))
	require.NoError(t, err)
	require.Equal(t, 412, n)
	require.Equal(t, 512, r.Len())
	require.Equal(t, seq(300, 512), contents(r))
}

func TestWriteFull(t *testing.T) {
	r := wrapped(t)
	n, err := r.Write(seq(400, 500))
	require.True(t, errors.Is(err, ErrFull))
	require.Equal(t, 412, n, "writes what fits")
	require.Equal(t, seq(300, 512), contents(r))

	n, err = r.Write(seq(0, 1))
	require.ErrorIs(t, err, ErrFull)
	require.Zero(t, n)
	n, err = r.Write(nil)
	require.NoError(t, err, "an empty write never fails")
	require.Zero(t, n)
}

func TestWriteString(t *testing.T) {
	r := wrapped(t)
	n, err := r.WriteString(string(seq(400, 200)))
	require.NoError(t, err)
	require.Equal(t, 200, n)
	require.Equal(t, seq(300, 300), contents(r))

	n, err = r.WriteString(string(seq(600, 300)))
	require.ErrorIs(t, err, ErrFull)
	require.Equal(t, 212, n)
	require.Equal(t, seq(300, 512), contents(r))
	n, err = r.WriteString("")
	require.NoError(t, err)
	require.Zero(t, n)
}

func TestWriteByte(t *testing.T) {
	var z Ring
	require.NoError(t, z.WriteByte('a'))
	require.Equal(t, minCap, z.Cap())

	r := New(3)
	for _, c := range []byte("abc") {
		require.NoError(t, r.WriteByte(c))
	}
	require.ErrorIs(t, r.WriteByte('d'), ErrFull)
	require.Equal(t, "abc", string(contents(r)))
	require.Equal(t, 4, r.Cap())
}

func TestRead(t *testing.T) {
	var r Ring
	n, err := r.Read(nil)
	require.NoError(t, err, "len(p) == 0 on an empty ring")
	require.Zero(t, n)
	n, err = r.Read(make([]byte, 4))
	require.Equal(t, io.EOF, err)
	require.Zero(t, n)

	_, err = r.Write(seq(0, 10))
	require.NoError(t, err)
	n, err = r.Read([]byte{})
	require.NoError(t, err)
	require.Zero(t, n)
	p := make([]byte, 4)
	n, err = r.Read(p)
	require.NoError(t, err)
	require.Equal(t, seq(0, 4), p[:n])
	p = make([]byte, 20)
	n, err = r.Read(p)
	require.NoError(t, err)
	require.Equal(t, seq(4, 6), p[:n])
	_, err = r.Read(p)
	require.Equal(t, io.EOF, err)
}

func TestReadAcrossWrap(t *testing.T) {
	r := wrapped(t)
	_, err := r.Write(seq(400, 300))
	require.NoError(t, err)
	p := make([]byte, 1000)
	n, err := r.Read(p)
	require.NoError(t, err)
	require.Equal(t, seq(300, 400), p[:n])
}

func TestReaderContract(t *testing.T) {
	r := wrapped(t)
	_, err := r.Write(seq(400, 300))
	require.NoError(t, err)
	require.NoError(t, iotest.TestReader(r, seq(300, 400)))
}

func TestReadByte(t *testing.T) {
	r := wrapped(t)
	_, err := r.Write(seq(400, 300))
	require.NoError(t, err)
	for i := range 400 {
		c, err := r.ReadByte()
		require.NoError(t, err)
		require.Equal(t, byte(300+i), c)
	}
	_, err = r.ReadByte()
	require.Equal(t, io.EOF, err)
}

func TestReadFrom(t *testing.T) {
	var r Ring
	src := seq(0, 100_000)
	n, err := r.ReadFrom(bytes.NewReader(src))
	require.NoError(t, err, "io.EOF is not an error")
	require.Equal(t, int64(len(src)), n)
	require.Equal(t, src, contents(&r))
	require.Equal(t, 131072, r.Cap())

	n, err = r.ReadFrom(iotest.DataErrReader(strings.NewReader("tail")))
	require.NoError(t, err)
	require.Equal(t, int64(4), n)
	n, err = r.ReadFrom(iotest.OneByteReader(strings.NewReader("xy")))
	require.NoError(t, err)
	require.Equal(t, int64(2), n)
	require.Equal(t, "tailxy", string(contents(&r)[len(src):]))
}

func TestReadFromMax(t *testing.T) {
	r := New(1000)
	n, err := r.ReadFrom(bytes.NewReader(seq(0, 5000)))
	require.ErrorIs(t, err, ErrFull)
	require.Equal(t, int64(1000), n)
	require.Equal(t, 1000, r.Len(), "never past the maximum")
	require.Equal(t, seq(0, 1000), contents(r))

	n, err = r.ReadFrom(bytes.NewReader(seq(0, 10)))
	require.ErrorIs(t, err, ErrFull, "already at the maximum")
	require.Zero(t, n)

	r.Discard(10)
	n, err = r.ReadFrom(bytes.NewReader(seq(0, 10)))
	require.ErrorIs(t, err, ErrFull, "exactly at the maximum: documented")
	require.Equal(t, int64(10), n)

	r.Discard(10)
	n, err = r.ReadFrom(bytes.NewReader(seq(0, 9)))
	require.NoError(t, err)
	require.Equal(t, int64(9), n)
}

// countReader returns count from every Read, whatever p holds.
type countReader struct{ count int }

func (c countReader) Read(p []byte) (int, error) { return c.count, nil }

func TestReadFromMisbehavingReaders(t *testing.T) {
	boom := errors.New("boom")
	var r Ring
	n, err := r.ReadFrom(io.MultiReader(strings.NewReader("ab"), iotest.ErrReader(boom)))
	require.ErrorIs(t, err, boom)
	require.Equal(t, int64(2), n)

	n, err = r.ReadFrom(countReader{0})
	require.ErrorIs(t, err, io.ErrNoProgress)
	require.Zero(t, n)
	_, err = r.ReadFrom(countReader{-1})
	require.ErrorIs(t, err, errBadCount)
	_, err = r.ReadFrom(countReader{1 << 20})
	require.ErrorIs(t, err, errBadCount)
	require.Equal(t, "ab", string(contents(&r)))
}

func TestWriteTo(t *testing.T) {
	var z Ring
	var dst bytes.Buffer
	n, err := z.WriteTo(&dst)
	require.NoError(t, err)
	require.Zero(t, n)

	r := wrapped(t)
	_, err = r.Write(seq(400, 300))
	require.NoError(t, err)
	n, err = r.WriteTo(&dst)
	require.NoError(t, err)
	require.Equal(t, int64(400), n)
	require.Equal(t, seq(300, 400), dst.Bytes(), "both parts in order")
	require.Zero(t, r.Len())
}

// shortWriter accepts at most limit bytes per Write and reports no error,
// or returns count when count is not 0.
type shortWriter struct {
	limit, count int
	got          []byte
}

func (w *shortWriter) Write(p []byte) (int, error) {
	if w.count != 0 {
		return w.count, nil
	}
	n := min(len(p), w.limit)
	w.got = append(w.got, p[:n]...)
	return n, nil
}

func TestWriteToShortAndFailing(t *testing.T) {
	r := wrapped(t)
	_, err := r.Write(seq(400, 300))
	require.NoError(t, err)

	w := &shortWriter{limit: 150}
	n, err := r.WriteTo(w)
	require.ErrorIs(t, err, io.ErrShortWrite)
	require.Equal(t, int64(150), n)
	n, err = r.WriteTo(w)
	require.ErrorIs(t, err, io.ErrShortWrite)
	require.Equal(t, int64(212), n, "the rest of the first part, then 150")
	require.Equal(t, seq(300, 362), w.got)
	require.Equal(t, seq(662, 38), contents(r), "what was not written stays")

	boom := errors.New("boom")
	n, err = r.WriteTo(iotest.TruncateWriter(errWriter{boom}, 0))
	require.NoError(t, err, "TruncateWriter swallows everything")
	require.Equal(t, int64(38), n)

	_, _ = r.Write(seq(0, 5))
	n, err = r.WriteTo(errWriter{boom})
	require.ErrorIs(t, err, boom)
	require.Zero(t, n)
	require.Equal(t, 5, r.Len())

	_, err = r.WriteTo(&shortWriter{count: -1})
	require.ErrorIs(t, err, errBadCount)
	_, err = r.WriteTo(&shortWriter{count: 6})
	require.ErrorIs(t, err, errBadCount)
	require.Equal(t, seq(0, 5), contents(r))
}

// errWriter fails every Write with err.
type errWriter struct{ err error }

func (w errWriter) Write(p []byte) (int, error) { return 0, w.err }

func TestIOCopy(t *testing.T) {
	var in, out Ring
	src := seq(0, 70_000)
	_, err := io.Copy(&in, bytes.NewReader(src)) // uses ReadFrom
	require.NoError(t, err)
	_, err = io.Copy(&out, &in) // uses WriteTo into out's Write
	require.NoError(t, err)
	require.Equal(t, src, contents(&out))
	require.Zero(t, in.Len())
}
