package frame

import (
	"bytes"
	"errors"
	"testing"

	"github.com/goreactor/reactor/buffer"
	"github.com/stretchr/testify/require"
)

// frameLengths are payload lengths around the byte boundaries of a header.
var frameLengths = []int{0, 1, 64, 255, 256, 257, 65535, 65536, 65537, 1<<17 + 3}

func TestAppendLengthPrefixed(t *testing.T) {
	for _, prefix := range []int{1, 2, 4, 8} {
		for _, n := range frameLengths {
			p := bytes.Repeat([]byte{byte(n)}, n)
			got, err := AppendLengthPrefixed([]byte("xy"), prefix, p)
			if uint64(n) > prefixMax(prefix) {
				require.ErrorIs(t, err, ErrTooLarge, "prefix %d, %d bytes", prefix, n)
				require.Equal(t, []byte("xy"), got)
				continue
			}
			require.NoError(t, err)
			want := append([]byte("xy"), header(prefix, uint64(n))...)
			require.Equal(t, append(want, p...), got, "prefix %d, %d bytes", prefix, n)
		}
	}
	_, err := AppendLengthPrefixed(nil, 3, nil)
	require.ErrorIs(t, err, ErrInvalid)
}

func TestWriteLengthPrefixed(t *testing.T) {
	for _, prefix := range []int{1, 2, 4, 8} {
		f, err := LengthPrefixed(prefix, 1<<20)
		require.NoError(t, err)
		r := buffer.New(0)
		out := &ringOutput{R: r}
		for _, n := range frameLengths {
			p := bytes.Repeat([]byte{byte(n + 1)}, n)
			err := WriteLengthPrefixed(out, prefix, p)
			if uint64(n) > prefixMax(prefix) {
				require.ErrorIs(t, err, ErrTooLarge, "prefix %d, %d bytes", prefix, n)
				require.Equal(t, 0, r.Len(), "nothing written")
				continue
			}
			require.NoError(t, err)
			got, _ := r.Peek(r.Len())
			require.Equal(t, append(header(prefix, uint64(n)), p...), got, "prefix %d, %d bytes", prefix, n)
			require.Equal(t, p, mustNext(t, f, &RingInput{R: r}), "round trip")
			require.Equal(t, 0, r.Len())
		}
	}
	require.ErrorIs(t, WriteLengthPrefixed(&ringOutput{R: buffer.New(0)}, 0, nil), ErrInvalid)
}

func TestWriteLengthPrefixedNoRoom(t *testing.T) {
	p := []byte("0123456789")
	r := buffer.New(4 + len(p) - 1)
	out := &ringOutput{R: r}
	require.ErrorIs(t, WriteLengthPrefixed(out, 4, p), ErrNoRoom)
	require.Equal(t, 0, r.Len(), "nothing written")

	r.SetMax(4 + len(p))
	require.NoError(t, WriteLengthPrefixed(out, 4, p))
	require.Equal(t, 0, out.Available())
	require.ErrorIs(t, WriteLengthPrefixed(out, 1, nil), ErrNoRoom, "even the header needs room")
	require.Equal(t, 4+len(p), r.Len())
}

// lyingOutput says it has room, then fails the write after failAfter calls.
type lyingOutput struct {
	calls, failAfter int
}

var errLying = errors.New("lying output")

func (o *lyingOutput) write(n int) (int, error) {
	if o.calls++; o.calls > o.failAfter {
		return 0, errLying
	}
	return n, nil
}
func (o *lyingOutput) Write(p []byte) (int, error)       { return o.write(len(p)) }
func (o *lyingOutput) WriteString(s string) (int, error) { return o.write(len(s)) }
func (o *lyingOutput) Available() int                    { return 1 << 30 }

func TestWriteLengthPrefixedOutputError(t *testing.T) {
	p := make([]byte, 300) // header 00 00 01 2c: zeros, 01, 2c, then p
	for fail := range 4 {
		out := &lyingOutput{failAfter: fail}
		require.ErrorIs(t, WriteLengthPrefixed(out, 4, p), errLying, "fail after %d", fail)
	}
	out := &lyingOutput{failAfter: 4}
	require.NoError(t, WriteLengthPrefixed(out, 4, p))
	require.Equal(t, 4, out.calls)
}

func TestWriteLengthPrefixedNoAlloc(t *testing.T) {
	r := buffer.New(0)
	out := &ringOutput{R: r}
	p := make([]byte, 300)
	var err error
	allocs := testing.AllocsPerRun(100, func() {
		for _, prefix := range []int{1, 2, 4, 8} {
			err = WriteLengthPrefixed(out, prefix, p[:prefixMax(prefix)%300])
		}
		r.Reset()
	})
	require.NoError(t, err)
	require.Zero(t, allocs)
}
