package websocket

import (
	"fmt"
	"strings"
	"testing"
)

// Autobahn sections 5 (fragmentation) and 6 (UTF-8) against the echo
// server.

// step is one write of the raw client: a frame.
type step struct {
	fin     bool
	op      Opcode
	payload string
}

// sendSteps writes frames: all in one write (chop 0), one write per frame
// (chop -1), or in writes of chop bytes.
func (rc *rawClient) sendSteps(steps []step, chop int) {
	rc.t.Helper()
	var all []byte
	for _, s := range steps {
		f := rc.frame(s.fin, 0, s.op, []byte(s.payload))
		if chop == -1 {
			rc.write(f)
		}
		all = append(all, f...)
	}
	switch {
	case chop == 0:
		rc.write(all)
	case chop > 0:
		rc.sendChopped(all, chop)
	}
}

// TestConnAutobahn_5 (fragmentation): fragmented messages are gathered
// and echoed whole, with control frames answered between their
// fragments; fragmented control frames and continuations out of place
// fail the connection with 1002.
func TestConnAutobahn_5(t *testing.T) {
	e := newEcho()
	s := startServer(t, e)
	const once, perFrame, perByte = 0, -1, 1
	frag := func(fin bool, op Opcode, p string) step { return step{fin, op, p} }
	twoFragments := []step{frag(false, Text, "fragment1"), frag(true, Continuation, "fragment2")}
	withPing := []step{frag(false, Text, "fragment1"), frag(true, Ping, ""), frag(true, Continuation, "fragment2")}
	fin1 := []step{frag(true, Continuation, "fragment1"), frag(true, Text, "fragment2")}
	fin0 := []step{frag(false, Continuation, "fragment1"), frag(true, Text, "fragment2")}
	repeat := func(steps []step) []step { return append(append([]step(nil), steps...), steps...) }
	cases := []struct {
		id     string
		steps  []step
		chop   int
		answer []step // what the server sends back before closing: messages, pongs
		code   uint16 // its close code: 1002, or 0 for a close handshake of ours
		err    error
	}{
		{"5.1", []step{frag(false, Ping, "fragment1"), frag(true, Continuation, "fragment2")}, once, nil, CloseProtocolError, ErrControlFragmented},
		{"5.2", []step{frag(false, Pong, "fragment1"), frag(true, Continuation, "fragment2")}, once, nil, CloseProtocolError, ErrControlFragmented},
		{"5.3", twoFragments, once, []step{{true, Text, "fragment1fragment2"}}, 0, nil},
		{"5.4", twoFragments, perByte, []step{{true, Text, "fragment1fragment2"}}, 0, nil},
		{"5.5", twoFragments, perFrame, []step{{true, Text, "fragment1fragment2"}}, 0, nil},
		{"5.6", withPing, once, []step{{true, Pong, ""}, {true, Text, "fragment1fragment2"}}, 0, nil},
		{"5.7", withPing, perByte, []step{{true, Pong, ""}, {true, Text, "fragment1fragment2"}}, 0, nil},
		{"5.8", withPing, perFrame, []step{{true, Pong, ""}, {true, Text, "fragment1fragment2"}}, 0, nil},
		{"5.9", fin1, once, nil, CloseProtocolError, ErrContinuation},
		{"5.10", fin1, perFrame, nil, CloseProtocolError, ErrContinuation},
		{"5.11", fin1, perByte, nil, CloseProtocolError, ErrContinuation},
		{"5.12", fin0, once, nil, CloseProtocolError, ErrContinuation},
		{"5.13", fin0, perFrame, nil, CloseProtocolError, ErrContinuation},
		{"5.14", fin0, perByte, nil, CloseProtocolError, ErrContinuation},
		{"5.15", []step{frag(false, Text, "fragment1"), frag(true, Continuation, "fragment2"),
			frag(false, Continuation, "fragment3"), frag(true, Text, "fragment4")}, once,
			[]step{{true, Text, "fragment1fragment2"}}, CloseProtocolError, ErrContinuation},
		{"5.16", repeat([]step{frag(false, Continuation, "fragment1"), frag(false, Text, "fragment2"), frag(true, Continuation, "fragment3")}),
			once, nil, CloseProtocolError, ErrContinuation},
		{"5.17", repeat([]step{frag(true, Continuation, "fragment1"), frag(false, Text, "fragment2"), frag(true, Continuation, "fragment3")}),
			once, nil, CloseProtocolError, ErrContinuation},
		{"5.18", []step{frag(false, Text, "fragment1"), frag(true, Text, "fragment2")}, once, nil, CloseProtocolError, ErrUnfinished},
	}
	fivePings := []step{frag(false, Text, "fragment1"), frag(true, Ping, "pongme 1!"), frag(false, Continuation, "fragment2"),
		frag(true, Ping, "pongme 2!"), frag(false, Continuation, "fragment3"), frag(true, Ping, "pongme 3!"),
		frag(false, Continuation, "fragment4"), frag(true, Ping, "pongme 4!"), frag(false, Continuation, "fragment5"),
		frag(true, Ping, "pongme 5!"), frag(true, Continuation, "fragment6")}
	fiveAnswers := []step{{true, Pong, "pongme 1!"}, {true, Pong, "pongme 2!"}, {true, Pong, "pongme 3!"},
		{true, Pong, "pongme 4!"}, {true, Pong, "pongme 5!"}, {true, Text, "fragment1fragment2fragment3fragment4fragment5fragment6"}}
	cases = append(cases,
		struct {
			id     string
			steps  []step
			chop   int
			answer []step
			code   uint16
			err    error
		}{"5.19", fivePings, perFrame, fiveAnswers, 0, nil},
		struct {
			id     string
			steps  []step
			chop   int
			answer []step
			code   uint16
			err    error
		}{"5.20", fivePings, perByte, fiveAnswers, 0, nil})
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			rc := s.upgrade(t, "")
			rc.sendSteps(tc.steps, tc.chop)
			for _, a := range tc.answer {
				rc.expectMessage(a.op, []byte(a.payload))
			}
			if tc.code == 0 {
				rc.closeHandshake(CloseNormal)
				e.wantClosed(t, CloseNormal, nil)
				return
			}
			rc.expectClose(tc.code)
			e.wantClosed(t, tc.code, tc.err)
		})
	}
}

