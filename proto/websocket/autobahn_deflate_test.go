package websocket

import (
	"bytes"
	"compress/flate"
	"fmt"
	"math/rand/v2"
	"testing"
	"unicode/utf8"

	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

// TestConnAutobahn_12 (permessage-deflate, payloads): messages of 16 B to
// 128 KiB, of text that compresses and of random bytes that do not, sent
// compressed by the client (whole, and in fragments of 1 KiB) and echoed;
// the server sends back compressed what compresses, and the rest plain.
func TestConnAutobahn_12(t *testing.T) {
	e := newEcho()
	s := startServerWith(t, e, serverSetup{opts: []Option{WithCompression(flate.BestSpeed)}})
	rng := rand.New(rand.NewPCG(12, 12))
	sizes := []int{16, 64, 256, 1024, 4096, 8192, 16384, 32768, 65536, 131072}
	for k, kind := range []string{"text", "random"} {
		for i, n := range sizes {
			t.Run(fmt.Sprintf("12.%d.%d", k+1, i+1), func(t *testing.T) {
				rc := s.upgrade(t, "Sec-WebSocket-Extensions: permessage-deflate\r\n")
				require.True(t, rc.deflate, "permessage-deflate accepted")
				op := Text
				if kind == "random" {
					op = Binary
				}
				for _, fragment := range []int{0, 1 << 10} {
					msg := sample(rng, kind, n)
					for i := len(msg) - 1; !utf8.Valid(msg); i-- {
						msg[i] = ' ' // the sample cut a character
					}
					z := compressFlate(t, msg)
					if fragment == 0 {
						rc.write(rc.frame(true, RSV1, op, z))
					} else {
						for off := 0; off < len(z); off += fragment {
							end := min(off+fragment, len(z))
							switch {
							case off == 0:
								rc.write(rc.frame(end == len(z), RSV1, op, z[off:end]))
							default:
								rc.write(rc.frame(end == len(z), 0, Continuation, z[off:end]))
							}
						}
					}
					f := rc.read()
					require.True(t, f.fin)
					got := f.payload
					if f.rsv&RSV1 != 0 {
						got = inflateAll(t, got)
					} else {
						require.True(t, kind == "random" || n < compressMin, "text of %d bytes compresses", n)
					}
					require.Equal(t, op, f.op)
					require.True(t, bytes.Equal(msg, got), "the echo of %d bytes", n)
				}
				rc.closeHandshake(CloseNormal)
				e.wantClosed(t, CloseNormal, nil)
			})
		}
	}
}

// TestConnAutobahn_13 (permessage-deflate, parameters): the offers of
// Autobahn 13.1 to 13.7 are accepted (without context takeover, and
// without limiting the client's window), and compressed messages echo;
// an offer that limits the server's window below 15 bits is declined,
// and the connection goes on uncompressed.
func TestConnAutobahn_13(t *testing.T) {
	e := newEcho()
	s := startServer(t, e, WithCompression(flate.BestSpeed))
	msg := bytes.Repeat([]byte("Hello, compressed world! "), 40)
	for _, tc := range []struct{ id, offer, answer string }{
		{"13.1", "permessage-deflate", deflateResponse},
		{"13.2", "permessage-deflate; client_no_context_takeover", deflateResponse},
		{"13.3", "permessage-deflate; client_max_window_bits=8", deflateResponse},
		{"13.4", "permessage-deflate; client_max_window_bits=15", deflateResponse},
		{"13.5", "permessage-deflate; client_no_context_takeover; client_max_window_bits=8", deflateResponse},
		{"13.6", "permessage-deflate; client_no_context_takeover; client_max_window_bits=15", deflateResponse},
		{"13.7", "permessage-deflate; client_no_context_takeover; client_max_window_bits=8, permessage-deflate; client_no_context_takeover, permessage-deflate", deflateResponse},
		{"13 server_max_window_bits=15", "permessage-deflate; server_max_window_bits=15", deflateResponseMaxWBits},
		{"13 server_max_window_bits=9, then none", "permessage-deflate; server_max_window_bits=9, permessage-deflate", deflateResponse},
		{"13 server_max_window_bits=9 only", "permessage-deflate; server_max_window_bits=9", ""},
		{"13 x-webkit-deflate-frame", "x-webkit-deflate-frame", ""},
	} {
		t.Run(tc.id, func(t *testing.T) {
			rc := s.upgrade(t, "Sec-WebSocket-Extensions: "+tc.offer+"\r\n")
			require.Equal(t, tc.answer, rc.resp.Header.Get("Sec-WebSocket-Extensions"))
			for range 3 {
				if rc.deflate {
					rc.write(rc.frame(true, RSV1, Text, compressFlate(t, msg)))
				} else {
					rc.send(true, Text, msg)
				}
				f := rc.read()
				require.Equal(t, rc.deflate, f.rsv&RSV1 != 0, "compressed back if negotiated")
				if rc.deflate {
					f.payload = inflateAll(t, f.payload)
				}
				require.Equal(t, string(msg), string(f.payload))
			}
			rc.closeHandshake(CloseNormal)
			e.wantClosed(t, CloseNormal, nil)
		})
	}
}

// TestConnDeflateErrors: a zip bomb inflating past the maximum gets 1009
// (that inflation stops at the maximum is TestDecompressBomb's); invalid DEFLATE data gets 1007; text
// that inflates to invalid UTF-8 gets 1007; RSV1 on a continuation frame,
// or on any frame when the extension is off, gets 1002.
func TestConnDeflateErrors(t *testing.T) {
	const max = 64 << 10
	e := newEcho()
	s := startServerWith(t, e, serverSetup{
		opts:     []Option{WithCompression(flate.BestSpeed), WithMaxMessage(max)},
		loopOpts: []reactor.Option{reactor.WithLogger(nil)},
	})
	offer := "Sec-WebSocket-Extensions: permessage-deflate\r\n"
	// 10 MiB of zeros, compressed to about 10 KiB.
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression)
	w.Write(make([]byte, 10<<20))
	w.Flush()
	bomb := b.Bytes()[:b.Len()-len(syncTail)]
	require.Less(t, len(bomb), max, "the bomb fits in the maximum compressed")
	for _, tc := range []struct {
		name   string
		offer  string
		frames func(rc *rawClient) []byte
		code   uint16
		err    error
	}{
		{"zip bomb", offer, func(rc *rawClient) []byte { return rc.frame(true, RSV1, Binary, bomb) }, CloseMessageTooBig, ErrMessageTooBig},
		{"invalid DEFLATE", offer, func(rc *rawClient) []byte { return rc.frame(true, RSV1, Binary, []byte{0xff, 0xff, 0xff}) }, CloseInvalidPayload, ErrDeflateData},
		{"invalid UTF-8 inflated", offer, func(rc *rawClient) []byte {
			return rc.frame(true, RSV1, Text, compressFlate(t, []byte("a\xc0b")))
		}, CloseInvalidPayload, ErrInvalidUTF8},
		{"RSV1 on a continuation", offer, func(rc *rawClient) []byte {
			return append(rc.frame(false, RSV1, Text, compressFlate(t, []byte("abc"))), rc.frame(true, RSV1, Continuation, nil)...)
		}, CloseProtocolError, ErrReservedBits},
		{"RSV1 on a ping", offer, func(rc *rawClient) []byte { return rc.frame(true, RSV1, Ping, nil) }, CloseProtocolError, ErrReservedBits},
		{"RSV1 not negotiated", "", func(rc *rawClient) []byte { return rc.frame(true, RSV1, Text, compressFlate(t, []byte("abc"))) }, CloseProtocolError, ErrReservedBits},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := s.upgrade(t, tc.offer)
			rc.write(tc.frames(rc))
			rc.expectClose(tc.code)
			e.wantClosed(t, tc.code, tc.err)
		})
	}
}
