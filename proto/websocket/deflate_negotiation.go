package websocket

import "github.com/goreactor/reactor/internal/ascii"

// The negotiation of permessage-deflate (RFC 7692 §5 and §7.1) in
// Sec-WebSocket-Extensions. This package compresses every message with a
// fresh compressor and decompresses every message with a fresh
// decompressor (no context takeover), in both directions; the LZ77 window
// of compress/flate is always 32 KiB (15 bits) and cannot be made smaller.
// Hence what each side accepts:
//
//   - A server accepts an offer unless its server_max_window_bits is
//     below 15, which would forbid the 32 KiB window: it declines such an
//     offer and looks at the next one. Its answer always has
//     server_no_context_takeover and client_no_context_takeover (RFC
//     7692 §7.1.1 lets a server add both to any offer), and
//     server_max_window_bits=15 when the offer named it (§7.1.2.1: the
//     answer to that parameter is the parameter, with a value no
//     greater). It never limits the client's window: the decompressor
//     takes any.
//   - A client offers ClientDeflateOffer and wants the server's answer to
//     hold server_no_context_takeover, or it could not decompress a
//     message that refers to an earlier one; it takes any server_max_window_bits, and refuses
//     client_max_window_bits, which it did not offer.

// deflateName is the extension's name.
const deflateName = "permessage-deflate"

// ClientDeflateOffer is the Sec-WebSocket-Extensions value with which a
// client offers permessage-deflate without context takeover in either
// direction. CheckDeflateResponse reads the server's answer to it.
const ClientDeflateOffer = "permessage-deflate; server_no_context_takeover; client_no_context_takeover"

// The server's answers.
const (
	deflateResponse         = "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
	deflateResponseMaxWBits = deflateResponse + "; server_max_window_bits=15"
)

// NegotiateDeflate reads the client's Sec-WebSocket-Extensions fields
// (offers holds their values, each a comma-separated list of offers in the
// client's order of preference) and returns the value of the server's
// Sec-WebSocket-Extensions that accepts the first acceptable
// permessage-deflate offer, and true; or "" and false when there is none,
// and the server answers without the extension. An offer with a parameter
// RFC 7692 does not define for an offer, a parameter twice, or an invalid
// value is declined (§5), as is one whose server_max_window_bits is
// below 15; other extensions are passed over. Names are compared without
// regard to case. It allocates nothing.
func NegotiateDeflate(offers ...[]byte) (response string, ok bool) {
	for _, field := range offers {
		for elem, rest := ascii.NextToken(field); len(elem) > 0; elem, rest = ascii.NextToken(rest) {
			name, params := ascii.CutElement(elem, ';')
			if !ascii.EqualFold(ascii.TrimOWS(name), deflateName) {
				continue
			}
			p, ok := parseDeflateParams(params, false)
			switch {
			case !ok, p.serverBits != 0 && p.serverBits < 15:
				continue
			case p.serverBits == 15:
				return deflateResponseMaxWBits, true
			}
			return deflateResponse, true
		}
	}
	return "", false
}

// CheckDeflateResponse reads the Sec-WebSocket-Extensions fields of a
// server's answer to a client that offered ClientDeflateOffer, and reports
// whether the server accepted permessage-deflate. It returns
// ErrExtensionResponse, on which the client fails the connection, for an
// answer that names another extension or this one twice, or whose
// parameters break RFC 7692 §7.1 (unknown, repeated, invalid) or leave
// out server_no_context_takeover, or hold client_max_window_bits. No
// field, or only empty ones, means that the server declined.
func CheckDeflateResponse(fields ...[]byte) (enabled bool, err error) {
	for _, field := range fields {
		for elem, rest := ascii.NextToken(field); len(elem) > 0; elem, rest = ascii.NextToken(rest) {
			name, params := ascii.CutElement(elem, ';')
			if enabled || !ascii.EqualFold(ascii.TrimOWS(name), deflateName) {
				return false, ErrExtensionResponse
			}
			p, ok := parseDeflateParams(params, true)
			if !ok || !p.serverNoContext || p.clientBits != 0 {
				return false, ErrExtensionResponse
			}
			enabled = true
		}
	}
	return enabled, nil
}

// deflateParams are the parameters of one permessage-deflate offer or
// answer.
type deflateParams struct {
	serverNoContext bool // server_no_context_takeover
	clientNoContext bool // client_no_context_takeover
	serverBits      int  // server_max_window_bits: 8 to 15, or 0 if absent
	clientBits      int  // client_max_window_bits: 8 to 15, -1 without a value, or 0 if absent
}

// parseDeflateParams parses the parameters of a permessage-deflate
// element: params is what follows its name, each parameter after a
// semicolon. In an answer (response true) client_max_window_bits needs a
// value; in an offer it may have none (RFC 7692 §7.1.2.2). It returns
// false for an unknown parameter, a repeated one, a value where none is
// allowed, or a value that is not a window size.
func parseDeflateParams(params []byte, response bool) (p deflateParams, ok bool) {
	for params != nil {
		var param []byte
		param, params = ascii.CutElement(params, ';')
		name, value := cutParam(param)
		switch {
		case ascii.EqualFold(name, "server_no_context_takeover"):
			if p.serverNoContext || value != nil {
				return p, false
			}
			p.serverNoContext = true
		case ascii.EqualFold(name, "client_no_context_takeover"):
			if p.clientNoContext || value != nil {
				return p, false
			}
			p.clientNoContext = true
		case ascii.EqualFold(name, "server_max_window_bits"):
			bits, ok := windowBits(value)
			if p.serverBits != 0 || !ok {
				return p, false
			}
			p.serverBits = bits
		case ascii.EqualFold(name, "client_max_window_bits"):
			if p.clientBits != 0 {
				return p, false
			}
			p.clientBits = -1
			if value != nil || response {
				bits, ok := windowBits(value)
				if !ok {
					return p, false
				}
				p.clientBits = bits
			}
		default:
			return p, false
		}
	}
	return p, true
}

// cutParam splits an extension parameter, token ["=" value], with optional
// whitespace around each part; value is nil if there is no "=", and empty
// but not nil if nothing follows it.
func cutParam(param []byte) (name, value []byte) {
	name = param
	for i, b := range param {
		if b == '=' {
			name, value = param[:i], ascii.TrimOWS(param[i+1:])
			break
		}
	}
	return ascii.TrimOWS(name), value
}

// windowBits parses the value of a *_max_window_bits parameter: a decimal
// from 8 to 15 without leading zeros, as a token or a quoted string (RFC
// 6455 §9.1 allows one, whose content with its escapes undone must be a
// token).
func windowBits(v []byte) (int, bool) {
	quoted := len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"'
	if quoted {
		v = v[1 : len(v)-1]
	}
	n, digits := 0, 0
	for i := 0; i < len(v); i++ {
		b := v[i]
		if quoted && b == '\\' && i+1 < len(v) {
			i++
			b = v[i]
		}
		if b < '0' || b > '9' || digits == 0 && b == '0' {
			return 0, false
		}
		n = n*10 + int(b-'0')
		if digits++; digits > 2 {
			return 0, false
		}
	}
	return n, n >= 8 && n <= 15
}
