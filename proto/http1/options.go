package http1

import (
	"errors"
	"fmt"
	"time"
)

// Option configures a Server; pass options to NewServer. An option given a
// value out of its range makes NewServer return an error that wraps
// ErrInvalidOption and names the option and the value.
type Option func(*config) error

// ErrInvalidOption is wrapped by the error NewServer returns for an option
// out of its range.
var ErrInvalidOption = errors.New("http1: invalid option")

// The defaults of the options.
const (
	// DefaultHeaderTimeout bounds the time a request's head may take to
	// arrive, from its first byte (WithHeaderTimeout).
	DefaultHeaderTimeout = 10 * time.Second
	// DefaultIdleTimeout closes a connection that sends nothing for that
	// long (WithIdleTimeout).
	DefaultIdleTimeout = 60 * time.Second
	// DefaultResponseRoom is the output a connection must have free before
	// the server answers its next request (WithResponseRoom).
	DefaultResponseRoom = 2 << 20
)

// minResponseRoom is the least WithResponseRoom accepts: room for a head
// and a short body.
const minResponseRoom = 4 << 10

type config struct {
	lim           Limits
	headerTimeout time.Duration
	idleTimeout   time.Duration
	room          int
}

func defaultConfig() config {
	return config{
		lim:           DefaultLimits(),
		headerTimeout: DefaultHeaderTimeout,
		idleTimeout:   DefaultIdleTimeout,
		room:          DefaultResponseRoom,
	}
}

// invalidOption returns the error of an option out of its range.
func invalidOption(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidOption, fmt.Sprintf(format, args...))
}

// WithLimits sets the limits on what a request may make the server hold
// (default DefaultLimits()): a request past one is answered with 414, 431
// or 413 (see Limits), and the connection closes. NewServer rejects limits
// that Limits.Check rejects.
func WithLimits(lim Limits) Option {
	return func(c *config) error {
		if err := lim.Check(); err != nil {
			return invalidOption("WithLimits: %v", err)
		}
		c.lim = lim
		return nil
	}
}

// WithHeaderTimeout bounds how long a request's head (its request line and
// fields) may take to arrive whole, from the moment the server first finds
// part of it in the input (default 10 s; 0 turns it off). A client that
// has not sent it all by then gets 408 Request Timeout, and the connection
// closes: the deadline is set once per request and more bytes do not move
// it, so a client that trickles its head a byte at a time (slowloris)
// holds a connection for d at most. The timer runs only while a partial
// head waits: an idle connection between requests has none. NewServer
// rejects d < 0.
func WithHeaderTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return invalidOption("WithHeaderTimeout(%v): must not be negative", d)
		}
		c.headerTimeout = d
		return nil
	}
}

// WithIdleTimeout closes a connection from which nothing has arrived for d
// (default 60 s; 0 turns it off): a keep-alive connection idle between
// requests is closed quietly; one with a request partly arrived gets 408
// Request Timeout first. It is the connection's read timeout
// (reactor.Conn.SetReadTimeout), so time spent with reading paused (while
// the output drains, or a response streams) does not count. NewServer
// rejects d < 0.
func WithIdleTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return invalidOption("WithIdleTimeout(%v): must not be negative", d)
		}
		c.idleTimeout = d
		return nil
	}
}

// WithResponseRoom sets the room a connection's output must have free
// before the server answers its next request (default 2 MiB): a response
// whose fields and body come to n bytes less 256 (kept for the head the
// server writes itself) is thus never refused for want of room,
// and pipelined requests wait in the input, without being read further,
// while the responses before them drain. Server.LoopOptions sizes the
// loop's output cap to n above the high watermark, so that a connection
// stopped for want of room is always one whose reading the loop has
// paused, and which it resumes (reactor.WritableHandler) as the output
// drains. NewServer rejects n below 4 KiB.
func WithResponseRoom(n int) Option {
	return func(c *config) error {
		if n < minResponseRoom {
			return invalidOption("WithResponseRoom(%d): must be at least %d", n, minResponseRoom)
		}
		c.room = n
		return nil
	}
}
