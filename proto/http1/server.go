package http1

import (
	"errors"

	"github.com/goreactor/reactor/reactor"
)

// Handler answers a request: it reads r and writes the response with w,
// on the loop's goroutine, so it must not block. r and everything it
// returns are valid only until ServeHTTP returns; w is the response to r
// alone. The response leaves once ServeHTTP has returned.
type Handler interface {
	ServeHTTP(w *ResponseWriter, r *Request)
}

// HandlerFunc is a function used as a Handler.
type HandlerFunc func(w *ResponseWriter, r *Request)

// ServeHTTP calls f(w, r).
func (f HandlerFunc) ServeHTTP(w *ResponseWriter, r *Request) { f(w, r) }

// Server is an HTTP/1.1 server: a Handler and its options. It is
// immutable, so the loops of a Group share one: each runs the
// reactor.Handler that Handler returns.
type Server struct {
	h   Handler
	cfg config
}

// NewServer returns a server that answers every request with h. It
// returns an error that wraps ErrInvalidOption, naming the option and the
// value, for an option out of its range, or for a nil h.
func NewServer(h Handler, opts ...Option) (*Server, error) {
	if h == nil {
		return nil, invalidOption("NewServer: nil Handler")
	}
	cfg := defaultConfig()
	var errs []error
	for i, o := range opts {
		if o == nil {
			errs = append(errs, invalidOption("nil Option at index %d", i))
			continue
		}
		if err := o(&cfg); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &Server{h: h, cfg: cfg}, nil
}

// Handler returns a new reactor.Handler that serves HTTP on the loop it is
// given to: one per loop, since it holds that loop's buffers (the
// responses being gathered, the decoded bodies), the Date field and its
// timer.
//
//	loop, err := reactor.New(srv.Handler(), srv.LoopOptions()...)
//	group, err := reactor.NewGroup(func(int) reactor.Handler { return srv.Handler() },
//		reactor.WithLoopOptions(srv.LoopOptions()...))
//
// It implements reactor.HalfCloser (a client that sends its requests and
// then FIN gets its responses, then the connection closes),
// reactor.WritableHandler (serving resumes as the output drains) and
// reactor.IdleHandler (WithIdleTimeout).
func (s *Server) Handler() reactor.Handler {
	return newLoopServer(s)
}

// Limits returns the server's limits (WithLimits).
func (s *Server) Limits() Limits { return s.cfg.lim }

// LoopOptions returns the options a loop that serves s needs, to pass to
// reactor.New or, with reactor.WithLoopOptions, to reactor.NewGroup:
//
//   - reactor.WithMaxInput: room for the largest request within the
//     limits (head and body; a chunked body at the limits of its data and
//     its framing, Limits.MaxChunkedBody) and a read's worth of what
//     follows it, since a request is answered once it has all arrived;
//   - reactor.WithMaxOutput and reactor.WithWriteWatermarks: the output
//     cap at least the high watermark plus the response room
//     (WithResponseRoom), with a margin for TLS records.
//
// With the default limits and response room these are within the loop's
// defaults, so a loop made without them serves as well. Options given
// after them override them; an output cap then less than the high
// watermark plus the response room (plus TLS's margin) can leave pipelined
// requests waiting for an OnWritable that never comes.
func (s *Server) LoopOptions() []reactor.Option {
	lim, room := s.cfg.lim, s.cfg.room
	in := lim.MaxHead() + lim.MaxChunkedBody() + reactor.DefaultReadBufferSize
	out := max(reactor.DefaultMaxOutput, reactor.DefaultHighWatermark+room+room/8+tlsMargin)
	return []reactor.Option{
		reactor.WithMaxInput(in),
		reactor.WithMaxOutput(out),
		reactor.WithWriteWatermarks(reactor.DefaultLowWatermark, reactor.DefaultHighWatermark),
	}
}

// tlsMargin, with an eighth of the room, covers what TLS records add to
// the plaintext that reactor.Conn.Available promises (about a tenth).
const tlsMargin = 64 << 10
