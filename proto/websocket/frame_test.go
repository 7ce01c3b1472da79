package websocket

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// parseWhole parses p and checks that every prefix of an accepted header
// is incomplete, with no error, and that every prefix of a refused one is
// incomplete or refused with the same error.
func parseWhole(t *testing.T, p []byte, allowedRSV uint8) (Header, int, error) {
	t.Helper()
	h, n, err := ParseHeader(p, allowedRSV)
	end := n
	if err != nil || n == 0 {
		require.Zero(t, n, "an error or an incomplete header has no length")
		end = len(p)
	}
	for k := range end {
		_, m, e := ParseHeader(p[:k], allowedRSV)
		require.Zero(t, m, "prefix of %d bytes of % x", k, p)
		if e != nil {
			require.ErrorIs(t, e, err, "prefix of %d bytes of % x", k, p)
		}
	}
	return h, n, err
}

// TestHeaderLengths writes and parses headers for the lengths at the
// edges of each encoding, masked and not: the ground of Autobahn 1.1.1 to
// 1.1.8 and 1.2.1 to 1.2.8 (text and binary messages of 0 to 65536 bytes),
// 9.1 and 9.2 (up to 16 MiB), and the largest int.
func TestHeaderLengths(t *testing.T) {
	mask := [4]byte{0xa1, 0xb2, 0xc3, 0xd4}
	for _, length := range []int{0, 1, 125, 126, 127, 128, 0xffff, 0x10000, 16 << 20, math.MaxInt} {
		for _, op := range []Opcode{Text, Binary, Continuation} {
			for _, m := range []*[4]byte{nil, &mask} {
				for _, fin := range []bool{true, false} {
					p := AppendHeader([]byte{}, fin, false, op, length, m)
					require.Len(t, p, headerLen(length, m != nil))
					h, n, err := parseWhole(t, append(p, "payload"...), 0)
					require.NoError(t, err)
					require.Equal(t, len(p), n)
					want := Header{Fin: fin, Opcode: op, Masked: m != nil, Length: int64(length)}
					if m != nil {
						want.Mask = mask
					}
					require.Equal(t, want, h)
				}
			}
		}
	}
	p := AppendHeader(nil, true, true, Binary, 300, nil)
	require.Equal(t, []byte{0xc2, 126, 1, 44}, p, "FIN, RSV1, binary; 300 in 16 bits")
	h, n, err := ParseHeader(p, RSV1)
	require.NoError(t, err)
	require.Equal(t, 4, n)
	require.Equal(t, RSV1, h.RSV)
}

// TestHeaderRFCExamples parses the frames of RFC 6455 §5.7.
func TestHeaderRFCExamples(t *testing.T) {
	for _, c := range []struct {
		frame   string
		want    Header
		payload string
	}{
		{"\x81\x05\x48\x65\x6c\x6c\x6f", Header{Fin: true, Opcode: Text, Length: 5}, "Hello"},
		{"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58",
			Header{Fin: true, Opcode: Text, Masked: true, Mask: [4]byte{0x37, 0xfa, 0x21, 0x3d}, Length: 5}, "Hello"},
		{"\x01\x03\x48\x65\x6c", Header{Opcode: Text, Length: 3}, "Hel"},
		{"\x80\x02\x6c\x6f", Header{Fin: true, Opcode: Continuation, Length: 2}, "lo"},
		{"\x89\x05\x48\x65\x6c\x6c\x6f", Header{Fin: true, Opcode: Ping, Length: 5}, "Hello"},
		{"\x8a\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58",
			Header{Fin: true, Opcode: Pong, Masked: true, Mask: [4]byte{0x37, 0xfa, 0x21, 0x3d}, Length: 5}, "Hello"},
	} {
		p := []byte(c.frame)
		h, n, err := parseWhole(t, p, 0)
		require.NoError(t, err, "% x", p)
		require.Equal(t, c.want, h, "% x", p)
		payload := p[n : n+int(h.Length)]
		if h.Masked {
			MaskBytes(h.Mask, 0, payload)
		}
		require.Equal(t, c.payload, string(payload))
		require.Equal(t, c.frame[:n], string(AppendHeader(nil, h.Fin, false, h.Opcode, int(h.Length), maskOf(h))))
	}
	for _, c := range []struct{ frame, prefix string }{
		{"\x82\x7e\x01\x00", "256 bytes binary message in a single unmasked frame"},
		{"\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", "64KiB binary message in a single unmasked frame"},
	} {
		h, n, err := parseWhole(t, []byte(c.frame), 0)
		require.NoError(t, err, c.prefix)
		require.Equal(t, len(c.frame), n, c.prefix)
		require.Equal(t, Binary, h.Opcode, c.prefix)
	}
}

