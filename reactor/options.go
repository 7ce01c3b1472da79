package reactor

import (
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"github.com/goreactor/reactor/poller"
)

// Option configures a Loop; pass options to New. An option given a value
// out of its range makes New return an error that wraps ErrInvalidOption
// and names the option and the value; each option's documentation says
// which values it rejects.
type Option func(*config) error

type config struct {
	readBuffer          int
	maxInput            int
	maxOutput           int
	lowWater            int
	highWater           int
	watermarks          bool // set by WithWriteWatermarks: not derived from maxOutput
	gracePeriod         time.Duration
	linger              time.Duration
	keepAlive           time.Duration
	readIdle            time.Duration
	writeIdle           time.Duration
	maxConns            int
	tlsHandshakeTimeout time.Duration
	maxHandshakes       int
	maxQueued           int                     // datagrams a packet socket may have queued
	maxQueuedBytes      int                     // and their bytes
	packetEach          bool                    // one system call per datagram, also on Linux (tests)
	wrapSys             func(syscalls) syscalls // set only by tests (export_test.go)
	newPoller           func() (poller.Poller, error)
	logger              *slog.Logger
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
	// DefaultTLSHandshakeTimeout bounds a TLS handshake, from the accept
	// or the connect.
	DefaultTLSHandshakeTimeout = 10 * time.Second
	// DefaultPacketQueue and DefaultPacketQueueBytes bound the datagrams a
	// packet socket may have queued (see WithPacketQueue).
	DefaultPacketQueue      = 4096
	DefaultPacketQueueBytes = 4 << 20
)

// DefaultKeepAlive is the TCP keepalive period of accepted and dialed
// connections, the same as the net package's.
const DefaultKeepAlive = 15 * time.Second

// defaultMaxHandshakes is how many TLS handshakes a loop runs at once
// unless WithMaxTLSHandshakes says otherwise: enough to keep every core
// busy with handshake crypto while some wait for their peers.
func defaultMaxHandshakes() int { return 4 * runtime.NumCPU() }

func defaultConfig() config {
	return config{
		readBuffer:          DefaultReadBufferSize,
		maxInput:            DefaultMaxInput,
		maxOutput:           DefaultMaxOutput,
		lowWater:            DefaultLowWatermark,
		highWater:           DefaultHighWatermark,
		gracePeriod:         DefaultGracePeriod,
		linger:              DefaultLinger,
		keepAlive:           DefaultKeepAlive,
		tlsHandshakeTimeout: DefaultTLSHandshakeTimeout,
		maxHandshakes:       defaultMaxHandshakes(),
		maxQueued:           DefaultPacketQueue,
		maxQueuedBytes:      DefaultPacketQueueBytes,
		newPoller:           poller.New,
	}
}

// newConfig applies opts to the defaults. It returns the errors of every
// option out of its range, joined; if there are none, the error of a
// combination out of range (see fitWatermarks). It opens nothing, so New
// and NewGroup call it before they open a poller.
func newConfig(opts []Option) (config, error) {
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
		return config{}, errors.Join(errs...)
	}
	if err := cfg.fitWatermarks(); err != nil {
		return config{}, err
	}
	return cfg, nil
}

// fitWatermarks fits the watermarks to the output cap. Watermarks the user
// set must not exceed the cap, or reading would never pause. Unset ones are
// derived from the cap in the proportions of the defaults: high is a
// quarter of the cap and low a quarter of high, at most the default
// values and high at least 1, so that a small cap alone is never an error.
func (c *config) fitWatermarks() error {
	if c.watermarks {
		if c.highWater > c.maxOutput {
			return invalidOption("WithWriteWatermarks(%d, %d): high watermark above the output cap %d (WithMaxOutput)",
				c.lowWater, c.highWater, c.maxOutput)
		}
		return nil
	}
	c.highWater = max(min(DefaultHighWatermark, c.maxOutput/4), 1)
	c.lowWater = min(DefaultLowWatermark, c.highWater/4)
	return nil
}

// invalidOption returns the error of an option out of its range; the
// message names the option and its value, as in "WithMaxInput(-1): must be
// positive".
func invalidOption(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidOption, fmt.Sprintf(format, args...))
}

