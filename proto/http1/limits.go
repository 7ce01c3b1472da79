package http1

import "fmt"

// Limits bounds what a peer can make a server hold for one request.
type Limits struct {
	// MaxRequestLine is the longest request line, in bytes, without its
	// line end (and counting any empty lines skipped before it). Longer:
	// ErrLineTooLong (414).
	MaxRequestLine int
	// MaxHeaderBytes is the largest header section, in bytes: the field
	// lines with their line ends, without the empty line that ends the
	// head. It bounds a chunked body's trailer section too. Larger:
	// ErrHeadersTooLarge (431).
	MaxHeaderBytes int
	// MaxHeaders is the most header fields (or trailer fields) a request
	// may have. More: ErrTooManyHeaders (431).
	MaxHeaders int
	// MaxBody is the largest body, in bytes, after chunked decoding.
	// Larger: ErrBodyTooLarge (413).
	MaxBody int
	// MaxChunkOverhead is the most bytes of framing a chunked body may
	// have besides its data: the chunk-size lines, with their extensions
	// and line ends (the last chunk's included), and the line ends after
	// each chunk's data; the trailer section is bounded by MaxHeaderBytes.
	// More: ErrChunkOverhead (413). A body in chunks of one byte has
	// several times more framing than data, so this limit is apart from
	// MaxBody, which counts the data alone.
	MaxChunkOverhead int
}

// The default limits: those of common servers, large enough for any
// browser's request.
const (
	DefaultMaxRequestLine = 8 << 10
	DefaultMaxHeaderBytes = 8 << 10
	DefaultMaxHeaders     = 100
	DefaultMaxBody        = 1 << 20
	// DefaultMaxChunkOverhead is twice DefaultMaxBody: room for a body of
	// that size in chunks of a few bytes each.
	DefaultMaxChunkOverhead = 2 << 20
)

// maxChunkLine bounds a chunk-size line, extensions included: a real
// client sends a few hex digits, and extensions are next to unused.
const maxChunkLine = 1 << 10

// DefaultLimits returns the default limits.
func DefaultLimits() Limits {
	return Limits{
		MaxRequestLine: DefaultMaxRequestLine,
		MaxHeaderBytes: DefaultMaxHeaderBytes,
		MaxHeaders:     DefaultMaxHeaders,
		MaxBody:        DefaultMaxBody,

		MaxChunkOverhead: DefaultMaxChunkOverhead,
	}
}

// Check returns an error naming the first limit that is not positive
// (MaxBody may be 0: no body at all, though a chunked body without data
// still has framing).
func (l Limits) Check() error {
	switch {
	case l.MaxRequestLine <= 0:
		return fmt.Errorf("http1: MaxRequestLine %d: must be positive", l.MaxRequestLine)
	case l.MaxHeaderBytes <= 0:
		return fmt.Errorf("http1: MaxHeaderBytes %d: must be positive", l.MaxHeaderBytes)
	case l.MaxHeaders <= 0:
		return fmt.Errorf("http1: MaxHeaders %d: must be positive", l.MaxHeaders)
	case l.MaxBody < 0:
		return fmt.Errorf("http1: MaxBody %d: must not be negative", l.MaxBody)
	case l.MaxChunkOverhead <= 0:
		return fmt.Errorf("http1: MaxChunkOverhead %d: must be positive", l.MaxChunkOverhead)
	}
	return nil
}

// MaxHead returns the most bytes a head within the limits can take: the
// request line, the header section and their line ends (CRLF), including
// the empty line that ends the head.
func (l Limits) MaxHead() int {
	return l.MaxRequestLine + 2 + l.MaxHeaderBytes + 2
}

// MaxChunkedBody returns the most bytes of a chunked body that
// ChunkedBody.Scan may be given before it accepts or refuses the body: its
// data and framing at their limits, a chunk-size line still arriving, and
// the trailer section with the empty line that ends it. A server that
// answers a request once its body has all arrived must be able to buffer
// that much after the head.
func (l Limits) MaxChunkedBody() int {
	return l.MaxBody + l.MaxChunkOverhead + maxChunkLine + 1 + l.MaxHeaderBytes + 2
}