func maskOf(h Header) *[4]byte {
	if h.Masked {
		return &h.Mask
	}
	return nil
}

// TestAutobahn_3 covers Autobahn 3.1 to 3.7: frames with RSV bits that no
// extension allows (Autobahn numbers them as the three bits' value, RSV1
// being 4), and the use permessage-deflate makes of RSV1.
func TestAutobahn_3(t *testing.T) {
	for _, c := range []struct {
		id      string
		rsv     uint8
		op      Opcode
		allowed uint8
		err     error
	}{
		{"3.1", 1, Text, 0, ErrReservedBits},
		{"3.2", 2, Text, 0, ErrReservedBits},
		{"3.3", 3, Text, 0, ErrReservedBits},
		{"3.4", 4, Text, 0, ErrReservedBits},
		{"3.5", 5, Binary, 0, ErrReservedBits},
		{"3.6", 6, Ping, 0, ErrReservedBits},
		{"3.7", 7, Close, 0, ErrReservedBits},
		{"deflate text", RSV1, Text, RSV1, nil},
		{"deflate binary", RSV1, Binary, RSV1, nil},
		{"deflate RSV2", RSV2, Text, RSV1, ErrReservedBits},
		{"deflate continuation", RSV1, Continuation, RSV1, ErrReservedBits},
		{"deflate ping", RSV1, Ping, RSV1, ErrReservedBits},
		{"deflate close", RSV1, Close, RSV1, ErrReservedBits},
	} {
		t.Run(c.id, func(t *testing.T) {
			p := []byte{0x80 | c.rsv<<4 | byte(c.op), 0x80, 1, 2, 3, 4}
			h, n, err := parseWhole(t, p, c.allowed)
			if c.err != nil {
				require.ErrorIs(t, err, c.err)
				require.Equal(t, CloseProtocolError, int(CloseCodeOf(err)))
				return
			}
			require.NoError(t, err)
			require.Equal(t, 6, n)
			require.Equal(t, c.rsv, h.RSV)
		})
	}
}

// TestAutobahn_4 covers Autobahn 4.1.1 to 4.1.5 (the reserved non-control
// opcodes 3 to 7) and 4.2.1 to 4.2.5 (the reserved control opcodes 0xB to
// 0xF): refused from the first byte, before the rest of the frame.
func TestAutobahn_4(t *testing.T) {
	for i, op := range []Opcode{3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf} {
		id := fmt.Sprintf("4.%d.%d", 1+i/5, 1+i%5)
		t.Run(id, func(t *testing.T) {
			for _, p := range [][]byte{{0x80 | byte(op)}, {0x80 | byte(op), 0x85, 1, 2, 3, 4}} {
				_, n, err := ParseHeader(p, RSV1)
				require.ErrorIs(t, err, ErrReservedOpcode)
				require.Zero(t, n)
			}
			require.Equal(t, op >= 8, op.IsControl())
			require.Equal(t, "opcode "+fmt.Sprintf("%X", int(op)), op.String())
		})
	}
}

// TestAutobahn_2_5 covers Autobahn 2.5 (a ping of 126 bytes) and the
// header's side of 7.3.6 (a close frame of 126 bytes): control frames
// longer than 125 bytes are refused as soon as the length byte arrives.
func TestAutobahn_2_5(t *testing.T) {
	for _, op := range []Opcode{Ping, Pong, Close} {
		for _, p := range [][]byte{
			{0x80 | byte(op), 126},
			{0x80 | byte(op), 126, 0, 126},
			{0x80 | byte(op), 127},
			{0x80 | byte(op), 0x80 | 126, 0, 200, 1, 2, 3, 4},
		} {
			_, _, err := parseWhole(t, p, 0)
			require.ErrorIs(t, err, ErrControlLength, "% x", p)
		}
		h, n, err := parseWhole(t, []byte{0x80 | byte(op), 125}, 0)
		require.NoError(t, err, "Autobahn 2.4: a control frame of 125 bytes")
		require.Equal(t, 2, n)
		require.EqualValues(t, 125, h.Length)
	}
}

