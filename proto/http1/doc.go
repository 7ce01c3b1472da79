// Package http1 parses HTTP/1.1 requests where they lie: in the bytes a
// connection has buffered (on a reactor loop, c.Peek(0) inside OnData). It
// copies nothing and, once a Head has grown its header slice, allocates
// nothing: every field of a Head is a sub-slice of the input.
//
// It is the parser of cmd/reactor-http, a protocol package (proto/) so
// that other servers (the gnet peer of the benchmarks, bench/peers) can run
// the same parser and differ only in their event loop.
//
// # Parsing
//
// Parse looks at the start of the input for one request head (the request
// line and the header section, up to the empty line) and fills a Head.
// It returns the head's length; 0 and no error mean that the head has not
// all arrived: call again with more bytes. Nothing is consumed: the caller
// consumes the head, and the body after it, once it has answered.
//
// The body follows the head. With Content-Length it is the next
// ContentLength bytes. With Transfer-Encoding: chunked its end is known
// only by scanning it: a ChunkedBody scans the chunks as they arrive,
// resuming where it stopped, so a body that trickles in is not scanned
// again from its start; NextChunk then walks the chunks of a complete body
// for their data.
//
// # Limits
//
// Every size the peer chooses is bounded (Limits): the request line (414
// URI Too Long), the header section and the number of fields (431 Request
// Header Fields Too Large), the body (413 Content Too Large). A chunked
// body's data counts against the body's limit, and its framing (size
// lines, extensions, line ends) against a limit of its own, also answered
// with 413: a chunk of one byte takes six on the wire, so an encoding
// several times the size of its data is legitimate, yet what a server
// holds must stay bounded. A limit is reported as soon as it is
// passed, before the rest arrives: a head that
// has not ended within the limits is an error, not a wait. Malformed input
// is 400, an HTTP version other than 1.0 and 1.1 is 505, a transfer coding
// other than chunked is 501. The errors are *Error values with their
// status; StatusOf reads it from any error.
//
// # What it checks
//
// The grammar of RFC 9112, strictly where leniency has been used to smuggle
// requests past another server: single spaces in the request line, a token
// for the method and for every field name, no whitespace before a field's
// colon, no line folding, no control characters in values, one
// Content-Length (repeats must agree), Content-Length and
// Transfer-Encoding not both, no Transfer-Encoding in HTTP/1.0, exactly one
// Host in HTTP/1.1. Lines may end with CRLF or, as RFC 9112 allows, a bare
// LF; empty lines before a request line are skipped.
package http1
