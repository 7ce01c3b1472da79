package websocket

import (
	"errors"
	"fmt"
	"net"
	"os"
)

// Error is what the package returns for bytes that break the protocol:
// the close code to answer the peer with, and why. The values are the package's sentinel
// errors, so compare them with errors.Is. Reason is short enough to be the
// reason of a close frame.
type Error struct {
	Code   uint16 // the close code: 1002, 1007 or 1009
	Reason string // a short text, fit for the close frame's reason
}

// Error returns the reason, prefixed with the package's name.
func (e *Error) Error() string { return "websocket: " + e.Reason }

// The errors of the frame header, of the order of frames and of the close
// frame. They all answer with 1002 (protocol error) but ErrCloseReason.
var (
	// ErrReservedOpcode: an opcode that RFC 6455 reserves (3 to 7, 0xB to
	// 0xF).
	ErrReservedOpcode = &Error{CloseProtocolError, "reserved opcode"}
	// ErrReservedBits: an RSV bit that no negotiated extension allows, or
	// an allowed one on a frame other than the first of a data message.
	ErrReservedBits = &Error{CloseProtocolError, "reserved bits set"}
	// ErrControlLength: a control frame whose payload is longer than 125
	// bytes.
	ErrControlLength = &Error{CloseProtocolError, "control frame too long"}
	// ErrControlFragmented: a control frame without FIN.
	ErrControlFragmented = &Error{CloseProtocolError, "fragmented control frame"}
	// ErrLengthEncoding: a payload length in more bytes than it needs
	// (RFC 6455 §5.2: "the minimal number of bytes MUST be used").
	ErrLengthEncoding = &Error{CloseProtocolError, "payload length not in its shortest form"}
	// ErrLengthOverflow: a 64-bit payload length with its most
	// significant bit set.
	ErrLengthOverflow = &Error{CloseProtocolError, "payload length out of range"}
	// ErrUnmasked: a frame from a client without a mask.
	ErrUnmasked = &Error{CloseProtocolError, "unmasked frame from a client"}
	// ErrMasked: a frame from a server with a mask.
	ErrMasked = &Error{CloseProtocolError, "masked frame from a server"}
	// ErrContinuation: a continuation frame with no message to continue.
	ErrContinuation = &Error{CloseProtocolError, "continuation frame without a message"}
	// ErrUnfinished: a text or binary frame while a fragmented message
	// waits for its continuation frames.
	ErrUnfinished = &Error{CloseProtocolError, "new message before the last one ended"}
	// ErrCloseLength: a close frame whose payload is one byte: too short
	// for a code.
	ErrCloseLength = &Error{CloseProtocolError, "close frame payload of one byte"}
	// ErrCloseCode: a close code that may not be sent (ValidCloseCode).
	ErrCloseCode = &Error{CloseProtocolError, "invalid close code"}
	// ErrCloseReason: a close frame whose reason is not valid UTF-8; it
	// answers with 1007.
	ErrCloseReason = &Error{CloseInvalidPayload, "close reason not valid UTF-8"}
)

// The errors of messages.
var (
	// ErrInvalidUTF8: a text message that is not valid UTF-8, for the
	// caller to return when ValidateUTF8 fails or a message ends with its
	// state not Complete.
	ErrInvalidUTF8 = &Error{CloseInvalidPayload, "text message not valid UTF-8"}
	// ErrMessageTooBig: a message longer than the receiver's maximum.
	// Flater.Decompress returns it; a caller that compares a Header's
	// Length, or the sum of a fragmented message's, with its maximum
	// returns it too.
	ErrMessageTooBig = &Error{CloseMessageTooBig, "message too big"}
	// ErrDeflateData: a compressed message that is not valid DEFLATE data.
	ErrDeflateData = &Error{CloseInvalidPayload, "invalid compressed data"}
)

// The errors of the opening handshake: they are not answered with a close
// frame. The server answers ErrVersion with 426 Upgrade Required and
// "Sec-WebSocket-Version: 13", ErrKey with 400 Bad Request; a client fails
// the connection on ErrAccept and ErrExtensionResponse.
var (
	// ErrKey: a Sec-WebSocket-Key that is not 16 bytes in base64.
	ErrKey = errors.New("websocket: Sec-WebSocket-Key is not 16 bytes in base64")
	// ErrVersion: a Sec-WebSocket-Version other than 13.
	ErrVersion = errors.New("websocket: Sec-WebSocket-Version is not 13")
	// ErrAccept: a server's Sec-WebSocket-Accept that is not the answer
	// to the client's key.
	ErrAccept = errors.New("websocket: Sec-WebSocket-Accept does not match the key")
	// ErrExtensionResponse: a server's Sec-WebSocket-Extensions that
	// names an extension the client did not offer, or accepts
	// ClientDeflateOffer with parameters the client cannot work with.
	ErrExtensionResponse = errors.New("websocket: unacceptable Sec-WebSocket-Extensions in the response")
)

