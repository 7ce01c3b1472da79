package websocket

import (
	"encoding/binary"
	"unicode/utf8"
)

// The close codes of RFC 6455 §7.4.1 and of the IANA registry.
const (
	CloseNormal             = 1000 // the purpose of the connection is fulfilled
	CloseGoingAway          = 1001 // a server going down, a browser leaving the page
	CloseProtocolError      = 1002 // the peer broke the protocol
	CloseUnsupportedData    = 1003 // a message of a type the endpoint does not take
	CloseNoStatus           = 1005 // reported for a close frame without a code; never sent
	CloseAbnormal           = 1006 // reported for a connection lost without a close frame; never sent
	CloseInvalidPayload     = 1007 // a message whose data is not of its type, such as text not in UTF-8
	ClosePolicyViolation    = 1008 // a message the endpoint's policy refuses
	CloseMessageTooBig      = 1009 // a message too big to process
	CloseMandatoryExtension = 1010 // a client's: the server did not accept an extension it needs
	CloseInternalError      = 1011 // the server met a condition it cannot handle
	CloseServiceRestart     = 1012 // the server is restarting (IANA registry)
	CloseTryAgainLater      = 1013 // the server is overloaded (IANA registry)
	CloseBadGateway         = 1014 // a gateway got an invalid response (IANA registry)
	CloseTLSHandshake       = 1015 // reported for a failed TLS handshake; never sent
)

// MaxCloseReason is the longest reason a close frame holds: the control
// frame's payload less the 2 bytes of the code.
const MaxCloseReason = MaxControlPayload - 2

// ValidCloseCode reports whether code may be sent in a close frame: the
// codes RFC 6455 defines for sending (1000 to 1003, 1007 to 1011), those
// the IANA registry added since (1012 to 1014: service restart, try again
// later, bad gateway; servers and proxies send them), and the ranges left
// to libraries and frameworks (3000 to 3999) and to applications (4000 to
// 4999). 1004 is reserved; 1005, 1006 and 1015 are for reporting only;
// every other code below 3000 is unassigned, and RFC 6455 §7.4.2 puts
// codes from 5000 out of range.
func ValidCloseCode(code uint16) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014:
		return true
	}
	return code >= 3000 && code <= 4999
}

// ParseClose parses the payload of a close frame (RFC 6455 §5.5.1): an
// empty payload has no code and gives CloseNoStatus, the code to report;
// otherwise the first 2 bytes are the code, big-endian, and the rest is
// the reason, which points into payload. It returns ErrCloseLength for a
// payload of one byte, ErrCloseCode for a code ValidCloseCode refuses (both
// answered with 1002), ErrCloseReason for a reason that is not valid UTF-8
// (answered with 1007), and ErrControlLength for a payload longer than a
// control frame's. It allocates nothing.
func ParseClose(payload []byte) (code uint16, reason []byte, err error) {
	switch {
	case len(payload) == 0:
		return CloseNoStatus, nil, nil
	case len(payload) == 1:
		return 0, nil, ErrCloseLength
	case len(payload) > MaxControlPayload:
		return 0, nil, ErrControlLength
	}
	code = binary.BigEndian.Uint16(payload)
	reason = payload[2:]
	switch {
	case !ValidCloseCode(code):
		return code, nil, ErrCloseCode
	case !utf8.Valid(reason):
		return code, nil, ErrCloseReason
	}
	return code, reason, nil
}

// AppendClose appends the payload of a close frame to dst and returns the
// extended slice: code, then reason cut to at most MaxCloseReason bytes, at
// the start of a character, so that a reason in UTF-8 stays valid. For a
// code that may not be sent (ValidCloseCode), CloseNoStatus among them, it
// appends nothing: an empty payload, which the peer reports as
// CloseNoStatus. So echoing a peer's close frame is
// AppendClose(dst, code, "") with the code ParseClose returned. It
// allocates only when dst has no room.
func AppendClose(dst []byte, code uint16, reason string) []byte {
	if !ValidCloseCode(code) {
		return dst
	}
	if len(reason) > MaxCloseReason {
		cut := MaxCloseReason
		for cut > 0 && !utf8.RuneStart(reason[cut]) {
			cut--
		}
		reason = reason[:cut]
	}
	dst = binary.BigEndian.AppendUint16(dst, code)
	return append(dst, reason...)
}
