package main

import (
	"strconv"

	"github.com/goreactor/reactor/proto/http1"
)

// The pieces of responses. Every response is HTTP/1.1, whatever the
// request's version (RFC 9110 §6.2: a server sends its own version), and
// has a Content-Length: no response is chunked, so an HTTP/1.0 client
// reads them all.
const (
	status100 = "HTTP/1.1 100 Continue\r\n\r\n"
	status200 = "HTTP/1.1 200 OK\r\n"
	status400 = "HTTP/1.1 400 Bad Request\r\n"
	status404 = "HTTP/1.1 404 Not Found\r\n"
	status405 = "HTTP/1.1 405 Method Not Allowed\r\n"
	status413 = "HTTP/1.1 413 Content Too Large\r\n"
	status414 = "HTTP/1.1 414 URI Too Long\r\n"
	status431 = "HTTP/1.1 431 Request Header Fields Too Large\r\n"
	status501 = "HTTP/1.1 501 Not Implemented\r\n"
	status505 = "HTTP/1.1 505 HTTP Version Not Supported\r\n"

	textPlain   = "text/plain; charset=utf-8"
	octetStream = "application/octet-stream"
	hello       = "Hello, World!"

	connClose     = "Connection: close\r\n"
	connKeepAlive = "Connection: keep-alive\r\n"
)

// statusLine returns the status line of one of the codes http1 gives.
func statusLine(code int) string {
	switch code {
	case 413:
		return status413
	case 414:
		return status414
	case 431:
		return status431
	case 501:
		return status501
	case 505:
		return status505
	}
	return status400
}

// connection returns the Connection field of the response to r: "close"
// if the connection closes after it, "keep-alive" if it stays open for an
// HTTP/1.0 client (which would otherwise assume it closes), none for
// HTTP/1.1, whose connections stay open by default.
func connection(r *http1.Head) string {
	switch {
	case r.Close:
		return connClose
	case r.Minor == 0:
		return connKeepAlive
	}
	return ""
}

// head appends the start of a response to s.out: the status line, then Content-Type,
// Date, Content-Length and Connection (conn, which may be empty). The
// caller adds any other field and the empty line. The fields come in the
// order net/http writes them, so the two servers' answers to GET / are the
// same bytes.
func (s *server) head(status, ctype string, length int, conn string) {
	out := append(s.out, status...)
	out = append(out, "Content-Type: "...)
	out = append(out, ctype...)
	out = append(out, "\r\nDate: "...)
	out = append(out, s.date.value...)
	out = append(out, "\r\nContent-Length: "...)
	out = strconv.AppendInt(out, int64(length), 10)
	out = append(out, "\r\n"...)
	s.out = append(out, conn...)
}
