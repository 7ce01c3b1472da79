package http1

import (
	"errors"
	"strconv"

	"github.com/goreactor/reactor/internal/ascii"
	"github.com/goreactor/reactor/reactor"
)

// ResponseWriter builds the response to one request: its status, its
// fields and its body, or a producer of a body streamed (Stream), or the
// hand-over of the connection (TakeOver). Nothing leaves before ServeHTTP
// returns: then the server adds the head (the status line, the fields,
// Date, Content-Length or Transfer-Encoding, and Connection where the
// connection closes or HTTP/1.0 keeps it open) to the responses gathered
// for the connection, which leave together, in order, with one write.
// A response to HEAD has the head of the response written, without its
// body. A ResponseWriter is valid during ServeHTTP only.
type ResponseWriter struct {
	ls       *loopServer
	status   int
	length   int  // the body's length: what Write took (HEAD counts it without keeping it)
	head     bool // the request is HEAD: no body
	closes   bool // the connection closes after this response
	userConn bool // the handler set a Connection field
	userKeep bool // ... and it did not say "close"
	produce  func(*Stream) bool
	takeover reactor.Handler
}

// The errors of the ResponseWriter.
var (
	// ErrInvalidHeader: a field name that is not a token, or a value
	// with a CR, LF, NUL or another control character but tab: such a
	// field could end the head early (header injection). Nothing is
	// added.
	ErrInvalidHeader = errors.New("http1: invalid header field")
	// ErrReservedHeader: Content-Length, Transfer-Encoding or Date, which
	// the server writes itself (a body streams with Stream).
	ErrReservedHeader = errors.New("http1: header field written by the server")
	// ErrResponseTooLarge: the response would not fit in the
	// connection's output (reactor.WithMaxOutput, less what is queued);
	// the server keeps WithResponseRoom free for each. Nothing is added:
	// a larger answer streams (Stream).
	ErrResponseTooLarge = errors.New("http1: response too large for the connection's output")
	// ErrStreaming: Write or a field after Stream or TakeOver; the body of
	// a stream is written with Stream.Write.
	ErrStreaming = errors.New("http1: the response's head is done (Stream or TakeOver)")
)

// headRoom is more than the head of any response needs besides the
// handler's fields: a status line, Date, Content-Length or
// Transfer-Encoding, and Connection.
const headRoom = 256

// begin readies w for the response to a request.
func (w *ResponseWriter) begin(head *Head) {
	*w = ResponseWriter{ls: w.ls, status: 200, closes: head.Close, head: string(head.Method) == "HEAD"}
	w.ls.hdr = w.ls.hdr[:0]
	w.ls.body = w.ls.body[:0]
}

// SetStatus sets the response's status code (default 200). The status
// line has the code's reason phrase ("404 Not Found") for the codes of RFC
// 9110, an empty one for others. A code outside 100 to 999 makes the
// status 500. Responses with 1xx, 204 or 304 have no body, and no
// Content-Length.
func (w *ResponseWriter) SetStatus(code int) {
	if code < 100 || code > 999 {
		code = 500
	}
	w.status = code
}

// Header adds a field to the response, after those added before it. It
// returns ErrInvalidHeader for a name that is not a token or a value with
// a control character (CR and LF above all), ErrReservedHeader for
// Content-Length, Transfer-Encoding and Date, ErrResponseTooLarge if the
// response would not fit in the output, and ErrStreaming after Stream or
// TakeOver; and then adds nothing. A Connection field is the handler's
// (an upgrade's "Connection: Upgrade"): the server adds its own only to
// say that the connection closes, or, to HTTP/1.0, that it stays open;
// one that says "close" closes the connection after the response.
func (w *ResponseWriter) Header(name, value string) error {
	ls := w.ls
	for i := range ls.known {
		if k := &ls.known[i]; k.name == name && k.value == value && name != "" {
			if err := w.checkRoom(len(name) + len(": \r\n") + len(value)); err != nil {
				return err
			}
			ls.hdr = appendField(ls.hdr, name, value)
			if k.connection {
				w.noteConnection(ascii.HasToken(value, "close"))
			}
			return nil
		}
	}
	if err := w.checkField(name, len(value), validValue(value)); err != nil {
		return err
	}
	ls.hdr = appendField(ls.hdr, name, value)
	connection := ascii.EqualFold(name, "connection")
	if connection {
		w.noteConnection(ascii.HasToken(value, "close"))
	}
	ls.known[ls.next] = checkedField{name, value, connection}
	ls.next = (ls.next + 1) % len(ls.known)
	return nil
}

