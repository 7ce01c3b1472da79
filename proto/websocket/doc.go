// Package websocket is WebSocket (RFC 6455) and its compression
// extension, permessage-deflate (RFC 7692), on reactor loops: servers
// upgraded from the HTTP server of proto/http1, and clients, on one loop
// or on each loop of a Group, over TCP and TLS (wss). It is built in two
// layers: the connection (Conn, Upgrader, Dial), and under it the
// protocol core, pure pieces that read and write bytes the caller owns
// (ParseHeader, MaskBytes, ValidateUTF8, ParseClose, the handshake's
// checks, a FrameWriter, a Flater), which other loops can use.
//
// # Serving
//
// An Upgrader is an http1.Handler that upgrades every valid request it
// gets and hands the connection to a Handler, whose OnOpen, OnMessage and
// OnClose run on the connection's loop:
//
//	type echo struct{}
//
//	func (echo) OnOpen(c *websocket.Conn) {}
//	func (echo) OnMessage(c *websocket.Conn, op websocket.Opcode, data []byte) {
//		c.WriteMessage(op, data) // data is valid during the call; the write copies it
//	}
//	func (echo) OnClose(c *websocket.Conn, code uint16, err error) {}
//
//	u, err := websocket.NewUpgrader(echo{}, websocket.WithCompression(flate.BestSpeed))
//	rt := http1.NewRouter()
//	rt.Handle("/ws", u)
//	srv, err := http1.NewServer(rt)
//	loop, err := reactor.New(srv.Handler(), srv.LoopOptions()...)
//
// One Upgrader serves every loop of a Group. A handler that decides per
// request calls Upgrade (or UpgradeContext, to give the connection state
// from the request) itself. Dial is the client: it connects from a loop
// to a ws:// or wss:// URL, and its connections are the same Conn.
//
// # Reading: frames in place
//
// A connection parses frames where they lie in the reactor connection's
// input (reactor.Conn.Peek), unmasks them in place (the loop lets a
// handler modify the bytes Peek returns), and hands a whole unfragmented
// message to OnMessage as a slice of the input: no copy. A frame that has
// not all arrived waits in the input, if it is at most 64 KiB; a text
// frame is unmasked and checked as it arrives, so that invalid UTF-8 fails
// the connection at the byte that breaks it. A larger frame, or one the
// input (reactor.WithMaxInput) cannot hold, is streamed into the
// message's buffer as it arrives. A fragmented message is gathered in a
// buffer that exists only while it is in flight, taken from its loop's
// free list and given back when it ends; control frames between its
// fragments are handled at once. Its text is validated fragment by
// fragment (1007 at the first bad byte).
//
// Every limit is checked at the header: a frame whose length would take
// its message past the maximum (WithMaxMessage, 1 MiB by default) fails
// the connection with 1009 before its payload arrives and without
// allocating, as does a length with its top bit set (1002).
// A compressed message is inflated into its loop's buffer, and stops at
// the maximum too (a zip bomb gets 1009).
//
// # Writing: through the loop's output
//
// WriteText, WriteBinary and WriteMessage write one frame, whole or not at
// all, into the reactor connection's output, where it leaves at the end
// of the loop's pass with the connection's other output (one writev). So
// a connection's output is bounded by the loop's cap
// (reactor.WithMaxOutput): a write that would pass it returns
// reactor.ErrOutputFull and queues nothing, and a peer that never reads
// holds no more than the cap. Available says how large a message fits
// now, and a Handler that implements WritableHandler hears when the
// output has drained. With permessage-deflate, a message of 128 bytes or
// more is sent compressed when that makes it shorter. A client masks
// each frame with a fresh key, from a block of crypto/rand bytes per
// loop.
//
// # Closing
//
// A close frame from the peer is checked (1002 for a bad code or length,
// 1007 for a reason not in UTF-8) and answered with its code (an empty
// close frame with an empty one), and then the TCP connection closes
// (FIN once the answer has left; the loop lingers for the peer's), so a
// server whose client starts the close closes first, as RFC 6455 wants.
// Close sends a close frame,
// delivers no more messages, and waits for the peer's answer up to
// WithCloseTimeout. A frame that breaks the protocol fails the
// connection: a close frame with the error's code (CloseCodeOf), then
// the TCP connection closes. When the loop stops, every open connection
// sends 1001 (going away) and closes without waiting for an answer.
// OnClose reports the close code of the handshake, or CloseAbnormal if
// there was none, and the reason unless the close was orderly.
//
// # Keepalive and idle connections
//
// WithPingInterval pings a peer that has sent nothing for the interval
// and drops it if nothing comes back within another; WithIdleTimeout
// closes a connection whose peer has sent nothing but pongs for the
// timeout. Both run on the reactor connection's read timeout, whose one
// timer is re-armed lazily: nothing is done per message.
//
// An idle connection holds its Conn (32 bytes: the reactor connection, its
// loop's state, the message in flight, the close code, the idle count, the
// state and the flags), the reactor's Conn and its record of extras (which
// keeps the connection's Handler), and a Timer if a read timeout is used:
// no buffer, no compressor, no message record. Everything else belongs to
// the loop: the records of messages in flight and their buffers, the
// inflate, deflate and frame buffers, the Flater, the client's masking
// keys.
//
// # The core: the opening handshake
//
// The checks of a client's upgrade request and the server's answer are
// functions of header values, for the HTTP layer to call with whatever view
// of the fields it has: HasToken for the Connection and Upgrade lists,
// CheckKey and CheckVersion for Sec-WebSocket-Key and
// Sec-WebSocket-Version, AppendAcceptKey (or AcceptKey) for
// Sec-WebSocket-Accept, SelectProtocol for Sec-WebSocket-Protocol and
// NegotiateDeflate for Sec-WebSocket-Extensions. A client checks the
// server's answer with CheckAccept and CheckDeflateResponse.
//
// # The core: reading frames
//
// ParseHeader parses a frame header where it lies, at the start of the
// connection's buffered input, and checks the rules a header alone can
// break; it reports an incomplete header as (0, nil), so the caller waits
// for more bytes. The payload's length is known from the header, before
// the payload arrives: a frame longer than the connection's maximum is
// refused then (ErrMessageTooBig), with nothing read or allocated for it.
// CheckMasking and CheckSequence check the rules that depend on the side
// of the connection and on the message in flight.
//
// MaskBytes unmasks a payload in place: the protocol layer modifies the
// bytes of its input (the slice c.Peek returns on a reactor loop; the
// connection layer owns those bytes until it consumes them), so that a
// whole unfragmented message reaches its handler as a slice of the input,
// unmasked, without a copy. A payload that arrives in pieces is unmasked
// piece by piece, each call continuing at the key position the last one
// returned. Nothing else modifies its input: ParseHeader, ParseClose,
// ValidateUTF8 and the handshake functions only read.
//
// ValidateUTF8 checks a text message piece by piece, fragment by fragment
// or read by read, carrying a UTF8State from one piece to the next: no
// copy of the message, and a failure at the piece that breaks UTF-8, not
// at the end of the message.
//
// ParseClose reads the payload of a close frame: its code and reason,
// checked as RFC 6455 §7.4 and §5.5.1 require; AppendClose writes one.
// ValidCloseCode says which codes may be sent.
//
// # The core: writing frames
//
// A FrameWriter writes whole frames into an Output, such as a
// *reactor.Conn (Write and Available): all or nothing, without allocating,
// masking a client's payload on its way without modifying it. AppendHeader
// and AppendClose build frames in a slice instead.
//
// # The core: permessage-deflate
//
// NegotiateDeflate answers a client's offers; a client sends
// ClientDeflateOffer and reads the answer with CheckDeflateResponse. Both
// sides agree on no context takeover in either direction: every message
// is compressed on its own, so a Flater, one per loop, compresses
// (Compress) and decompresses (Decompress) the messages of all its
// connections with one compressor and one decompressor, and no connection
// holds compression state between messages. Decompress stops at a maximum
// size, so a message that inflates without end costs no more than that.
//
// # Errors
//
// The errors of the protocol are *Error values carrying the close code to
// answer with (1002 for a protocol error, 1007 for invalid data, 1009 for
// a message too big); CloseCodeOf reads it from any error. The errors of
// the handshake (ErrKey, ErrVersion, ErrAccept, ErrExtensionResponse) are
// answered in HTTP, or by failing the connection, not with a close frame.
//
// # How the connection uses these pieces
//
// For each frame: ParseHeader, CheckMasking, CheckSequence, the maximum
// size against Length (plus what a fragmented message holds already);
// then, once the payload is in, MaskBytes in place. A control frame is
// answered at once: a Ping with a Pong of its payload, a Close with a
// Close of its code (ParseClose, then AppendClose) and then FIN. A whole unfragmented message is handed over as a slice of the
// input; a fragmented one is gathered in a buffer that exists only while
// it is in flight. Text is validated piece by piece with ValidateUTF8 and
// checked Complete at the end; a compressed message (RSV1 on its first
// frame) is gathered and inflated with Flater.Decompress, within the
// maximum size, then validated. Going out, messages are compressed with
// Flater.Compress when the extension is on, and each frame's header is
// made with AppendHeader and written with its payload into the
// connection's output (reactor.Conn.Writev for a frame past a small one,
// so that its payload is not copied). A FrameWriter does the same for a
// program that writes frames into an Output of its own.
//
// # Conformance
//
// The tests are named after the Autobahn|Testsuite cases whose ground they
// cover. The connection's, against a server on a real loop driven by a
// raw client that writes exact frames: TestConnAutobahn_1 to
// TestConnAutobahn_7, TestConnAutobahn_9 (to 4 MiB), TestConnAutobahn_12
// and TestConnAutobahn_13, each case a subtest named by its id; the
// pieces', as far as a piece without a connection can: the frame header
// (TestHeaderLengths: 1.1.1 to 1.2.8, 9.1 and 9.2; TestAutobahn_2_5: 2.4,
// 2.5, 7.3.6; TestAutobahn_3: 3.1 to 3.7; TestAutobahn_4: 4.1.1 to 4.2.5;
// TestAutobahn_5: 5.1 to 5.20), UTF-8 (TestAutobahn_6: 6.1.1, 6.2.1 to
// 6.2.4, 6.3.1, 6.3.2, 6.5.1 to 6.23.7; TestAutobahn_6_1: 6.1.2, 6.1.3;
// TestAutobahn_6_4: 6.4.1 to 6.4.4), close frames (TestAutobahn_7_3: 7.3.1
// to 7.3.6; TestAutobahn_7_5_1; TestAutobahn_7_7: 7.7.1 to 7.7.13, 7.9.1
// to 7.9.9, 7.13.1 and 7.13.2) and compression (TestAutobahn_12: 12.x;
// TestNegotiateDeflate: the offers of 12.x and 13.1 to 13.7).
// TestPythonClient talks with python3's websockets library, and
// cmd/reactor-chat's TestBrowser with Chromium.
package websocket