// TestHeaderLengthEncoding checks the refusal of lengths not in their
// shortest form, and of 64-bit lengths with the top bit set (seen as
// soon as the first byte of the length arrives).
func TestHeaderLengthEncoding(t *testing.T) {
	u64 := func(n uint64) []byte { return binary.BigEndian.AppendUint64([]byte{0x82, 127}, n) }
	for _, c := range []struct {
		p   []byte
		err error
	}{
		{[]byte{0x82, 126, 0, 0}, ErrLengthEncoding},
		{[]byte{0x82, 126, 0, 125}, ErrLengthEncoding},
		{[]byte{0x82, 126, 0, 126}, nil},
		{u64(0), ErrLengthEncoding},
		{u64(125), ErrLengthEncoding},
		{u64(0xffff), ErrLengthEncoding},
		{u64(0x10000), nil},
		{u64(1<<63 - 1), nil},
		{u64(1 << 63), ErrLengthOverflow},
		{u64(^uint64(0)), ErrLengthOverflow},
		{[]byte{0x82, 127, 0x80}, ErrLengthOverflow},
	} {
		h, _, err := parseWhole(t, c.p, 0)
		if c.err == nil {
			require.NoError(t, err, "% x", c.p)
			require.Positive(t, h.Length)
			continue
		}
		require.ErrorIs(t, err, c.err, "% x", c.p)
	}
}

// TestAutobahn_5 covers the order of frames in Autobahn 5.1 to 5.20
// (fragmentation): what ParseHeader and CheckSequence see of each case,
// frame by frame. A case fails at the frame given, or is valid (-1).
func TestAutobahn_5(t *testing.T) {
	type frame struct {
		op  Opcode
		fin bool
	}
	text := []frame{{Text, false}, {Continuation, true}}
	var (
		contFin   = frame{Continuation, true}
		contNoFin = frame{Continuation, false}
		whole     = frame{Text, true}
		ping      = frame{Ping, true}
	)
	cat := func(parts ...[]frame) []frame {
		var all []frame
		for _, p := range parts {
			all = append(all, p...)
		}
		return all
	}
	for _, c := range []struct {
		ids    string
		frames []frame
		fails  int // the frame refused, or -1
		err    error
	}{
		{"5.1", []frame{{Ping, false}, {Continuation, true}}, 0, ErrControlFragmented},
		{"5.2", []frame{{Pong, false}, {Continuation, true}}, 0, ErrControlFragmented},
		{"5.3-5.5", text, -1, nil},
		{"5.6-5.8", []frame{{Text, false}, ping, {Continuation, true}}, -1, nil},
		{"5.9-5.11", []frame{contFin, whole}, 0, ErrContinuation},
		{"5.12-5.14", []frame{contNoFin, whole}, 0, ErrContinuation},
		{"5.15", cat(text, []frame{contNoFin, whole}), 2, ErrContinuation},
		{"5.16", cat([]frame{contNoFin}, text, []frame{contNoFin}, text), 0, ErrContinuation},
		{"5.17", cat([]frame{contFin}, text, []frame{contFin}, text), 0, ErrContinuation},
		{"5.18", []frame{{Text, false}, {Text, true}}, 1, ErrUnfinished},
		{"5.19-5.20", []frame{{Text, false}, contNoFin, ping, contNoFin, contNoFin, ping, contFin}, -1, nil},
		{"binary after text", []frame{{Text, false}, {Binary, true}}, 1, ErrUnfinished},
		{"close within", []frame{{Binary, false}, {Close, true}, contFin}, -1, nil},
	} {
		t.Run(c.ids, func(t *testing.T) {
			fragmented := false
			for i, f := range c.frames {
				p := AppendHeader(nil, f.fin, false, f.op, 1, &[4]byte{1, 2, 3, 4})
				h, _, err := ParseHeader(p, 0)
				if err == nil {
					require.NoError(t, h.CheckMasking(true))
					err = h.CheckSequence(fragmented)
				}
				if i == c.fails {
					require.ErrorIs(t, err, c.err, "frame %d", i)
					return
				}
				require.NoError(t, err, "frame %d", i)
				if !h.Opcode.IsControl() {
					fragmented = !h.Fin
				}
			}
			require.Equal(t, -1, c.fails, "the case is valid")
			require.False(t, fragmented, "the message ended")
		})
	}
}