// HeaderBytes is Header with the value as bytes.
func (w *ResponseWriter) HeaderBytes(name string, value []byte) error {
	if err := w.checkField(name, len(value), validValue(value)); err != nil {
		return err
	}
	w.ls.hdr = appendField(w.ls.hdr, name, value)
	if ascii.EqualFold(name, "connection") {
		w.noteConnection(ascii.HasToken(value, "close"))
	}
	return nil
}

// checkField says whether a field of name and a value of n bytes may be
// added.
func (w *ResponseWriter) checkField(name string, n int, valid bool) error {
	switch {
	case w.produce != nil || w.takeover != nil:
		return ErrStreaming
	case !valid || !validName(name):
		return ErrInvalidHeader
	case ascii.EqualFold(name, "content-length") || ascii.EqualFold(name, "transfer-encoding") || ascii.EqualFold(name, "date"):
		return ErrReservedHeader
	}
	return w.checkRoom(len(name) + len(": \r\n") + n)
}

// checkRoom says whether n more bytes of head may be added: not after
// Stream or TakeOver, and only if they fit in the output.
func (w *ResponseWriter) checkRoom(n int) error {
	switch {
	case w.produce != nil || w.takeover != nil:
		return ErrStreaming
	case !w.fits(n):
		return ErrResponseTooLarge
	}
	return nil
}

// noteConnection notes a Connection field the handler added, and whether
// its list holds "close".
func (w *ResponseWriter) noteConnection(closes bool) {
	w.userConn = true
	if closes {
		w.closes = true
	} else {
		w.userKeep = true
	}
}

// Write adds p to the response's body and returns len(p); to a HEAD
// request it only counts it. It adds nothing and returns
// ErrResponseTooLarge if the response would not fit in the connection's
// output, and ErrStreaming after Stream or TakeOver.
func (w *ResponseWriter) Write(p []byte) (int, error) {
	if err := w.admit(len(p)); err != nil {
		return 0, err
	}
	if !w.head {
		w.ls.body = append(w.ls.body, p...)
	}
	w.length += len(p)
	return len(p), nil
}

// WriteString is Write for a string.
func (w *ResponseWriter) WriteString(s string) (int, error) {
	if err := w.admit(len(s)); err != nil {
		return 0, err
	}
	if !w.head {
		w.ls.body = append(w.ls.body, s...)
	}
	w.length += len(s)
	return len(s), nil
}

// admit checks that n more bytes of body may be written.
func (w *ResponseWriter) admit(n int) error {
	switch {
	case w.produce != nil || w.takeover != nil:
		return ErrStreaming
	case !w.head && !w.fits(n):
		return ErrResponseTooLarge
	}
	return nil
}

// fits reports whether n more bytes of head or body fit in the output,
// after the responses gathered before this one, with room for the rest of
// its head.
func (w *ResponseWriter) fits(n int) bool {
	ls := w.ls
	return len(ls.out)+headRoom+len(ls.hdr)+len(ls.body)+n <= ls.avail
}

// lastHead is the head of the last plain response (sized, neither
// streamed nor handed over, from a handler that set no Connection field):
// a server answers many requests alike, and a head equal in status,
// fields, Date, length and connection state is copied rather than made.
type lastHead struct {
	status int
	fields []byte // the handler's fields
	length int
	date   uint64 // dateField.gen
	closes bool
	minor  int
	head   []byte
}

