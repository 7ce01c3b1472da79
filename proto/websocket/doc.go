// Package websocket holds the protocol core of WebSocket (RFC 6455): the
// pure, allocation-free pieces that a connection on a reactor loop is
// built from. It reads and writes bytes that the caller owns and keeps no
// state between calls but what the caller hands back.
//
// # Opening handshake
//
// The checks of a client's upgrade request and the server's answer are
// functions of header values, for the HTTP layer to call with whatever view
// of the fields it has: HasToken for the Connection and Upgrade lists,
// CheckKey and CheckVersion for Sec-WebSocket-Key and
// Sec-WebSocket-Version, AppendAcceptKey (or AcceptKey) for
// Sec-WebSocket-Accept, SelectProtocol for Sec-WebSocket-Protocol. A
// client checks the server's answer with CheckAccept.
//
// # permessage-deflate
//
// NegotiateDeflate answers a client's offers of permessage-deflate (RFC
// 7692) in Sec-WebSocket-Extensions; a client sends ClientDeflateOffer and
// reads the answer with CheckDeflateResponse. Both sides agree on no
// context takeover in either direction: every message is compressed on
// its own, so a Flater, one per loop, compresses (Compress) and
// decompresses (Decompress) the messages of all its connections with one
// compressor and one decompressor, and no connection holds compression
// state between messages. Decompress stops at a maximum size, so a
// message that inflates without end costs no more than that.
//
// # Frames
//
// ParseHeader parses a frame header where it lies, at the start of the
// connection's buffered input, and checks the rules a header alone can
// break; it reports an incomplete header as (0, nil), so the caller waits
// for more bytes. CheckMasking and CheckSequence check the rules that
// depend on the side of the connection and on the message in flight.
// AppendHeader writes a header.
//
// A FrameWriter writes whole frames into an Output, such as a
// *reactor.Conn (Write and Available): all or nothing, without allocating,
// masking a client's payload on its way without modifying it.
//
// # Masking
//
// MaskBytes masks and unmasks a payload in place, in pieces if it arrives
// in pieces.
//
// # Text
//
// ValidateUTF8 checks a text message piece by piece, fragment by fragment
// or read by read, carrying a UTF8State from one piece to the next: no
// copy of the message, and a failure at the piece that breaks UTF-8, not
// at the end of the message.
//
// # Close frames
//
// ParseClose reads the payload of a close frame: its code and reason,
// checked as RFC 6455 §7.4 and §5.5.1 require; AppendClose writes one.
// ValidCloseCode says which codes may be sent.
//
// # Errors
//
// The errors of the protocol are *Error values carrying the close code to
// answer with; CloseCodeOf reads it from any error.
package websocket