// WithReadBufferSize sets the size of the loop-wide buffer every read goes
// into (default 64 KiB). A read takes at most this many bytes from one
// connection per pass. It is also the largest datagram a packet socket
// receives whole (a larger one is reported Truncated), and a loop with a
// packet socket holds 64 buffers of this size to receive a batch into; a
// loop serving TLS holds a second one to decrypt into. New rejects n <= 0.
func WithReadBufferSize(n int) Option {
	return func(c *config) error {
		if n <= 0 {
			return invalidOption("WithReadBufferSize(%d): must be positive", n)
		}
		c.readBuffer = n
		return nil
	}
}

// WithMaxInput bounds the unconsumed input a connection may hold (default
// 4 MiB). When the input reaches it, reading from the connection stops and
// OnData is called with Conn.InputFull true: the handler may answer (an
// error reply, say) or make room. If it consumes nothing, the connection
// closes after its output has left, and OnClose reports ErrInputFull. It
// must exceed the largest message the handler waits for. New rejects
// n <= 0.
func WithMaxInput(n int) Option {
	return func(c *config) error {
		if n <= 0 {
			return invalidOption("WithMaxInput(%d): must be positive", n)
		}
		c.maxInput = n
		return nil
	}
}

// WithMaxOutput bounds the output a connection may have queued (default
// 4 MiB): a Conn.Write that would pass it queues nothing and returns
// ErrOutputFull. New rejects n <= 0.
//
// Unless WithWriteWatermarks sets them, the watermarks follow the cap: the
// high one is n/4 (at least 1) and the low one a quarter of the high one,
// each at most its default. The default cap thus gives the default
// watermarks, and a cap below them lowers them instead of making reading
// pause only once the output is full.
func WithMaxOutput(n int) Option {
	return func(c *config) error {
		if n <= 0 {
			return invalidOption("WithMaxOutput(%d): must be positive", n)
		}
		c.maxOutput = n
		return nil
	}
}

// WithWriteWatermarks sets backpressure: when a connection's queued output
// reaches high bytes the loop stops reading from it, and resumes when the
// output drains to low bytes or less (defaults 1 MiB and 256 KiB; see
// WithMaxOutput for the defaults under a smaller cap). A peer that sends
// without reading thus cannot make the server buffer without bound. New
// rejects a negative low, a low not below high, and a high above the
// output cap (WithMaxOutput, in whatever order the two are given), at which
// reading would never pause.
func WithWriteWatermarks(low, high int) Option {
	return func(c *config) error {
		switch {
		case low < 0:
			return invalidOption("WithWriteWatermarks(%d, %d): low watermark must not be negative", low, high)
		case low >= high:
			return invalidOption("WithWriteWatermarks(%d, %d): low watermark must be below the high one", low, high)
		}
		c.lowWater, c.highWater, c.watermarks = low, high, true
		return nil
	}
}

// WithGracePeriod bounds how long Stop waits for queued output to leave
// (default 5 s). Connections with nothing queued are closed at once; those
// whose output has not left when the grace period ends are reset. With 0,
// what the shutdown pass's own flush does not send is dropped. New rejects
// d < 0.
func WithGracePeriod(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return invalidOption("WithGracePeriod(%v): must not be negative", d)
		}
		c.gracePeriod = d
		return nil
	}
}

// WithLinger bounds two waits of a connection closed by Close (default
// 5 s). Its queued output may go that long (but at least one second)
// without progress before it is dropped; output that keeps moving is never
// cut. Once the output has left, FIN sent and OnClose run, the loop waits
// that long for the peer's FIN, reading and discarding, before it closes
// the socket anyway. With 0 it does not wait for the peer's FIN. New
// rejects d < 0.
func WithLinger(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return invalidOption("WithLinger(%v): must not be negative", d)
		}
		c.linger = d
		return nil
	}
}

// WithKeepAlive sets TCP keepalive on accepted and dialed TCP connections
// (default 15 s, as in the net package): after d without traffic the
// system probes the peer every d, and after 9 unanswered probes the
// connection fails, so that a connection to a peer that vanished is not
// kept forever. 0 turns keepalive off; New rejects d < 0. Periods are whole
// seconds, rounded up (OpenBSD uses the system's own).
func WithKeepAlive(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return invalidOption("WithKeepAlive(%v): must not be negative", d)
		}
		c.keepAlive = d
		return nil
	}
}