// plain reports whether w's response may be written from, or kept in,
// the cache of the last head.
func (w *ResponseWriter) plain() bool {
	return w.produce == nil && w.takeover == nil && !w.userConn
}

// reuse appends the last head to out if w's response has the same one.
func (ls *loopServer) reuse(out []byte) ([]byte, bool) {
	w, c := &ls.w, &ls.last
	if c.head == nil || c.status != w.status || c.length != w.length || c.date != ls.date.gen ||
		c.closes != w.closes || c.minor != ls.head.Minor || string(c.fields) != string(ls.hdr) {
		return out, false
	}
	return append(out, c.head...), true
}

// keep remembers head as the head of w's response.
func (ls *loopServer) keep(head []byte) {
	w, c := &ls.w, &ls.last
	c.status, c.length, c.date, c.closes, c.minor = w.status, w.length, ls.date.gen, w.closes, ls.head.Minor
	c.fields = append(c.fields[:0], ls.hdr...)
	c.head = append(c.head[:0], head...)
}

// finish appends the response to the responses gathered (only its head if
// it streams). One that does not fit (the output had less room than a
// head needs) is dropped, and the connection closes after the responses
// before it.
func (ls *loopServer) finish() {
	w := &ls.w
	if !w.fits(0) {
		w.closes, w.produce, w.takeover = true, nil, nil
		return
	}
	bodyless := w.status < 200 || w.status == 204 || w.status == 304
	if w.plain() {
		if out, ok := ls.reuse(ls.out); ok {
			ls.out = ls.appendBody(out, bodyless)
			return
		}
	}
	mark := len(ls.out)
	out := appendStatusLine(ls.out, w.status)
	out = append(out, ls.hdr...)
	out = append(out, "Date: "...)
	out = append(out, ls.date.value...)
	out = append(out, "\r\n"...)
	switch {
	case w.takeover != nil || bodyless:
	case w.produce != nil && ls.head.Minor == 0:
		w.closes = true // HTTP/1.0: the body ends with the connection
	case w.produce != nil:
		out = append(out, "Transfer-Encoding: chunked\r\n"...)
	default:
		out = append(out, "Content-Length: "...)
		out = strconv.AppendInt(out, int64(w.length), 10)
		out = append(out, "\r\n"...)
	}
	switch {
	case w.takeover != nil:
	case w.closes && (!w.userConn || w.userKeep):
		out = append(out, "Connection: close\r\n"...)
	case !w.closes && !w.userConn && ls.head.Minor == 0:
		out = append(out, "Connection: keep-alive\r\n"...)
	}
	out = append(out, "\r\n"...)
	if w.plain() {
		ls.keep(out[mark:])
	}
	ls.out = ls.appendBody(out, bodyless)
}

// appendBody appends the body of w's response, after its head, to out.
func (ls *loopServer) appendBody(out []byte, bodyless bool) []byte {
	w := &ls.w
	switch {
	case w.head || bodyless:
		w.produce = nil // the head says it all
	case w.produce != nil && ls.head.Minor == 1 && len(ls.body) > 0:
		out = appendChunkHead(out, len(ls.body)) // what Write took, as the first chunk
		out = append(out, ls.body...)
		out = append(out, "\r\n"...)
	default:
		out = append(out, ls.body...)
	}
	return out
}

// validName reports whether name is a token, as a field name must be.
func validName(name string) bool {
	for i := range len(name) {
		if !isToken(name[i]) {
			return false
		}
	}
	return len(name) > 0
}

// validValue reports whether v may be a field's value: no control
// character but tab (no CR, LF or NUL), no DEL.
func validValue[T string | []byte](v T) bool {
	for i := range len(v) {
		if !isFieldByte(v[i]) {
			return false
		}
	}
	return true
}

// appendField appends the field line name: value.
func appendField[T string | []byte](dst []byte, name string, value T) []byte {
	dst = append(dst, name...)
	dst = append(dst, ": "...)
	dst = append(dst, value...)
	return append(dst, "\r\n"...)
}