// TestConnAutobahn_6 (UTF-8): text messages, valid or not, whole or
// fragmented (6.1.x to 6.3.x, each of the vectors of 6.5.1 to 6.23.7
// whole and a byte per fragment); invalid text fails with 1007, as soon as
// the fragment or the chunk of a frame that breaks it arrives (6.4.x).
func TestConnAutobahn_6(t *testing.T) {
	e := newEcho()
	s := startServer(t, e)
	valid := func(t *testing.T, rc *rawClient, msg string) {
		rc.expectMessage(Text, []byte(msg))
		rc.closeHandshake(CloseNormal)
		e.wantClosed(t, CloseNormal, nil)
	}
	invalid := func(t *testing.T, rc *rawClient) {
		rc.expectClose(CloseInvalidPayload)
		e.wantClosed(t, CloseInvalidPayload, ErrInvalidUTF8)
	}
	bytewise := func(msg string) []step {
		if msg == "" {
			return []step{{true, Text, ""}}
		}
		var steps []step
		for i := range len(msg) {
			op := Continuation
			if i == 0 {
				op = Text
			}
			steps = append(steps, step{i == len(msg)-1, op, msg[i : i+1]})
		}
		return steps
	}
	t.Run("6.1.2", func(t *testing.T) {
		rc := s.upgrade(t, "")
		rc.sendSteps([]step{{false, Text, ""}, {false, Continuation, ""}, {true, Continuation, ""}}, 0)
		valid(t, rc, "")
	})
	t.Run("6.1.3", func(t *testing.T) {
		rc := s.upgrade(t, "")
		rc.sendSteps([]step{{false, Text, ""}, {false, Continuation, "middle frame payload"}, {true, Continuation, ""}}, 0)
		valid(t, rc, "middle frame payload")
	})
	t.Run("6.2.2", func(t *testing.T) {
		rc := s.upgrade(t, "")
		msg := "Hello-µ@ßöäüàá-UTF-8!!"
		cut := strings.Index(msg, "ß") + 1 // inside the character
		rc.sendSteps([]step{{false, Text, msg[:cut]}, {true, Continuation, msg[cut:]}}, 0)
		valid(t, rc, msg)
	})
	for id, msg := range map[string]string{"6.2.3": "Hello-µ@ßöäüàá-UTF-8!!", "6.2.4 fragmented": kosme} {
		t.Run(id, func(t *testing.T) {
			rc := s.upgrade(t, "")
			rc.sendSteps(bytewise(msg), 0)
			valid(t, rc, msg)
		})
	}
	t.Run("6.3.2", func(t *testing.T) {
		rc := s.upgrade(t, "")
		rc.sendSteps(bytewise(kosme+"\xed\xa0\x80"+"edited"), -1)
		invalid(t, rc)
	})
	// 6.4.1 and 6.4.2: fragments; the close comes before the third is
	// sent. 6.4.3 and 6.4.4: one frame in chunks; likewise.
	t.Run("6.4.1", func(t *testing.T) {
		rc := s.upgrade(t, "")
		rc.sendSteps([]step{{false, Text, kosme}, {false, Continuation, "\xf4\x90\x80\x80"}}, -1)
		invalid(t, rc)
	})
	t.Run("6.4.2", func(t *testing.T) {
		rc := s.upgrade(t, "")
		rc.sendSteps([]step{{false, Text, kosme + "\xf4"}, {false, Continuation, "\x90"}}, -1)
		invalid(t, rc)
	})
	for id, chunks := range map[string][]string{"6.4.3": {kosme, "\xf4\x90\x80\x80"}, "6.4.4": {kosme, "\xf4", "\x90"}} {
		t.Run(id, func(t *testing.T) {
			rc := s.upgrade(t, "")
			whole := kosme + "\xf4\x90\x80\x80" + "edited"
			f := rc.frame(true, 0, Text, []byte(whole))
			sent := len(f) - len(whole)
			for _, c := range chunks {
				sent += len(c)
				rc.write(f[:sent])
				f = f[sent:]
				sent = 0
			}
			invalid(t, rc)
		})
	}
	for _, v := range append(autobahn6, generatedVectors()...) {
		for _, fragmented := range []bool{false, true} {
			name := v.id
			if fragmented {
				name += " fragmented"
			}
			t.Run(name, func(t *testing.T) {
				rc := s.upgrade(t, "")
				if fragmented {
					rc.sendSteps(bytewise(v.msg), 0)
				} else {
					rc.send(true, Text, []byte(v.msg))
				}
				if v.valid {
					valid(t, rc, v.msg)
				} else {
					invalid(t, rc)
				}
			})
		}
	}
}

// TestConnUTF8FailsAtTheByte: a text frame waiting in the input is
// checked as its bytes arrive, so an invalid byte fails the connection
// at once, before the rest of the frame (which would be valid) arrives.
func TestConnUTF8FailsAtTheByte(t *testing.T) {
	e := newEcho()
	s := startServer(t, e)
	for _, n := range []int{100, 60000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			rc := s.upgrade(t, "")
			msg := strings.Repeat("a", n/2) + "\xc0" + strings.Repeat("a", n/2)
			f := rc.frame(true, 0, Text, []byte(msg))
			rc.write(f[:len(f)-n/2])
			invalid := func() { rc.expectClose(CloseInvalidPayload) }
			invalid()
			e.wantClosed(t, CloseInvalidPayload, ErrInvalidUTF8)
		})
	}
}
