// Package websocket holds the protocol core of WebSocket (RFC 6455) and of
// its compression extension, permessage-deflate (RFC 7692): pure pieces,
// allocation-free in steady state, that a connection on a reactor loop is
// built from. They read and write bytes the caller owns and keep no state
// between calls but what the caller hands back (a UTF8State, a flag for a
// fragmented message) or what serves every connection of a loop alike (a
// FrameWriter, a Flater). There is no connection here: the state machine
// of a WebSocket connection on the loop is a layer still to be written on
// top of these pieces.
//
// # Opening handshake
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
// # Reading frames in place
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
// # Writing frames
//
// A FrameWriter writes whole frames into an Output, such as a
// *reactor.Conn (Write and Available): all or nothing, without allocating,
// masking a client's payload on its way without modifying it. AppendHeader
// and AppendClose build frames in a slice instead.
//
// # permessage-deflate
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
// # What the connection layer builds from these pieces
//
// For each frame: ParseHeader, CheckMasking, CheckSequence, the maximum
// size against Length (plus what a fragmented message holds already);
// then, once the payload is in, MaskBytes in place. A control frame is
// answered at once: a Ping with a Pong of its payload, a Close with a
// Close of its code (ParseClose, then FrameWriter.WriteClose) and then
// FIN. A whole unfragmented message is handed over as a slice of the
// input; a fragmented one is gathered in a buffer that exists only while
// it is in flight. Text is validated piece by piece with ValidateUTF8 and
// checked Complete at the end; a compressed message (RSV1 on its first
// frame) is gathered and inflated with Flater.Decompress, within the
// maximum size, then validated. Going out, messages are compressed with
// Flater.Compress when the extension is on, and written with a
// FrameWriter.
//
// # Conformance
//
// The tests are named after the Autobahn|Testsuite cases whose ground they
// cover, as far as a piece without a connection can: the frame header
// (TestHeaderLengths: 1.1.1 to 1.2.8, 9.1 and 9.2; TestAutobahn_2_5: 2.4,
// 2.5, 7.3.6; TestAutobahn_3: 3.1 to 3.7; TestAutobahn_4: 4.1.1 to 4.2.5;
// TestAutobahn_5: 5.1 to 5.20), UTF-8 (TestAutobahn_6: 6.1.1, 6.2.1 to
// 6.2.4, 6.3.1, 6.3.2, 6.5.1 to 6.23.7; TestAutobahn_6_1: 6.1.2, 6.1.3;
// TestAutobahn_6_4: 6.4.1 to 6.4.4), close frames (TestAutobahn_7_3: 7.3.1
// to 7.3.6; TestAutobahn_7_5_1; TestAutobahn_7_7: 7.7.1 to 7.7.13, 7.9.1
// to 7.9.9, 7.13.1 and 7.13.2) and compression (TestAutobahn_12: 12.x;
// TestNegotiateDeflate: the offers of 12.x and 13.1 to 13.7). The
// connection's behaviour in those cases (echoes, timing, closing
// handshakes) is the connection layer's to test.
package websocket
