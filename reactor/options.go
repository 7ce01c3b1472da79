package reactor

import (
	"log/slog"
	"time"

	"github.com/goreactor/reactor/poller"
)

// Option configures a Loop; pass options to New.
type Option func(*config)

type config struct {
	readBuffer  int
	maxInput    int
	maxOutput   int
	lowWater    int
	highWater   int
	gracePeriod time.Duration
	linger      time.Duration
	readIdle    time.Duration
	writeIdle   time.Duration
	maxConns    int
	wrapSys     func(syscalls) syscalls // tests only
	newPoller   func() (poller.Poller, error)
	logger      *slog.Logger
}

// Defaults, chosen to suit an echo server: reads of up to 64 KiB, at most
// 4 MiB of unconsumed input or queued output per connection, reading paused
// above 1 MiB of queued output and resumed below 256 KiB.
const (
	DefaultReadBufferSize = 64 << 10
	DefaultMaxInput       = 4 << 20
	DefaultMaxOutput      = 4 << 20
	DefaultHighWatermark  = 1 << 20
	DefaultLowWatermark   = 256 << 10
	DefaultGracePeriod    = 5 * time.Second
	DefaultLinger         = 5 * time.Second
)

func defaultConfig() config {
	return config{
		readBuffer:  DefaultReadBufferSize,
		maxInput:    DefaultMaxInput,
		maxOutput:   DefaultMaxOutput,
		lowWater:    DefaultLowWatermark,
		highWater:   DefaultHighWatermark,
		gracePeriod: DefaultGracePeriod,
		linger:      DefaultLinger,
		newPoller:   poller.New,
	}
}

// WithReadBufferSize sets the size of the loop-wide buffer every read goes
// into (default 64 KiB). A read takes at most this many bytes from one
// connection per pass.
func WithReadBufferSize(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.readBuffer = n
		}
	}
}

// WithMaxInput bounds the unconsumed input a connection may hold (default
// 4 MiB). A connection whose handler leaves more than this unconsumed is
// closed with ErrInputFull. It must exceed the largest message the handler
// waits for.
func WithMaxInput(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxInput = n
		}
	}
}

// WithMaxOutput bounds the output a connection may have queued (default
// 4 MiB): a Conn.Write that would pass it queues nothing and returns
// ErrOutputFull.
func WithMaxOutput(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxOutput = n
		}
	}
}

// WithWriteWatermarks sets backpressure: when a connection's queued output
// reaches high bytes the loop stops reading from it, and resumes when the
// output drains to low bytes or less (defaults 1 MiB and 256 KiB). A peer
// that sends without reading thus cannot make the server buffer without
// bound.
func WithWriteWatermarks(low, high int) Option {
	return func(c *config) {
		if 0 <= low && low < high {
			c.lowWater, c.highWater = low, high
		}
	}
}

// WithGracePeriod bounds how long Stop waits for queued output to leave
// before it closes the remaining connections anyway (default 5 s).
func WithGracePeriod(d time.Duration) Option {
	return func(c *config) {
		if d >= 0 {
			c.gracePeriod = d
		}
	}
}

// WithLinger bounds how long a connection closed by Close, having sent its
// output and its FIN, waits for the peer's FIN before the socket is closed
// anyway (default 5 s).
func WithLinger(d time.Duration) Option {
	return func(c *config) {
		if d >= 0 {
			c.linger = d
		}
	}
}

// WithReadTimeout gives every connection a read-idle timeout: one that
// receives nothing for d is closed with ErrReadTimeout (default: none).
// Conn.SetReadTimeout changes it for one connection.
func WithReadTimeout(d time.Duration) Option {
	return func(c *config) { c.readIdle = max(d, 0) }
}

// WithWriteTimeout gives every connection a write-idle timeout: one whose
// queued output makes no progress for d (the peer does not read) is closed
// with ErrWriteTimeout (default: none). Conn.SetWriteTimeout changes it for
// one connection.
func WithWriteTimeout(d time.Duration) Option {
	return func(c *config) { c.writeIdle = max(d, 0) }
}

// WithMaxConns limits the loop to n open connections (default: no limit
// but the fd limit). A connection accepted beyond the limit is closed at
// once with a reset, so the client learns at once instead of waiting in the
// backlog, and it is counted in Stats.Rejected. Dialed connections count
// toward the limit but are never refused by it.
func WithMaxConns(n int) Option {
	return func(c *config) { c.maxConns = max(n, 0) }
}

// WithPoller selects the readiness mechanism, for example poller.NewPoll for
// poll(2). The default is poller.New, the best one for the system.
func WithPoller(newPoller func() (poller.Poller, error)) Option {
	return func(c *config) {
		if newPoller != nil {
			c.newPoller = newPoller
		}
	}
}

// WithLogger sets where the loop logs what it cannot return as an error,
// such as a handler's panic (default: slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		c.logger = l
	}
}