func TestCheckMasking(t *testing.T) {
	masked := Header{Fin: true, Opcode: Text, Masked: true}
	unmasked := Header{Fin: true, Opcode: Text}
	require.NoError(t, masked.CheckMasking(true))
	require.ErrorIs(t, unmasked.CheckMasking(true), ErrUnmasked)
	require.NoError(t, unmasked.CheckMasking(false))
	require.ErrorIs(t, masked.CheckMasking(false), ErrMasked)
}

func TestOpcode(t *testing.T) {
	for op, name := range map[Opcode]string{
		Continuation: "continuation", Text: "text", Binary: "binary",
		Close: "close", Ping: "ping", Pong: "pong",
	} {
		require.Equal(t, name, op.String())
		require.True(t, op.defined())
		require.Equal(t, op >= Close, op.IsControl(), name)
	}
}

func TestHeaderAllocs(t *testing.T) {
	dst := make([]byte, 0, MaxHeaderLen)
	frame := AppendHeader(nil, true, false, Binary, 70000, &[4]byte{1, 2, 3, 4})
	mask := [4]byte{5, 6, 7, 8}
	require.Zero(t, testing.AllocsPerRun(100, func() {
		dst = AppendHeader(dst[:0], true, true, Text, 300, &mask)
	}))
	require.Zero(t, testing.AllocsPerRun(100, func() {
		if _, n, err := ParseHeader(frame, 0); n == 0 || err != nil {
			t.Fatal(n, err)
		}
	}))
}

// fuzzHeaderSeeds are the edge cases of the header: each length encoding,
// each refusal, the RFC's examples.
var fuzzHeaderSeeds = []string{
	"",
	"\x81",
	"\x81\x05Hello",
	"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58",
	"\x01\x03Hel",
	"\x80\x02lo",
	"\x89\x00",
	"\x8a\xfd\x01\x02\x03\x04",
	"\x88\x7e\x00\x7e",
	"\x09\x00",
	"\x83\x00",
	"\x8b\x00",
	"\xc1\x00",
	"\xc0\x00",
	"\xf2\x00",
	"\x82\x7e\x00\x7d",
	"\x82\x7e\x01\x00",
	"\x82\xfe\xff\xff\x01\x02\x03\x04",
	"\x82\x7f\x00\x00\x00\x00\x00\x00\xff\xff",
	"\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00",
	"\x82\xff\x7f\xff\xff\xff\xff\xff\xff\xff\x01\x02\x03\x04",
	"\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x00",
}

// FuzzParseHeader parses any bytes as a frame header, with and without
// RSV1 allowed, and checks what must hold: no panic; a length within 2 to
// MaxHeaderLen and the input; an error or an incomplete header with no
// length; a header that obeys the rules it accepted; the input unmodified;
// and an accepted header is the one AppendHeader writes for its fields
// (every header has one encoding), with every shorter prefix incomplete.
func FuzzParseHeader(f *testing.F) {
	for _, s := range fuzzHeaderSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		in := bytes.Clone(p)
		for _, allowed := range []uint8{0, RSV1} {
			h, n, err := ParseHeader(p, allowed)
			require.Equal(t, in, p, "the input is read only")
			if err != nil || n == 0 {
				require.Zero(t, n)
				if err != nil {
					require.NotZero(t, CloseCodeOf(err))
					_, ok := err.(*Error)
					require.True(t, ok, "an error is an *Error: %v", err)
				}
				continue
			}
			require.True(t, n >= 2 && n <= MaxHeaderLen && n <= len(p), "n = %d of %d bytes", n, len(p))
			require.True(t, h.Opcode.defined())
			require.Zero(t, h.RSV&^allowed)
			require.GreaterOrEqual(t, h.Length, int64(0))
			if h.Opcode.IsControl() {
				require.True(t, h.Fin)
				require.LessOrEqual(t, h.Length, int64(MaxControlPayload))
			}
			if h.RSV != 0 {
				require.True(t, h.Opcode == Text || h.Opcode == Binary)
			}
			again := AppendHeader(nil, h.Fin, h.RSV != 0, h.Opcode, int(h.Length), maskOf(h))
			require.Equal(t, p[:n], again, "the header AppendHeader writes for %+v", h)
			for k := range n {
				_, m, err := ParseHeader(p[:k], allowed)
				require.Zero(t, m)
				require.NoError(t, err)
			}
		}
	})
}
