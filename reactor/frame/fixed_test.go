package frame

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFixedInvalid(t *testing.T) {
	for _, size := range []int{0, -1, -1 << 40} {
		f, err := Fixed(size)
		require.ErrorIs(t, err, ErrInvalid, "size %d", size)
		require.Nil(t, f)
	}
}

func TestFixedMessages(t *testing.T) {
	f, err := Fixed(3)
	require.NoError(t, err)

	in := newRingInput(t, []byte("abcdefgh"))
	require.Equal(t, []byte("abc"), mustNext(t, f, in))
	require.Equal(t, []byte("def"), mustNext(t, f, in))
	require.Nil(t, mustNext(t, f, in), "2 of 3 bytes buffered")
	require.Equal(t, 2, in.Buffered())
	in.R.WriteString("i")
	require.Equal(t, []byte("ghi"), mustNext(t, f, in))
	require.Nil(t, mustNext(t, f, in))
	require.Equal(t, 0, in.Buffered())
}

func TestFixedSplits(t *testing.T) {
	f, err := Fixed(4)
	require.NoError(t, err)
	stream := []byte("0123456789abcdefghijklmnopqrstuvwxyz!") // 9 messages and 1 byte
	checkSplits(t, f, stream, outcome{msgs: msgs(
		"0123", "4567", "89ab", "cdef", "ghij", "klmn", "opqr", "stuv", "wxyz")})

	one, err := Fixed(1)
	require.NoError(t, err)
	checkSplits(t, one, []byte("xyz"), outcome{msgs: msgs("x", "y", "z")})
}

func TestFixedMessageCapacity(t *testing.T) {
	f, err := Fixed(2)
	require.NoError(t, err)
	in := newRingInput(t, []byte("abcd"))
	msg := mustNext(t, f, in)
	_ = append(msg, 'X') // must copy, not overwrite "c"
	require.Equal(t, []byte("cd"), mustNext(t, f, in))
}
