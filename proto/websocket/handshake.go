package websocket

import (
	"crypto/sha1"
	"encoding/base64"

	"github.com/goreactor/reactor/internal/ascii"
)

// The opening handshake (RFC 6455 §4): the checks of a client's request
// and the server's answer, as functions of header values, so that the HTTP
// layer calls them with whatever view of the fields it has. Every value is
// taken without the whitespace around it, whether or not the caller
// trimmed it.
//
// A server upgrades a GET request whose Upgrade field has "websocket"
// (HasToken), whose Connection field has "upgrade", whose
// Sec-WebSocket-Key passes CheckKey and whose Sec-WebSocket-Version
// passes CheckVersion. It answers 101 Switching Protocols with
// "Upgrade: websocket", "Connection: Upgrade" and Sec-WebSocket-Accept
// (AppendAcceptKey), and, if it chose them, Sec-WebSocket-Protocol
// (SelectProtocol) and Sec-WebSocket-Extensions (NegotiateDeflate).

// acceptGUID is the GUID that RFC 6455 §1.3 appends to the key.
const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// keyLen is the length of a valid key: 16 bytes in base64, with padding.
const keyLen = 24

// AppendAcceptKey appends the Sec-WebSocket-Accept value that answers the
// client's Sec-WebSocket-Key key to dst, and returns the extended slice:
// the base64 of the SHA-1 of the key and the GUID of RFC 6455. It
// allocates nothing when dst has room for the 28 bytes and the key is no
// longer than a valid one.
func AppendAcceptKey(dst, key []byte) []byte {
	var buf [keyLen + len(acceptGUID)]byte
	b := append(append(buf[:0], ascii.TrimOWS(key)...), acceptGUID...)
	sum := sha1.Sum(b)
	return base64.StdEncoding.AppendEncode(dst, sum[:])
}

// AcceptKey returns the Sec-WebSocket-Accept value that answers the
// client's Sec-WebSocket-Key key, as AppendAcceptKey does, in a string.
func AcceptKey(key []byte) string {
	var buf [28]byte
	return string(AppendAcceptKey(buf[:0], key))
}

// CheckKey checks a client's Sec-WebSocket-Key: base64 that decodes to
// exactly 16 bytes (RFC 6455 §4.1), or ErrKey. The decoder is the
// standard one, which does not insist that the unused bits of the last
// character be zero.
func CheckKey(key []byte) error {
	key = ascii.TrimOWS(key)
	var nonce [18]byte
	if len(key) != keyLen {
		return ErrKey
	}
	n, err := base64.StdEncoding.Decode(nonce[:], key)
	if err != nil || n != 16 {
		return ErrKey
	}
	return nil
}

// CheckVersion checks a client's Sec-WebSocket-Version: 13, the only one
// RFC 6455 defines, or ErrVersion, which the server answers with 426
// Upgrade Required and "Sec-WebSocket-Version: 13".
func CheckVersion(version []byte) error {
	if string(ascii.TrimOWS(version)) != "13" {
		return ErrVersion
	}
	return nil
}

// CheckAccept checks the Sec-WebSocket-Accept of a server's answer against
// the key the client sent, or returns ErrAccept. It allocates nothing.
func CheckAccept(key, accept []byte) error {
	var buf [28]byte
	want := AppendAcceptKey(buf[:0], key)
	if string(want) != string(ascii.TrimOWS(accept)) {
		return ErrAccept
	}
	return nil
}

// SelectProtocol returns the subprotocol the server speaks: the first of
// supported, in the server's order of preference, that the client
// offered in its Sec-WebSocket-Protocol fields (offered holds their values,
// each a comma-separated list). Names are compared exactly, as the client
// will compare the answer with its offer. It returns "" when there is no
// match: the server then answers without Sec-WebSocket-Protocol. It
// allocates nothing.
func SelectProtocol(supported []string, offered ...[]byte) string {
	for _, s := range supported {
		for _, list := range offered {
			for tok, rest := ascii.NextToken(list); len(tok) > 0; tok, rest = ascii.NextToken(rest) {
				if string(tok) == s {
					return s
				}
			}
		}
	}
	return ""
}
