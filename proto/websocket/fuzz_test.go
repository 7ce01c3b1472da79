package websocket

import (
	"encoding/binary"
	"io"
	"net"
	"runtime"
	"testing"
	"unicode/utf8"

	"github.com/goreactor/reactor/internal/testkit"
)

// FuzzServerInput: whatever a client sends after a good handshake (with
// permessage-deflate on), the server never panics, allocates within a
// bound set by the maximum message (not by the lengths the frames
// claim), sends only valid frames (text in UTF-8, control frames short,
// nothing masked) and, when the client has sent FIN, ends the TCP
// connection, after a close frame with a code that may be sent if it
// sends one, and nothing after it.
//
// The input is either written as it is (raw) or read as a list of frames
// that the harness masks and writes: a byte of FIN, RSV and opcode, a
// byte of length, then that many bytes of payload, so that the fuzzer
// explores the order of frames and their payloads, not only the header.
func FuzzServerInput(f *testing.F) {
	const max = 4 << 10
	seeds := [][]byte{
		{0x81, 5, 'h', 'e', 'l', 'l', 'o'},
		{0x01, 3, 'a', 'b', 'c', 0x89, 0, 0x80, 2, 'd', 'e'},
		{0x88, 2, 0x03, 0xe8},
		{0x88, 1, 0x03},
		{0x88, 4, 0x03, 0xe8, 0xc0, 0x80},
		{0xc1, 3, 0x4a, 0x4c, 0x04},
		{0xc1, 5, 0xf2, 0x48, 0xcd, 0xc9, 0xc9},
		{0x41, 7, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x80, 1, 0},
		{0x00, 1, 'x'},
		{0x81, 2, 0xce, 0xba, 0x82, 0},
		{0x8a, 0},
		{0x83, 0},
		{0x09, 1, 'p'},
	}
	for _, s := range seeds {
		f.Add(s, false)
	}
	for _, raw := range [][]byte{
		{0x81, 0x85, 1, 2, 3, 4, 'i', 'g', 'o', 'h', 'n'},
		{0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0},
		{0x82, 0xff, 0, 0, 0, 0, 0, 1, 0, 0, 1, 2, 3, 4},
		{0x82, 0xfe, 0, 1},
		{0x81, 0x05, 'h', 'e', 'l', 'l', 'o'},
		{0x88, 0x80, 0, 0, 0, 0},
	} {
		f.Add(raw, true)
	}
	e := newEcho()
	s := startServer(f, e, WithMaxMessage(max), WithCompression(1))
	f.Fuzz(func(t *testing.T, data []byte, raw bool) {
		rc := s.upgrade(t, "Sec-WebSocket-Extensions: permessage-deflate\r\n")
		if !raw {
			data = rc.frames(data)
		}
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		rc.write(data)
		rc.c.(*net.TCPConn).CloseWrite()
		out, err := io.ReadAll(rc.br)
		if err != nil {
			t.Fatalf("the server reset the connection: %v", err)
		}
		testkit.Receive(t, e.closed, "OnClose")
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 64*max+uint64(64*len(data)) {
			t.Fatalf("%d bytes allocated for %d bytes of input", grew, len(data))
		}
		checkServerOutput(t, out)
	})
}

// frames reads data as frames to mask and write: a byte of FIN, RSV and
// opcode, a byte of length, the payload.
func (rc *rawClient) frames(data []byte) []byte {
	var out []byte
	for len(data) >= 2 {
		b0, n := data[0], int(data[1])
		data = data[2:]
		n = min(n, len(data))
		out = append(out, rc.frame(b0&0x80 != 0, b0>>4&7, Opcode(b0&0xf), data[:n])...)
		data = data[n:]
	}
	return out
}

// checkServerOutput checks the frames a server sent: valid, and ending
// with a valid close frame if there is one.
func checkServerOutput(t *testing.T, out []byte) {
	for len(out) > 0 {
		h, n, err := ParseHeader(out, RSV1)
		if err != nil || n == 0 || int64(len(out)-n) < h.Length {
			t.Fatalf("the server sent an invalid or cut frame: %v, %q", err, out)
		}
		if h.Masked {
			t.Fatal("the server masked a frame")
		}
		payload := out[n : n+int(h.Length)]
		out = out[n+int(h.Length):]
		switch {
		case h.Opcode == Text && h.RSV == 0 && !utf8.Valid(payload):
			t.Fatalf("the server sent text that is not UTF-8: %q", payload)
		case h.Opcode == Close:
			if len(payload) >= 2 && !ValidCloseCode(binary.BigEndian.Uint16(payload)) || len(payload) == 1 {
				t.Fatalf("an invalid close frame: %q", payload)
			}
			if len(out) > 0 {
				t.Fatalf("%d bytes after the close frame", len(out))
			}
		}
	}
}
