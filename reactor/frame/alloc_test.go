package frame

import (
	"testing"

	"github.com/goreactor/reactor/buffer"
	"github.com/stretchr/testify/require"
)

// TestFramersDoNotAllocate checks, on every go test, what the benchmarks
// show with -benchmem: taking a message out of a ring allocates nothing,
// and neither does waiting for the rest of one.
func TestFramersDoNotAllocate(t *testing.T) {
	fixed, err := Fixed(8)
	require.NoError(t, err)
	delim, err := Delimited([]byte("\r\n"), 64)
	require.NoError(t, err)
	length, err := LengthPrefixed(2, 64)
	require.NoError(t, err)

	for _, c := range []struct {
		name string
		f    Framer
		msg  []byte
	}{
		{"fixed", fixed, []byte("01234567")},
		{"delimited", delim, []byte("a line\r\n")},
		{"length", length, lp(2, "a payload")},
	} {
		r := buffer.New(0)
		in := &RingInput{R: r}
		var got []byte
		allocs := testing.AllocsPerRun(1000, func() {
			r.Write(c.msg[:3])
			if m, _ := c.f.Next(in); m != nil {
				panic("a message from 3 bytes")
			}
			r.Write(c.msg[3:])
			got, _ = c.f.Next(in)
		})
		require.Zero(t, allocs, c.name)
		require.NotNil(t, got, c.name)
		require.Equal(t, 0, r.Len(), c.name)
	}
}
