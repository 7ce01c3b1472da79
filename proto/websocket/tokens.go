package websocket

import "github.com/goreactor/reactor/internal/ascii"

// The comma-separated lists of header fields (RFC 9110 §5.6.1) are cut
// with internal/ascii's NextToken and CutElement, which also take the
// extension lists of Sec-WebSocket-Extensions, whose parameters may be
// quoted strings.

// HasToken reports whether the comma-separated list of a header field's
// value holds token, in any case: HasToken(connection, "upgrade") for
// "Connection: keep-alive, Upgrade", HasToken(upgrade, "websocket") for
// "Upgrade: websocket". Whitespace around the elements and empty elements
// are allowed. A field given several times is one list per field: call
// HasToken with each.
func HasToken(list []byte, token string) bool {
	return ascii.HasToken(list, token)
}
