package http1

import (
	"bytes"

	"github.com/goreactor/reactor/reactor"
)

// Request is the handler's view of a request: its head, parsed where it
// lies in the connection's input, and its body, whole.
//
// A Request and every slice its methods return are valid only during the
// ServeHTTP call they were given to: they point into the connection's
// input or into the loop's buffers, which the next request reuses. A
// handler that needs a value later copies it (bytes.Clone, string(b)).
// The slices must not be modified.
type Request struct {
	ls      *loopServer
	c       *reactor.Conn
	head    *Head
	body    []byte // as sent: for a chunked request the chunks, until Body decodes them
	chunked bool   // body is still the chunks
}

// Method returns the request's method. The standard methods (GET, HEAD,
// POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH) are returned as
// constants, without allocating; another is converted to a new string.
func (r *Request) Method() string {
	switch m := r.head.Method; string(m) {
	case "GET":
		return "GET"
	case "HEAD":
		return "HEAD"
	case "POST":
		return "POST"
	case "PUT":
		return "PUT"
	case "DELETE":
		return "DELETE"
	case "CONNECT":
		return "CONNECT"
	case "OPTIONS":
		return "OPTIONS"
	case "TRACE":
		return "TRACE"
	case "PATCH":
		return "PATCH"
	default:
		return string(m)
	}
}

// Target returns the request target as sent: "/a/b?q=1", or the absolute
// form "http://host/a/b?q=1", "*" (OPTIONS), "host:port" (CONNECT).
func (r *Request) Target() []byte { return r.head.Target }

// Path returns the target's path, without the query and, for an absolute
// form, without the scheme and the authority: "/a/b" for both examples of
// Target; "/" for an absolute form without a path; the target itself for
// "*" and for CONNECT's "host:port".
func (r *Request) Path() []byte {
	if len(r.head.Path) == 0 {
		return r.ls.root[:]
	}
	return r.head.Path
}

// Query returns the target's query, as sent (not decoded), without the
// "?": "q=1" for "/a?q=1"; nil if the target has none.
func (r *Request) Query() []byte {
	t := r.head.Target
	if i := bytes.IndexByte(t, '?'); i >= 0 {
		return t[i+1:]
	}
	return nil
}

// QueryValue returns the value of the first query parameter named name,
// decoded ("%41" is "A", "+" is a space; a "%" that does not start an
// escape stays as it is); an empty slice for a parameter without a value
// ("?a&b="), and nil if there is none. A value that needs no decoding is
// a slice of the input; one that does is decoded into a buffer of the
// loop. Either is valid during ServeHTTP only.
func (r *Request) QueryValue(name string) []byte {
	q := r.Query()
	for q != nil {
		pair := q
		if i := bytes.IndexByte(q, '&'); i >= 0 {
			pair, q = q[:i], q[i+1:]
		} else {
			q = nil
		}
		key, value := pair, pair[len(pair):]
		if i := bytes.IndexByte(pair, '='); i >= 0 {
			key, value = pair[:i], pair[i+1:]
		}
		if !decodedEqual(key, name) {
			continue
		}
		if bytes.IndexByte(value, '%') < 0 && bytes.IndexByte(value, '+') < 0 {
			return value
		}
		start := len(r.ls.scratch)
		r.ls.scratch = appendDecoded(r.ls.scratch, value)
		return r.ls.scratch[start:len(r.ls.scratch):len(r.ls.scratch)]
	}
	return nil
}

// Header returns the value of the first field named name, in any case
// ("content-type" finds "Content-Type"), without the whitespace around
// it; nil if the request has none.
func (r *Request) Header(name string) []byte {
	v, _ := r.head.Get(name)
	return v
}

// Headers returns every field of the request, in the order sent, as
// parsed: names in the case sent, values without the whitespace around
// them.
func (r *Request) Headers() []Header { return r.head.Headers }

// Body returns the request's body, whole (empty if it has none). A body
// sent with a Content-Length is a slice of the input, not copied; a
// chunked body is decoded, on the first call, into a buffer of the loop.
// The server calls the handler only once the body has all arrived, within
// the limits (WithLimits).
func (r *Request) Body() []byte {
	if !r.chunked {
		return r.body
	}
	start := len(r.ls.scratch)
	p := r.body
	for {
		data, rest := NextChunk(p)
		if data == nil {
			break
		}
		r.ls.scratch = append(r.ls.scratch, data...)
		p = rest
	}
	r.body, r.chunked = r.ls.scratch[start:len(r.ls.scratch):len(r.ls.scratch)], false
	return r.body
}

// ProtoMinor returns the request's HTTP version's minor number: 1 for
// HTTP/1.1, 0 for HTTP/1.0.
func (r *Request) ProtoMinor() int { return r.head.Minor }

// Host returns the host the request is for: the authority of an
// absolute-form target ("http://host:port/a" gives "host:port"), which
// RFC 9112 §3.2.2 puts before the Host field; else the Host field's
// value (nil for an HTTP/1.0 request without one).
func (r *Request) Host() []byte {
	if t := r.head.Target; len(t) > 0 && t[0] != '/' {
		if i := bytes.Index(t, []byte("://")); i > 0 {
			a := t[i+3:]
			j := 0
			for j < len(a) && a[j] != '/' && a[j] != '?' {
				j++
			}
			return a[:j]
		}
	}
	return r.head.Host
}

// Conn returns the connection the request came on: for its addresses, its
// TLS state (ConnectionState) and its loop. The handler must not read
// from it, write to it or close it (the response is written with the
// ResponseWriter), nor set its Context, which the server uses; after
// ResponseWriter.TakeOver the connection is the new handler's.
func (r *Request) Conn() *reactor.Conn { return r.c }

// Close reports whether the connection closes after the response: the
// request said "Connection: close", or it is HTTP/1.0 without
// "Connection: keep-alive". (A handler that wants it closed sets
// "Connection: close" on its response.)
func (r *Request) Close() bool { return r.head.Close }
