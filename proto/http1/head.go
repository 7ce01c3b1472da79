package http1

import (
	"bytes"

	"github.com/goreactor/reactor/internal/ascii"
)

// Header is one header field as sent: its name (any case) and its value
// without the whitespace around it.
type Header struct {
	Name, Value []byte
}

// Head is a parsed request head. Its slices point into the input given
// to Parse: they are valid as long as those bytes are (inside OnData, until
// the handler consumes input or returns) and must not be modified. One
// Head can be reused for every request of a loop: Parse resets it and
// reuses the capacity of Headers.
type Head struct {
	Method []byte
	Target []byte // the request target, as sent
	// Path is the target's path, without the query: for an origin-form
	// target ("/a?b") "/a"; for an absolute-form one ("http://h/a?b") "/a",
	// or empty if it has no path, which means "/"; the target itself for
	// "*" and for the authority form of CONNECT.
	Path    []byte
	Minor   int      // the version: HTTP/1.Minor, 0 or 1
	Headers []Header // every field, in order
	Host    []byte   // the Host field's value (nil if there is none)

	// The framing of the body, from the fields.

	ContentLength int  // the Content-Length, or -1 if there is none
	Chunked       bool // Transfer-Encoding: chunked
	// Close says that the connection closes after the response: the
	// request said "Connection: close", or it is HTTP/1.0 without
	// "Connection: keep-alive".
	Close bool
	// Expect100 says that the client waits for "100 Continue" before it
	// sends the body (Expect: 100-continue).
	Expect100 bool

	hosts          int  // Host fields seen
	closeToken     bool // Connection has "close"
	keepAliveToken bool // Connection has "keep-alive"
	transferCoding bool // a Transfer-Encoding field was seen
	unknownCoding  bool // ... other than one "chunked"
}

// HasBody reports whether a body follows the head.
func (r *Head) HasBody() bool { return r.Chunked || r.ContentLength > 0 }

// Get returns the value of the first field named name (in any case), and
// whether there is one.
func (r *Head) Get(name string) ([]byte, bool) {
	for _, h := range r.Headers {
		if ascii.EqualFold(h.Name, name) {
			return h.Value, true
		}
	}
	return nil, false
}

func (r *Head) reset() {
	*r = Head{Headers: r.Headers[:0], ContentLength: -1}
}

// Parse parses the request head at the start of buf into r and returns its
// length: the body, if any, starts at buf[n]. It returns 0 and no error
// when the head has not all arrived, and an *Error (one of the package's
// sentinels) when it breaks the grammar or lim; when it breaks several
// rules, which one is reported may depend on how much of it had arrived.
// It allocates nothing once r.Headers has room for the fields.
//
// A long head whose end is not in sight is scanned for its line ends
// only, to learn whether it is whole and within lim; its fields are parsed
// once it is, so a head that trickles in costs little per call.
func Parse(buf []byte, r *Head, lim Limits) (int, error) {
	r.reset()
	// Empty lines before the request line are skipped (RFC 9112 §2.2);
	// they count toward the limit of the request line.
	start := 0
	for start < len(buf) {
		if buf[start] == '\n' {
			start++
		} else if buf[start] == '\r' && start+1 < len(buf) && buf[start+1] == '\n' {
			start += 2
		} else {
			break
		}
	}
	eol := bytes.IndexByte(buf[start:], '\n')
	if eol < 0 {
		if !methodMayStart(buf[start:]) {
			return 0, ErrRequestLine // not HTTP: say so now, not after 8 KiB
		}
		if len(buf) > lim.MaxRequestLine+1 { // +1: its CR may be there
			return 0, ErrLineTooLong
		}
		return 0, nil
	}
	line := trimCR(buf[start : start+eol])
	if start+len(line) > lim.MaxRequestLine {
		return 0, ErrLineTooLong
	}
	if err := r.parseRequestLine(line); err != nil {
		return 0, err
	}
	p := start + eol + 1
	// The fields are parsed in one pass, which stops where the input does
	// if the head has not all arrived; so a head that trickles in is
	// parsed again at every call. That costs little while the input is
	// short; past trickleMin bytes, unless the end of the head is in sight
	// ("\n\r\n", an empty line after a line end, as clients send it), its
	// line ends alone first tell whether it is whole, and within lim.
	if len(buf)-p > trickleMin && !bytes.Contains(buf[p-1:], []byte("\n\r\n")) {
		end, err := headEnd(buf, p, lim)
		if end == 0 || err != nil {
			return 0, err
		}
	}
	stop := p + lim.MaxHeaderBytes // no field line may end past it
	for {
		switch {
		case p < len(buf) && buf[p] == '\n':
			return r.frame(p+1, lim)
		case p+1 < len(buf) && buf[p] == '\r' && buf[p+1] == '\n':
			return r.frame(p+2, lim)
		case p == len(buf) || p+1 == len(buf) && buf[p] == '\r':
			return 0, nil // the empty line, or another field: the next byte tells
		case len(r.Headers) == lim.MaxHeaders:
			return 0, ErrTooManyHeaders
		}
		next, err := r.parseField(buf, p, stop)
		if next == 0 || err != nil {
			return 0, err
		}
		p = next
	}
}

