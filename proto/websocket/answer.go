package websocket

import (
	"bytes"

	"github.com/goreactor/reactor/internal/ascii"
)

// The server's answer to a client's upgrade request (RFC 6455 §4.1): its
// head, parsed line by line where it lies in the input.

// serverAnswer is what a valid answer tells the client.
type serverAnswer struct {
	proto   uint8 // the subprotocol chosen: its index in the offer, plus one; 0 for none
	deflate bool  // permessage-deflate accepted
}

// headEnd returns the length of the head at the start of p, up to and
// including the empty line that ends it (CRLF CRLF, or bare LFs), or -1
// if it has not all arrived.
func headEnd(p []byte) int {
	for i := 0; i < len(p); i++ {
		if p[i] != '\n' {
			continue
		}
		switch {
		case i+1 < len(p) && p[i+1] == '\n':
			return i + 2
		case i+2 < len(p) && p[i+1] == '\r' && p[i+2] == '\n':
			return i + 3
		}
	}
	return -1
}

// maxExtensionFields bounds the Sec-WebSocket-Extensions fields of an
// answer.
const maxExtensionFields = 4

// parseAnswer checks the head of the server's answer and returns what it
// tells, or why it is refused.
func (c *Conn) parseAnswer(head []byte) (a serverAnswer, why string) {
	line, rest := cutLine(head)
	if len(line) < 12 || string(line[:7]) != "HTTP/1." || line[8] != ' ' {
		return a, "not an HTTP/1.x status line"
	}
	if string(line[9:12]) != "101" || len(line) > 12 && line[12] != ' ' {
		return a, "status " + string(line[9:min(len(line), 12)]) + ", not 101"
	}
	var (
		upgrade, connection, accepted bool
		protocols                     int
		ext                           [maxExtensionFields][]byte
		exts                          int
	)
	cfg := &c.ls.ep.cfg
	for len(rest) > 0 {
		line, rest = cutLine(rest)
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return a, "a field without a colon"
		}
		value = ascii.TrimOWS(value)
		switch {
		case ascii.EqualFold(name, "upgrade"):
			upgrade = upgrade || HasToken(value, "websocket")
		case ascii.EqualFold(name, "connection"):
			connection = connection || HasToken(value, "upgrade")
		case ascii.EqualFold(name, "sec-websocket-accept"):
			if accepted || string(value) != string(c.msg.buf) {
				return a, "a wrong Sec-WebSocket-Accept"
			}
			accepted = true
		case ascii.EqualFold(name, "sec-websocket-extensions"):
			if !cfg.compress || exts == maxExtensionFields {
				return a, "an extension the client did not offer"
			}
			ext[exts] = value
			exts++
		case ascii.EqualFold(name, "sec-websocket-protocol"):
			protocols++
			a.proto = 0
			for i, p := range cfg.protocols {
				if string(value) == p {
					a.proto = uint8(i + 1)
				}
			}
			if a.proto == 0 || protocols > 1 {
				return a, "a subprotocol the client did not offer"
			}
		}
	}
	switch {
	case !upgrade:
		return a, `no "Upgrade: websocket"`
	case !connection:
		return a, `no "Connection: Upgrade"`
	case !accepted:
		return a, "no Sec-WebSocket-Accept"
	}
	deflate, err := CheckDeflateResponse(ext[:exts]...)
	if err != nil {
		return a, "an unacceptable Sec-WebSocket-Extensions"
	}
	a.deflate = deflate
	return a, ""
}

// cutLine returns the first line of p, without its line end (LF or CRLF),
// and what follows it.
func cutLine(p []byte) (line, rest []byte) {
	for i, b := range p {
		if b == '\n' {
			line, rest = p[:i], p[i+1:]
			if n := len(line); n > 0 && line[n-1] == '\r' {
				line = line[:n-1]
			}
			return line, rest
		}
	}
	return p, nil
}