// WithReadTimeout gives every connection a read-idle timeout: one that
// receives nothing for d is closed as by Close (its queued output leaves,
// then FIN), and OnClose reports ErrReadTimeout (default 0: none). An
// IdleHandler is asked first and may keep the connection.
// Conn.SetReadTimeout changes it for one connection. New rejects d < 0.
func WithReadTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return invalidOption("WithReadTimeout(%v): must not be negative", d)
		}
		c.readIdle = d
		return nil
	}
}

// WithWriteTimeout gives every connection a write-idle timeout: one whose
// queued output makes no progress for d (the peer does not read) is closed
// with ErrWriteTimeout (default 0: none). Conn.SetWriteTimeout changes it
// for one connection. New rejects d < 0.
func WithWriteTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return invalidOption("WithWriteTimeout(%v): must not be negative", d)
		}
		c.writeIdle = d
		return nil
	}
}

// WithMaxConns limits the loop to n open connections (default 0: no limit
// but the fd limit). A connection accepted beyond the limit is closed at
// once with a reset, so the client learns at once instead of waiting in the
// backlog, and it is counted in Stats.Rejected. Dialed connections count
// toward the limit but are never refused by it. New rejects n < 0.
func WithMaxConns(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return invalidOption("WithMaxConns(%d): must not be negative", n)
		}
		c.maxConns = n
		return nil
	}
}

// WithPoller selects the readiness mechanism, for example poller.NewPoll for
// poll(2). The default is poller.New, the best one for the system. New
// rejects nil.
func WithPoller(newPoller func() (poller.Poller, error)) Option {
	return func(c *config) error {
		if newPoller == nil {
			return invalidOption("WithPoller(nil): needs a constructor such as poller.New")
		}
		c.newPoller = newPoller
		return nil
	}
}

// WithLogger sets where the loop logs what it cannot return as an error,
// such as a handler's panic (default: slog.Default(), which nil also
// selects).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		c.logger = l
		return nil
	}
}

// WithTLSHandshakeTimeout bounds the TLS handshake of each connection of
// ListenTLS and DialTLS (default 10 s), from the accept or the connect,
// including the waits for the ClientHello and for a handshake slot
// (WithMaxTLSHandshakes): a connection whose handshake is not done by then
// is closed with ErrTLSHandshakeTimeout. New rejects d <= 0.
func WithTLSHandshakeTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return invalidOption("WithTLSHandshakeTimeout(%v): must be positive", d)
		}
		c.tlsHandshakeTimeout = d
		return nil
	}
}

// WithMaxTLSHandshakes bounds how many server TLS handshakes (ListenTLS)
// work at once in the loop (default four per CPU), each on a goroutine of
// its own; the connections beyond wait their turn, in order. A handshake
// counts only while it has bytes to work on: one that has answered and
// waits for its peer's next flight keeps its goroutine but lets another
// work, so clients that go silent mid-handshake cannot make the others
// wait (they are bounded by WithTLSHandshakeTimeout). A server connection
// starts only once the client's first record (its ClientHello) has
// arrived whole, so clients that connect and send little take no
// goroutine. Handshakes of DialTLS are not bounded by it: the handler
// chooses how many it dials. New rejects n <= 0.
func WithMaxTLSHandshakes(n int) Option {
	return func(c *config) error {
		if n <= 0 {
			return invalidOption("WithMaxTLSHandshakes(%d): must be positive", n)
		}
		c.maxHandshakes = n
		return nil
	}
}

// WithPacketQueue bounds the datagrams a packet socket may have queued and
// not yet sent, in number and in bytes (defaults 4096 and 4 MiB). They
// wait only while the socket's send buffer is full; a datagram that would
// pass either bound is refused: WriteTo, Reply and Write return
// ErrOutputFull and count it in Stats.PacketsDropped. New rejects
// datagrams <= 0 and bytes <= 0.
func WithPacketQueue(datagrams, bytes int) Option {
	return func(c *config) error {
		if datagrams <= 0 || bytes <= 0 {
			return invalidOption("WithPacketQueue(%d, %d): both must be positive", datagrams, bytes)
		}
		c.maxQueued, c.maxQueuedBytes = datagrams, bytes
		return nil
	}
}