// trickleMin is the length of input from which Parse makes sure that a
// head is whole before it parses its fields.
const trickleMin = 1 << 10

// methodMayStart reports whether p, the start of a request line whose end
// has not arrived, may still become one: a token, then a space or nothing
// yet; or the CR of an empty line before it.
func methodMayStart(p []byte) bool {
	if len(p) == 1 && p[0] == '\r' {
		return true
	}
	for i, b := range p {
		if b == ' ' {
			return i > 0
		}
		if !isToken(b) {
			return false
		}
	}
	return true
}

// headEnd finds the end of the header section that starts at buf[p]: the
// index just after the empty line, or 0 if it has not arrived. It looks
// only for line ends, and checks the size and number of the lines against
// lim.
func headEnd(buf []byte, p int, lim Limits) (int, error) {
	start, lines := p, 0
	for {
		switch {
		case p < len(buf) && buf[p] == '\n':
			return p + 1, nil
		case p+1 < len(buf) && buf[p] == '\r' && buf[p+1] == '\n':
			return p + 2, nil
		}
		eol := bytes.IndexByte(buf[p:], '\n')
		if eol < 0 {
			// A line still arriving: unless it is the CR of the empty
			// line, it is a field that adds to the size.
			if len(buf)-start > lim.MaxHeaderBytes+1 {
				return 0, ErrHeadersTooLarge
			}
			return 0, nil
		}
		p += eol + 1
		lines++
		if p-start > lim.MaxHeaderBytes {
			return 0, ErrHeadersTooLarge
		}
		if lines > lim.MaxHeaders {
			return 0, ErrTooManyHeaders
		}
	}
}

