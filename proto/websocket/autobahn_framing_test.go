package websocket

import (
	"bytes"
	"fmt"
	"testing"
)

// The connection's conformance, Autobahn|Testsuite sections 1 to 4: each
// case is a subtest named by its case id, driven by the raw client
// against the echo server.

// TestConnAutobahn_1 (framing): text (1.1.x) and binary (1.2.x) messages
// of 0, 125, 126, 127, 128, 65535 and 65536 bytes, echoed; 1.x.8, 65536
// bytes written in chops of 997; and 1.x.9 (ours), 128 bytes written a
// byte at a time.
func TestConnAutobahn_1(t *testing.T) {
	e := newEcho()
	s := startServer(t, e)
	sizes := []int{0, 125, 126, 127, 128, 65535, 65536}
	for section, op := range []Opcode{Text, Binary} {
		fill := byte('*')
		if op == Binary {
			fill = 0xfe
		}
		run := func(id string, n, chop int) {
			t.Run(id, func(t *testing.T) {
				rc := s.upgrade(t, "")
				msg := bytes.Repeat([]byte{fill}, n)
				rc.sendChopped(rc.frame(true, 0, op, msg), chop)
				rc.expectMessage(op, msg)
				rc.closeHandshake(CloseNormal)
				e.wantClosed(t, CloseNormal, nil)
			})
		}
		for i, n := range sizes {
			run(fmt.Sprintf("1.%d.%d", section+1, i+1), n, 1<<30)
		}
		run(fmt.Sprintf("1.%d.8", section+1), 65536, 997)
		run(fmt.Sprintf("1.%d.9", section+1), 128, 1)
	}
}

// TestConnAutobahn_2 (pings and pongs): pings are answered with their
// payload, a 126-byte ping fails the connection, unsolicited pongs are
// ignored.
func TestConnAutobahn_2(t *testing.T) {
	e := newEcho()
	s := startServer(t, e)
	binaryPayload := []byte{0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff}
	pingPong := func(id string, payload []byte, chop int) {
		t.Run(id, func(t *testing.T) {
			rc := s.upgrade(t, "")
			rc.sendChopped(rc.frame(true, 0, Ping, payload), chop)
			rc.expectMessage(Pong, payload)
			rc.closeHandshake(CloseNormal)
			e.wantClosed(t, CloseNormal, nil)
		})
	}
	pingPong("2.1", nil, 1<<30)
	pingPong("2.2", []byte("Hello, world!"), 1<<30)
	pingPong("2.3", binaryPayload, 1<<30)
	pingPong("2.4", bytes.Repeat([]byte{0xfe}, 125), 1<<30)
	t.Run("2.5", func(t *testing.T) {
		rc := s.upgrade(t, "")
		rc.write(rc.frame(true, 0, Ping, bytes.Repeat([]byte{0xfe}, 126)))
		rc.expectClose(CloseProtocolError)
		e.wantClosed(t, CloseProtocolError, ErrControlLength)
	})
	pingPong("2.6", bytes.Repeat([]byte{0xfe}, 125), 1)
	unsolicited := func(id string, payload []byte) {
		t.Run(id, func(t *testing.T) {
			rc := s.upgrade(t, "")
			rc.send(true, Pong, payload)
			rc.closeHandshake(CloseNormal) // the close is the first thing the server sends
			e.wantClosed(t, CloseNormal, nil)
		})
	}
	unsolicited("2.7", nil)
	unsolicited("2.8", []byte("unsolicited pong payload"))
	t.Run("2.9", func(t *testing.T) {
		rc := s.upgrade(t, "")
		rc.send(true, Pong, []byte("unsolicited pong payload"))
		rc.send(true, Ping, []byte("ping payload"))
		rc.expectMessage(Pong, []byte("ping payload"))
		rc.closeHandshake(CloseNormal)
		e.wantClosed(t, CloseNormal, nil)
	})
	for id, chop := range map[string]int{"2.10": 1 << 30, "2.11": 1} {
		t.Run(id, func(t *testing.T) {
			rc := s.upgrade(t, "")
			var all []byte
			for i := range 10 {
				all = append(all, rc.frame(true, 0, Ping, fmt.Appendf(nil, "payload-%d", i))...)
			}
			rc.sendChopped(all, chop)
			for i := range 10 {
				rc.expectMessage(Pong, fmt.Appendf(nil, "payload-%d", i))
			}
			rc.closeHandshake(CloseNormal)
			e.wantClosed(t, CloseNormal, nil)
		})
	}
}

// TestConnAutobahn_3 (reserved bits): a frame with an RSV bit set, no
// extension being negotiated, fails the connection with 1002; what came
// before it is echoed, what comes after it is not answered. 3.1 to 3.7
// set the RSV values 1 to 7 (RSV1 is 4), on text, binary, ping and close
// frames, written at once, frame by frame, or a byte at a time.
func TestConnAutobahn_3(t *testing.T) {
	e := newEcho()
	s := startServer(t, e)
	hello := []byte("Hello, world!")
	cases := []struct {
		id      string
		rsv     uint8
		op      Opcode
		payload []byte
		before  bool // a valid text message first, echoed
		chop    int
	}{
		{"3.1", 1, Text, hello, false, 1 << 30},
		{"3.2", 2, Text, hello, true, 1 << 30},
		{"3.3", 3, Text, hello, true, 0}, // frame by frame
		{"3.4", 4, Text, hello, true, 1},
		{"3.5", 5, Binary, []byte{0xff, 0xfe, 0xfd}, false, 1 << 30},
		{"3.6", 6, Ping, hello, false, 1 << 30},
		{"3.7", 7, Close, AppendClose(nil, CloseNormal, ""), false, 1 << 30},
	}
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			rc := s.upgrade(t, "")
			frames := [][]byte{rc.frame(true, tc.rsv, tc.op, tc.payload), rc.frame(true, 0, Ping, nil)}
			if tc.before {
				frames = append([][]byte{rc.frame(true, 0, Text, hello)}, frames...)
			}
			for _, f := range frames {
				if tc.chop > 0 {
					rc.sendChopped(f, tc.chop)
				} else {
					rc.write(f)
				}
			}
			if tc.before {
				rc.expectMessage(Text, hello)
			}
			rc.expectClose(CloseProtocolError)
			e.wantClosed(t, CloseProtocolError, ErrReservedBits)
		})
	}
}

// TestConnAutobahn_4 (opcodes): a reserved opcode, data (3 to 7) or
// control (0xB to 0xF), with or without a payload, fails the connection
// with 1002; a text message before it is echoed, the ping after it not
// answered.
func TestConnAutobahn_4(t *testing.T) {
	e := newEcho()
	s := startServer(t, e)
	for i, op := range []Opcode{3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF} {
		id := fmt.Sprintf("4.%d.%d", i/5+1, i%5+1)
		t.Run(id, func(t *testing.T) {
			rc := s.upgrade(t, "")
			before := i%5 >= 2 // 4.x.3 to 4.x.5 send a text message first
			var payload []byte
			if i%5 != 0 && i%5 != 2 {
				payload = []byte("reserved opcode payload")
			}
			if before {
				rc.send(true, Text, []byte("Hello, world!"))
			}
			rc.write(append(rc.frame(true, 0, op, payload), rc.frame(true, 0, Ping, nil)...))
			if before {
				rc.expectMessage(Text, []byte("Hello, world!"))
			}
			rc.expectClose(CloseProtocolError)
			e.wantClosed(t, CloseProtocolError, ErrReservedOpcode)
		})
	}
}
