package http1

import "errors"

// Error is what Parse and ChunkedBody.Scan return for a request they
// refuse, and what the server refuses a request for: the status to answer
// with and why. The values are the package's sentinel errors, so compare
// them with errors.Is.
type Error struct {
	Status int    // the response's status code: 400, 408, 413, 414, 431, 501 or 505
	Reason string // a short text, fit for the response's body
}

func (e *Error) Error() string { return "http1: " + e.Reason }

// The errors of the package. Several share a status; they tell the cause
// apart for logs and tests.
var (
	// ErrRequestLine: the request line is not method SP target SP version.
	ErrRequestLine = &Error{400, "malformed request line"}
	// ErrHeaderField: a field line is not name ":" value, or holds a byte
	// a field may not (a control character, whitespace in the name or
	// before the colon, a folded line).
	ErrHeaderField = &Error{400, "malformed header field"}
	// ErrContentLength: Content-Length is not a decimal number (of at
	// most 2^53: a larger one is taken for an overflow, not a size), or is
	// given twice with different values.
	ErrContentLength = &Error{400, "invalid Content-Length"}
	// ErrFraming: the body's length is ambiguous: both Content-Length and
	// Transfer-Encoding (whatever its coding), or Transfer-Encoding in
	// HTTP/1.0.
	ErrFraming = &Error{400, "ambiguous message framing"}
	// ErrHost: an HTTP/1.1 request without a Host field, or with two.
	ErrHost = &Error{400, "missing or repeated Host"}
	// ErrChunk: a chunked body whose chunk-size line or chunk end is not
	// what the grammar says, or whose chunk size passes 2^53 (an
	// overflow, not a size).
	ErrChunk = &Error{400, "malformed chunked body"}
	// ErrLineTooLong: the request line is longer than
	// Limits.MaxRequestLine. RFC 9112 answers that with 414.
	ErrLineTooLong = &Error{414, "request line too long"}
	// ErrHeadersTooLarge: the header section (or a chunked body's trailer
	// section) is longer than Limits.MaxHeaderBytes.
	ErrHeadersTooLarge = &Error{431, "header section too large"}
	// ErrTooManyHeaders: more than Limits.MaxHeaders fields.
	ErrTooManyHeaders = &Error{431, "too many header fields"}
	// ErrBodyTooLarge: a body longer than Limits.MaxBody, told by its
	// Content-Length or by the sizes of its chunks.
	ErrBodyTooLarge = &Error{413, "body too large"}
	// ErrChunkOverhead: a chunked body whose framing (chunk-size lines,
	// extensions, line ends) passes Limits.MaxChunkOverhead, whatever its
	// data. It is 413, as for a body too large: the request is well formed,
	// only larger than the server will hold.
	ErrChunkOverhead = &Error{413, "chunked encoding overhead too large"}
	// ErrVersion: HTTP/x.y other than 1.0 and 1.1.
	ErrVersion = &Error{505, "HTTP version not supported"}
	// ErrTransferEncoding: a Transfer-Encoding other than one "chunked",
	// told once the head is whole (a malformed head is ErrHeaderField).
	ErrTransferEncoding = &Error{501, "transfer coding not implemented"}
	// ErrHeaderTimeout: the server's answer to a request whose head did
	// not all arrive within WithHeaderTimeout.
	ErrHeaderTimeout = &Error{408, "request header timeout"}
	// ErrRequestTimeout: the server's answer to a request still arriving
	// when nothing more came for WithIdleTimeout.
	ErrRequestTimeout = &Error{408, "request timeout"}
)

// StatusOf returns the status code to answer err with: its Error's, or
// 400 for any other error.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 400
}
