package websocket

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/goreactor/reactor/reactor"
)

// TestConnAutobahn_9 (limits and performance), scaled to this server's
// maximum message, 4 MiB here: text (9.1.x) and binary (9.2.x) messages of
// 64 KiB to 4 MiB in one frame; 1 MiB in fragments of 64 B to 1 MiB
// (9.3.x, 9.4.x); 1 MiB in one frame written in chops of 64 B to 2 KiB
// (9.5.x, 9.6.x); and 1,000 messages of 0 B to 4 KiB, each waiting for its
// echo (9.7.x, 9.8.x). Autobahn goes to 16 MiB; the loops and the buffers
// are the same.
func TestConnAutobahn_9(t *testing.T) {
	const max = 4 << 20
	e := newEcho()
	s := startServerWith(t, e, serverSetup{
		opts:     []Option{WithMaxMessage(max)},
		loopOpts: []reactor.Option{reactor.WithMaxOutput(2 * max)},
	})
	payload := func(op Opcode, n int) []byte {
		p := bytes.Repeat([]byte("*"), n)
		if op == Binary {
			for i := range p {
				p[i] = byte(i)
			}
		}
		return p
	}
	for k, op := range []Opcode{Text, Binary} {
		for i, n := range []int{64 << 10, 256 << 10, 1 << 20, 4 << 20} {
			t.Run(fmt.Sprintf("9.%d.%d", k+1, i+1), func(t *testing.T) {
				rc := s.upgrade(t, "")
				msg := payload(op, n)
				rc.send(true, op, msg)
				rc.expectMessage(op, msg)
				rc.closeHandshake(CloseNormal)
				e.wantClosed(t, CloseNormal, nil)
			})
		}
		for i, size := range []int{64, 256, 1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20} {
			t.Run(fmt.Sprintf("9.%d.%d", k+3, i+1), func(t *testing.T) {
				rc := s.upgrade(t, "")
				msg := payload(op, 1<<20)
				var all []byte
				for off := 0; off < len(msg); off += size {
					first := Continuation
					if off == 0 {
						first = op
					}
					all = append(all, rc.frame(off+size >= len(msg), 0, first, msg[off:min(off+size, len(msg))])...)
				}
				rc.write(all)
				rc.expectMessage(op, msg)
				rc.closeHandshake(CloseNormal)
				e.wantClosed(t, CloseNormal, nil)
			})
		}
		for i, chop := range []int{64, 128, 256, 512, 1024, 2048} {
			t.Run(fmt.Sprintf("9.%d.%d", k+5, i+1), func(t *testing.T) {
				rc := s.upgrade(t, "")
				msg := payload(op, 1<<20)
				rc.sendChopped(rc.frame(true, 0, op, msg), chop)
				rc.expectMessage(op, msg)
				rc.closeHandshake(CloseNormal)
				e.wantClosed(t, CloseNormal, nil)
			})
		}
		for i, n := range []int{0, 16, 64, 256, 1 << 10, 4 << 10} {
			t.Run(fmt.Sprintf("9.%d.%d", k+7, i+1), func(t *testing.T) {
				rc := s.upgrade(t, "")
				msg := payload(op, n)
				f := rc.frame(true, 0, op, msg)
				for range 1000 {
					rc.write(f)
					rc.expectMessage(op, msg)
				}
				rc.closeHandshake(CloseNormal)
				e.wantClosed(t, CloseNormal, nil)
			})
		}
	}
}

// TestConnMaxMessage: a message past the maximum is refused with 1009 at
// the header that takes it past, before its payload is sent: one frame
// longer than the maximum, fragments adding up to more, a streamed frame;
// a length with its top bit set is a protocol error (1002); a message at
// the maximum passes. (A compressed message past it is
// TestConnDeflateErrors'.)
func TestConnMaxMessage(t *testing.T) {
	const max = 100 << 10
	e := newEcho()
	s := startServer(t, e, WithMaxMessage(max))
	// header returns a masked frame's header for a payload of n bytes, in
	// the shortest form.
	header := func(op Opcode, fin bool, n uint64) []byte {
		if n <= 0xffff {
			return AppendHeader(nil, fin, false, op, int(n), &[4]byte{1, 2, 3, 4})
		}
		b0 := byte(op)
		if fin {
			b0 |= 0x80
		}
		h := binary.BigEndian.AppendUint64([]byte{b0, 0x80 | 127}, n)
		return append(h, 1, 2, 3, 4)
	}
	t.Run("at the maximum", func(t *testing.T) {
		rc := s.upgrade(t, "")
		msg := bytes.Repeat([]byte("a"), max)
		rc.send(true, Binary, msg)
		rc.expectMessage(Binary, msg)
		rc.closeHandshake(CloseNormal)
		e.wantClosed(t, CloseNormal, nil)
	})
	for name, hdr := range map[string][]byte{
		"one byte over": header(Binary, true, max+1),
		"2^63 - 1":      header(Text, true, 1<<63-1),
	} {
		t.Run(name, func(t *testing.T) {
			rc := s.upgrade(t, "")
			rc.write(hdr) // the header alone: no payload follows
			rc.expectClose(CloseMessageTooBig)
			e.wantClosed(t, CloseMessageTooBig, ErrMessageTooBig)
		})
	}
	t.Run("top bit set", func(t *testing.T) {
		rc := s.upgrade(t, "")
		rc.write(header(Binary, true, 1<<63)[:3]) // refused at the length's first byte
		rc.expectClose(CloseProtocolError)
		e.wantClosed(t, CloseProtocolError, ErrLengthOverflow)
	})
	t.Run("fragments past the maximum", func(t *testing.T) {
		rc := s.upgrade(t, "")
		rc.send(false, Binary, bytes.Repeat([]byte("a"), max-10))
		rc.write(header(Continuation, true, 11))
		rc.expectClose(CloseMessageTooBig)
		e.wantClosed(t, CloseMessageTooBig, ErrMessageTooBig)
	})
	t.Run("streamed then too big", func(t *testing.T) {
		rc := s.upgrade(t, "")
		f := rc.frame(false, 0, Text, bytes.Repeat([]byte("a"), max-1000))
		rc.write(f[:len(f)/2]) // streamed: larger than a frame that waits in the input
		rc.write(f[len(f)/2:])
		rc.write(header(Continuation, true, 1001))
		rc.expectClose(CloseMessageTooBig)
		e.wantClosed(t, CloseMessageTooBig, ErrMessageTooBig)
	})
}

// TestConnSmallInput: a loop whose input holds less than a frame that
// would wait there (reactor.WithMaxInput) streams it instead.
func TestConnSmallInput(t *testing.T) {
	e := newEcho()
	s := startServerWith(t, e, serverSetup{loopOpts: []reactor.Option{reactor.WithMaxInput(4 << 10), reactor.WithReadBufferSize(1 << 10)}})
	for _, n := range []int{3 << 10, 5 << 10, 30 << 10} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			rc := s.upgrade(t, "")
			msg := bytes.Repeat([]byte("é"), n/2)
			rc.sendChopped(rc.frame(true, 0, Text, msg), 700)
			rc.expectMessage(Text, msg)
			rc.closeHandshake(CloseNormal)
			e.wantClosed(t, CloseNormal, nil)
		})
	}
}
