package websocket

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestConnAutobahn_7 (closing): the server answers a close frame with
// the peer's code and then ends the TCP connection, handles nothing that
// follows the close frame, and fails the connection for a close frame it
// cannot take: one byte of payload, a reason too long or not UTF-8, a
// code that may not be sent.
func TestConnAutobahn_7(t *testing.T) {
	e := newEcho()
	s := startServer(t, e)
	closeFrame := func(rc *rawClient, code uint16, reason string) []byte {
		return rc.frame(true, 0, Close, AppendClose(nil, code, reason))
	}
	t.Run("7.1.1", func(t *testing.T) {
		rc := s.upgrade(t, "")
		rc.write(append(rc.frame(true, 0, Text, []byte("Hello World!")), closeFrame(rc, CloseNormal, "")...))
		rc.expectMessage(Text, []byte("Hello World!"))
		rc.expectClose(CloseNormal)
		e.wantClosed(t, CloseNormal, nil)
	})
	for _, tc := range []struct {
		id    string
		after []byte
	}{
		{"7.1.2", AppendClose(nil, CloseNormal, "")},
		{"7.1.3", nil}, // a ping
		{"7.1.4", []byte("text")},
	} {
		t.Run(tc.id, func(t *testing.T) {
			rc := s.upgrade(t, "")
			next := rc.frame(true, 0, Ping, nil)
			switch tc.id {
			case "7.1.2":
				next = rc.frame(true, 0, Close, tc.after)
			case "7.1.4":
				next = rc.frame(true, 0, Text, tc.after)
			}
			rc.write(append(closeFrame(rc, CloseNormal, ""), next...))
			rc.expectClose(CloseNormal) // and nothing after it
			e.wantClosed(t, CloseNormal, nil)
		})
	}
	t.Run("7.1.5", func(t *testing.T) {
		rc := s.upgrade(t, "")
		rc.write(rc.frame(false, 0, Text, []byte("fragment1")))
		rc.write(closeFrame(rc, CloseNormal, ""))
		rc.write(rc.frame(true, 0, Continuation, []byte("fragment2")))
		rc.expectClose(CloseNormal)
		e.wantClosed(t, CloseNormal, nil)
	})
	t.Run("7.1.6", func(t *testing.T) {
		rc := s.upgrade(t, "")
		big := bytes.Repeat([]byte("BAsd7&jh23"), 256<<10/10)
		all := append(rc.frame(true, 0, Text, big), closeFrame(rc, CloseNormal, "")...)
		rc.write(append(all, rc.frame(true, 0, Ping, nil)...))
		rc.expectMessage(Text, big)
		rc.expectClose(CloseNormal)
		e.wantClosed(t, CloseNormal, nil)
	})
	t.Run("7.3.1", func(t *testing.T) {
		rc := s.upgrade(t, "")
		rc.send(true, Close, nil)
		f := rc.read()
		if f.op != Close || len(f.payload) != 0 {
			t.Fatalf("answer %v %q, want an empty close frame", f.op, f.payload)
		}
		rc.expectEOF()
		e.wantClosed(t, CloseNoStatus, nil)
	})
	t.Run("7.3.2", func(t *testing.T) {
		rc := s.upgrade(t, "")
		rc.send(true, Close, []byte{0x03})
		rc.expectClose(CloseProtocolError)
		e.wantClosed(t, CloseProtocolError, ErrCloseLength)
	})
	for id, reason := range map[string]string{"7.3.3": "", "7.3.4": "Hello World!", "7.3.5": strings.Repeat("*", 123)} {
		t.Run(id, func(t *testing.T) {
			rc := s.upgrade(t, "")
			rc.write(closeFrame(rc, CloseNormal, reason))
			rc.expectClose(CloseNormal)
			e.wantClosed(t, CloseNormal, nil)
		})
	}
	t.Run("7.3.6", func(t *testing.T) {
		rc := s.upgrade(t, "")
		payload := append(AppendClose(nil, CloseNormal, ""), strings.Repeat("*", 124)...)
		rc.write(rc.frame(true, 0, Close, payload))
		rc.expectClose(CloseProtocolError)
		e.wantClosed(t, CloseProtocolError, ErrControlLength)
	})
	t.Run("7.5.1", func(t *testing.T) {
		rc := s.upgrade(t, "")
		payload := append(AppendClose(nil, CloseNormal, ""), kosme+"\xed\xa0\x80"+"edited"...)
		rc.write(rc.frame(true, 0, Close, payload))
		rc.expectClose(CloseInvalidPayload)
		e.wantClosed(t, CloseInvalidPayload, ErrCloseReason)
	})
	valid := []uint16{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999}
	for i, code := range valid {
		t.Run(fmt.Sprintf("7.7.%d", i+1), func(t *testing.T) {
			rc := s.upgrade(t, "")
			rc.closeHandshake(code)
			e.wantClosed(t, code, nil)
		})
	}
	invalid := map[string]uint16{"7.9.1": 0, "7.9.2": 999, "7.9.3": 1004, "7.9.4": 1005, "7.9.5": 1006,
		"7.9.6": 1016, "7.9.7": 1100, "7.9.8": 2000, "7.9.9": 2999, "7.13.1": 5000, "7.13.2": 65535}
	for id, code := range invalid {
		t.Run(id, func(t *testing.T) {
			rc := s.upgrade(t, "")
			rc.write(rc.frame(true, 0, Close, []byte{byte(code >> 8), byte(code)}))
			rc.expectClose(CloseProtocolError)
			e.wantClosed(t, CloseProtocolError, ErrCloseCode)
		})
	}
}