// ErrNoRoom is what FrameWriter returns when the output has no room for
// the whole frame now. Nothing was written: the caller may wait for the
// output to drain and try again, or give up on the connection.
var ErrNoRoom = errors.New("websocket: no room in the output for the frame")

// CloseCodeOf returns the close code to answer err with: CloseNormal for
// nil, its Error's code, or CloseInternalError for any other error.
func CloseCodeOf(err error) uint16 {
	if err == nil {
		return CloseNormal
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CloseInternalError
}

// The errors of a connection (Conn), as OnClose and the write methods
// report them.
var (
	// ErrClosed is returned by the write methods and Close of a
	// connection whose closing has begun. It matches net.ErrClosed.
	ErrClosed = fmt.Errorf("websocket: connection closed: %w", net.ErrClosed)
	// ErrNotOpen is returned by the write methods of a dialed connection
	// whose opening handshake is not over (before OnOpen).
	ErrNotOpen = errors.New("websocket: the opening handshake is not over")
	// ErrPingTimeout is the reason OnClose reports for a connection
	// closed because nothing arrived within the ping interval after a
	// keepalive ping (WithPingInterval). It matches
	// os.ErrDeadlineExceeded.
	ErrPingTimeout = fmt.Errorf("websocket: no answer to the keepalive ping: %w", os.ErrDeadlineExceeded)
	// ErrIdleTimeout is the reason OnClose reports for a connection
	// closed by WithIdleTimeout. It matches os.ErrDeadlineExceeded.
	ErrIdleTimeout = fmt.Errorf("websocket: idle timeout: %w", os.ErrDeadlineExceeded)
	// ErrCloseTimeout is the reason OnClose reports for a connection
	// whose peer did not answer its close frame within the close timeout
	// (WithCloseTimeout). It matches os.ErrDeadlineExceeded.
	ErrCloseTimeout = fmt.Errorf("websocket: no close frame in answer: %w", os.ErrDeadlineExceeded)
	// ErrCloseCodeInvalid is returned by Conn.Close for a code that may
	// not be sent (ValidCloseCode), other than CloseNoStatus (which sends
	// a close frame without a code).
	ErrCloseCodeInvalid = errors.New("websocket: close code may not be sent")
	// ErrTooLong is returned by Ping for a payload longer than
	// MaxControlPayload.
	ErrTooLong = errors.New("websocket: payload too long")
)

// The errors of the opening handshake on a loop: Upgrader.Upgrade answers
// them with an HTTP status and no upgrade; a dialed connection reports
// them to OnClose.
var (
	// ErrNotUpgrade: a request that is not a WebSocket upgrade: not GET,
	// older than HTTP/1.1, without "Upgrade: websocket" or "Connection:
	// upgrade", without exactly one Sec-WebSocket-Key. Answered with 400.
	ErrNotUpgrade = errors.New("websocket: not a WebSocket upgrade request")
	// ErrOrigin: a request whose Origin the check refused
	// (WithCheckOrigin). Answered with 403.
	ErrOrigin = errors.New("websocket: origin not allowed")
	// ErrHandshake: a server's answer that is not a valid switch to
	// WebSocket (a status other than 101, a missing or wrong field, a
	// subprotocol the client did not offer, a head too long). The error
	// OnClose reports wraps it and says what was wrong.
	ErrHandshake = errors.New("websocket: the server did not switch to WebSocket")
	// ErrHandshakeTimeout: a server that did not answer the upgrade
	// request within the dial timeout (WithDialTimeout). It matches
	// os.ErrDeadlineExceeded.
	ErrHandshakeTimeout = fmt.Errorf("websocket: no answer to the upgrade request: %w", os.ErrDeadlineExceeded)
	// ErrURL: a URL Dial cannot dial: not ws:// or wss://, or without a
	// host.
	ErrURL = errors.New("websocket: URL not ws:// or wss:// with a host")
)

// ErrInvalidOption is wrapped by the error NewUpgrader, NewDialer and Dial
// return for an option out of its range, or one of the other side's; the
// error's text names the option and the value.
var ErrInvalidOption = errors.New("websocket: invalid option")