// parseRequestLine parses method SP request-target SP HTTP-version.
func (r *Head) parseRequestLine(line []byte) error {
	i := 0
	for i < len(line) && isToken(line[i]) {
		i++
	}
	if i == 0 || i == len(line) || line[i] != ' ' {
		return ErrRequestLine
	}
	r.Method = line[:i]
	i++
	t := i
	for i < len(line) && isTargetByte(line[i]) {
		i++
	}
	if i == t || i == len(line) || line[i] != ' ' {
		return ErrRequestLine
	}
	r.Target = line[t:i]
	v := line[i+1:]
	if len(v) != len("HTTP/1.1") || string(v[:5]) != "HTTP/" || !isDigit(v[5]) || v[6] != '.' || !isDigit(v[7]) {
		return ErrRequestLine
	}
	if v[5] != '1' || v[7] > '1' {
		return ErrVersion
	}
	r.Minor = int(v[7] - '0')
	r.Path = pathOf(r.Target)
	return nil
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// pathOf returns the path of a request target (see Head.Path).
func pathOf(t []byte) []byte {
	if t[0] != '/' {
		i := bytes.Index(t, []byte("://"))
		if i <= 0 {
			return t // "*", or host:port
		}
		t = t[i+3:] // the authority, then the path
		j := 0
		for j < len(t) && t[j] != '/' && t[j] != '?' {
			j++
		}
		t = t[j:]
	}
	for i, b := range t {
		if b == '?' {
			return t[:i]
		}
	}
	return t
}

// parseField parses the field line at buf[p], name ":" OWS value OWS, up
// to its line end, which must come before buf[stop] (the header section's
// limit), and notes the fields that frame the message. It returns the
// index after the line end, or 0 if the line has not all arrived.
func (r *Head) parseField(buf []byte, p, stop int) (int, error) {
	end := min(stop, len(buf))
	// cut is the answer for a line that reaches end: too large if the
	// limit stopped it, else not all here.
	cut := func() (int, error) {
		if end < len(buf) {
			return 0, ErrHeadersTooLarge
		}
		return 0, nil
	}
	i := p
	for i < end && isToken(buf[i]) {
		i++
	}
	if i == end {
		return cut()
	}
	if i == p || buf[i] != ':' {
		return 0, ErrHeaderField // also a folded line, or space before the colon
	}
	name := buf[p:i]
	for i++; i < end && (buf[i] == ' ' || buf[i] == '\t'); i++ {
	}
	v := i
	i = fieldBytes(buf, i, end)
	value := ascii.TrimOWS(buf[v:i])
	switch {
	case i == end, buf[i] == '\r' && i+1 == end:
		return cut()
	case buf[i] == '\n':
		i++
	case buf[i] == '\r' && buf[i+1] == '\n':
		i += 2
	default:
		return 0, ErrHeaderField // a control character
	}
	r.Headers = append(r.Headers, Header{name, value})
	if err := r.noteField(name, value); err != nil {
		return 0, err
	}
	return i, nil
}

// noteField notes what a field says of the framing of the message and of
// the connection.
func (r *Head) noteField(name, value []byte) error {
	switch len(name) {
	case len("host"):
		if ascii.EqualFold(name, "host") {
			r.hosts++
			r.Host = value
		}
	case len("content-length"):
		if ascii.EqualFold(name, "content-length") {
			n, ok := parseLength(value)
			if !ok || r.ContentLength >= 0 && n != r.ContentLength {
				return ErrContentLength
			}
			r.ContentLength = n
		}
	case len("transfer-encoding"):
		if ascii.EqualFold(name, "transfer-encoding") {
			// Told once the head is whole (frame): a field folded
			// onto the next line is malformed before it is unknown.
			r.unknownCoding = r.unknownCoding || r.transferCoding || !ascii.EqualFold(value, "chunked")
			r.transferCoding = true
			r.Chunked = !r.unknownCoding
		}
	case len("connection"):
		if ascii.EqualFold(name, "connection") {
			r.closeToken = r.closeToken || ascii.HasToken(value, "close")
			r.keepAliveToken = r.keepAliveToken || ascii.HasToken(value, "keep-alive")
		}
	case len("expect"):
		if ascii.EqualFold(name, "expect") {
			r.Expect100 = ascii.EqualFold(value, "100-continue")
		}
	}
	return nil
}

// maxLength is the largest Content-Length or chunk size read as a
// number: more than any limit, and far from where an integer overflows. A
// larger one is malformed (400), not merely too large (413): a number
// that does not fit has been used to make two parsers disagree.
const maxLength = 1 << 53

// parseLength parses a Content-Length: decimal digits only, at most
// maxLength.
func parseLength(v []byte) (int, bool) {
	n := 0
	for _, b := range v {
		if !isDigit(b) || n > (maxLength-int(b-'0'))/10 {
			return 0, false
		}
		n = n*10 + int(b-'0')
	}
	return n, len(v) > 0
}

// frame checks how the body is framed, and what the fields say about the
// connection, once every field of the n-byte head is parsed; it returns n,
// or 0 and the error.
func (r *Head) frame(n int, lim Limits) (int, error) {
	switch {
	case r.transferCoding && (r.ContentLength >= 0 || r.Minor == 0):
		return 0, ErrFraming
	case r.unknownCoding:
		return 0, ErrTransferEncoding
	case r.Minor == 1 && r.hosts != 1:
		return 0, ErrHost
	case r.ContentLength > lim.MaxBody:
		return 0, ErrBodyTooLarge
	}
	r.Close = r.closeToken || r.Minor == 0 && !r.keepAliveToken
	return n, nil
}
