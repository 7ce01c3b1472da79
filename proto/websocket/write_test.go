package websocket

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// output is an Output of room bytes, or one that fails its writes.
type output struct {
	bytes.Buffer
	room   int
	broken error // what Write returns, if not nil
	writes int
}

func (o *output) Available() int { return o.room - o.Len() }

func (o *output) Write(p []byte) (int, error) {
	o.writes++
	if o.broken != nil {
		return 0, o.broken
	}
	if len(p) > o.Available() {
		return 0, errors.New("output full")
	}
	return o.Buffer.Write(p)
}

// readFrame parses the one frame at the start of p, unmasks its payload in
// place, and returns it with the frame's length.
func readFrame(t *testing.T, p []byte) (Header, []byte, int) {
	t.Helper()
	h, n, err := ParseHeader(p, RSV1)
	require.NoError(t, err)
	require.NotZero(t, n)
	end := n + int(h.Length)
	require.LessOrEqual(t, end, len(p))
	payload := p[n:end]
	if h.Masked {
		MaskBytes(h.Mask, 0, payload)
	}
	return h, payload, end
}

// TestWriteFrame writes frames of many lengths as a server and as a
// client, and reads them back: the header's fields, the payload unmasked,
// the caller's payload untouched.
func TestWriteFrame(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	var w FrameWriter
	key := [4]byte{0xde, 0xad, 0xbe, 0xef}
	for _, n := range []int{0, 1, 125, 126, 1023, 1024, 1025, 3000, 65535, 65536, 100000} {
		payload := sample(rng, "random", n)
		orig := bytes.Clone(payload)
		for _, mask := range []*[4]byte{nil, &key} {
			out := &output{room: 1 << 20}
			require.NoError(t, w.WriteFrame(out, n%2 == 0, true, Binary, payload, mask))
			require.Equal(t, orig, payload, "the caller's payload is not modified")
			frame := out.Bytes()
			h, got, end := readFrame(t, frame)
			require.Equal(t, len(frame), end)
			require.Equal(t, Header{Fin: n%2 == 0, RSV: RSV1, Opcode: Binary, Masked: mask != nil, Mask: maskValue(mask), Length: int64(n)}, h)
			require.True(t, bytes.Equal(orig, got), "%d bytes, masked %v", n, mask != nil)
		}
	}
}

func maskValue(m *[4]byte) [4]byte {
	if m == nil {
		return [4]byte{}
	}
	return *m
}

// TestWriteFrameRoom: a frame goes whole or not at all.
func TestWriteFrameRoom(t *testing.T) {
	var w FrameWriter
	payload := make([]byte, 200)
	for _, mask := range []*[4]byte{nil, {1, 2, 3, 4}} {
		size := headerLen(len(payload), mask != nil) + len(payload)
		out := &output{room: size - 1}
		require.ErrorIs(t, w.WriteFrame(out, true, false, Text, payload, mask), ErrNoRoom)
		require.Zero(t, out.Len())
		require.Zero(t, out.writes)
		out.room = size
		require.NoError(t, w.WriteFrame(out, true, false, Text, payload, mask))
		require.Equal(t, size, out.Len())
	}
	broken := errors.New("broken")
	out := &output{room: 1000, broken: broken}
	require.ErrorIs(t, w.WriteFrame(out, true, false, Text, payload, nil), broken)
}

// TestWriteFrameRules: the frames ParseHeader refuses are not written.
func TestWriteFrameRules(t *testing.T) {
	var w FrameWriter
	out := &output{room: 1000}
	for _, c := range []struct {
		fin, rsv1 bool
		op        Opcode
		n         int
		err       error
	}{
		{true, false, 3, 0, ErrReservedOpcode},
		{true, false, 0xb, 0, ErrReservedOpcode},
		{true, true, Continuation, 1, ErrReservedBits},
		{true, true, Ping, 1, ErrReservedBits},
		{false, false, Ping, 1, ErrControlFragmented},
		{false, false, Close, 0, ErrControlFragmented},
		{true, false, Pong, MaxControlPayload + 1, ErrControlLength},
	} {
		require.ErrorIs(t, w.WriteFrame(out, c.fin, c.rsv1, c.op, make([]byte, c.n), nil), c.err, "%+v", c)
	}
	require.Zero(t, out.writes)
	require.NoError(t, w.WriteFrame(out, true, false, Ping, make([]byte, MaxControlPayload), nil))
}

func TestWriteClose(t *testing.T) {
	var w FrameWriter
	for _, mask := range []*[4]byte{nil, {9, 8, 7, 6}} {
		out := &output{room: 1000}
		require.NoError(t, w.WriteClose(out, CloseGoingAway, "server going down", mask))
		require.NoError(t, w.WriteClose(out, CloseNoStatus, "not sent", mask))
		require.NoError(t, w.WriteClose(out, CloseNormal, string(make([]byte, 300)), mask))
		p := out.Bytes()
		h, payload, n := readFrame(t, p)
		require.Equal(t, Close, h.Opcode)
		require.True(t, h.Fin)
		code, reason, err := ParseClose(payload)
		require.NoError(t, err)
		require.Equal(t, CloseGoingAway, int(code))
		require.Equal(t, "server going down", string(reason))

		p = p[n:]
		_, payload, n = readFrame(t, p)
		require.Empty(t, payload, "a code that is not sent gives an empty payload")

		p = p[n:]
		_, payload, n = readFrame(t, p)
		require.Len(t, payload, MaxControlPayload, "the reason is cut")
		require.Len(t, p, n, "three frames and nothing else")
	}
}

// TestWriteFrameAllocs: writing through the Output interface allocates
// nothing, masked or not.
func TestWriteFrameAllocs(t *testing.T) {
	var w FrameWriter
	var out Output = &output{room: 1 << 30}
	payload := make([]byte, 3000)
	key := [4]byte{1, 2, 3, 4}
	o := out.(*output)
	o.Grow(1 << 20)
	require.Zero(t, testing.AllocsPerRun(100, func() {
		o.Reset()
		if err := w.WriteFrame(out, true, false, Text, payload, nil); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteFrame(out, true, false, Binary, payload, &key); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteClose(out, CloseNormal, "bye", &key); err != nil {
			t.Fatal(err)
		}
	}))
}
