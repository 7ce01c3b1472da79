package websocket

import "github.com/goreactor/reactor/internal/ascii"

// The comma-separated lists of header fields (RFC 9110 §5.6.1), and the
// comparisons their tokens need; the extension lists of
// Sec-WebSocket-Extensions, whose parameters may be quoted strings, are
// cut with the same function.

// cutElement returns the part of list before the first sep that is not
// inside a quoted string, and the part after it (nil if there is no sep).
// A quoted string runs from a double quote to the next one not escaped by
// a backslash, or to the end of list.
func cutElement(list []byte, sep byte) (elem, rest []byte) {
	quoted := false
	for i := 0; i < len(list); i++ {
		switch b := list[i]; {
		case quoted && b == '\\':
			i++
		case b == '"':
			quoted = !quoted
		case b == sep && !quoted:
			return list[:i], list[i+1:]
		}
	}
	return list, nil
}

// nextToken returns the first non-empty element of a comma-separated
// list, trimmed, and the rest of the list; an empty element when the list
// holds no more.
func nextToken(list []byte) (tok, rest []byte) {
	for len(list) > 0 {
		tok, list = cutElement(list, ',')
		if tok = ascii.TrimOWS(tok); len(tok) > 0 {
			return tok, list
		}
	}
	return nil, nil
}

// HasToken reports whether the comma-separated list of a header field's
// value holds token, in any case: HasToken(connection, "upgrade") for
// "Connection: keep-alive, Upgrade", HasToken(upgrade, "websocket") for
// "Upgrade: websocket". Whitespace around the elements and empty elements
// are allowed. A field given several times is one list per field: call
// HasToken with each.
func HasToken(list []byte, token string) bool {
	for tok, rest := nextToken(list); len(tok) > 0; tok, rest = nextToken(rest) {
		if ascii.EqualFold(tok, token) {
			return true
		}
	}
	return false
}
