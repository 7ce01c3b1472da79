package load

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// Config describes one run. A zero field takes its default (see
// DefaultConfig), except Warmup, Rate, ServerPID and Progress, whose zero
// means none.
type Config struct {
	Network string // "tcp", "tcp4", "tcp6" or "unix"; for RunUDP "udp", "udp4" or "udp6"
	Addr    string // host:port on a loopback address, or a unix socket path
	Server  string // a label for the result, such as the server's name

	Conns int // connections, all on one loop (with TLS but not WebSocket: a goroutine each; for RunUDP: sockets, a goroutine each)
	Size  int // bytes per message
	// Depth is how many messages each connection keeps in flight: 1 is
	// ping-pong, more is pipelining. In open loop (Rate > 0) it bounds
	// them: a message that comes due while its connection has Depth in
	// flight waits for an echo, and is then sent at once.
	Depth int
	// Rate is the open-loop rate, messages per second over all
	// connections, each connection taking an equal share on a fixed
	// schedule; latency is measured from when the schedule says a message
	// should have been sent, so queueing delay is not hidden (coordinated
	// omission). Zero is closed loop: a connection sends its next message
	// when an echo completes.
	Rate float64

	Warmup   time.Duration // traffic before the measured window, not measured
	Duration time.Duration // the measured window
	Drain    time.Duration // how long to wait for echoes in flight at the end

	DialTimeout time.Duration // per connection
	ServerPID   int           // if > 0: measure this process's CPU time (Linux)
	Progress    time.Duration // if > 0: a progress line this often
	Log         io.Writer     // errors and progress lines; nil: discarded

	// LagLimit is, in open loop, the lag above which a message counts as
	// late, and the generator is behind its schedule if more than 1% of
	// the window's messages are (see DefaultLagLimit).
	LagLimit time.Duration

	// TLS, if set, makes every connection a crypto/tls client with this
	// configuration (TLSClientConfig makes the usual one). Such a run
	// has a goroutine per connection instead of the loop (see stream.go,
	// and pacer.go for open loop); a WebSocket run (wss) stays on the
	// loop, whose TLS (reactor.Loop.DialTLS) runs crypto/tls too.
	TLS *tls.Config

	// WebSocket makes every connection a WebSocket client of an echo
	// server (RFC 6455, ws.go): it upgrades with a GET of Path, then sends
	// each message as one masked binary frame, and checks the echoed
	// messages, in whatever frames they come. Size is a message's payload.
	WebSocket bool
	Path      string // the upgrade request's target; "/" if empty

	// LossTimeout is, for RunUDP, how long a datagram may go without its
	// echo before it is counted lost and a new one is sent in its place.
	LossTimeout time.Duration

	// slowSend, if set, runs before every open-loop send: the tests'
	// way to make the generator fall behind.
	slowSend func()
}

// DefaultConfig returns the defaults: 50 connections to 127.0.0.1:7777 over
// TCP, ping-pong with 64-byte messages, closed loop, 1 s of warmup and a 5 s
// measured window; in open loop, DefaultLagLimit; for UDP, a datagram is
// lost after 200 ms without its echo.
func DefaultConfig() Config {
	return Config{
		Network:     "tcp",
		Addr:        "127.0.0.1:7777",
		Conns:       50,
		Size:        64,
		Depth:       1,
		Warmup:      time.Second,
		Duration:    5 * time.Second,
		Drain:       time.Second,
		DialTimeout: 5 * time.Second,
		LagLimit:    DefaultLagLimit,
		LossTimeout: 200 * time.Millisecond,
	}
}

// Limits on a run, so that a typing mistake cannot ask for gigabytes.
const (
	MaxSize     = 16 << 20 // bytes per message
	MaxInFlight = 64 << 20 // Size * Depth: bytes in flight per connection
	// MaxTLSInFlight is MaxInFlight for a TLS run. A TLS connection writes
	// from the goroutine that reads its echoes, so while it writes it
	// does not read: what is in flight must fit in the socket buffers of
	// both ends, or a server that blocks on its own writes would stall
	// both. Loopback's smallest default buffers hold about twice this.
	MaxTLSInFlight = 128 << 10
)

// ErrNotLoopback is returned for an address that is not on this machine's
// loopback interface: the load generator sends traffic nowhere else.
var ErrNotLoopback = errors.New("load: only loopback addresses (127.0.0.0/8, ::1, localhost) and unix sockets are allowed")

// withDefaults fills in the defaults and checks the result.
func (c Config) withDefaults() (Config, error) {
	d := DefaultConfig()
	if c.Network == "" {
		c.Network = d.Network
	}
	if c.Addr == "" {
		c.Addr = d.Addr
	}
	if c.Conns == 0 {
		c.Conns = d.Conns
	}
	if c.Size == 0 {
		c.Size = d.Size
	}
	if c.Depth == 0 {
		c.Depth = d.Depth
	}
	if c.Duration == 0 {
		c.Duration = d.Duration
	}
	if c.Drain == 0 {
		c.Drain = d.Drain
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = d.DialTimeout
	}
	if c.LossTimeout == 0 {
		c.LossTimeout = d.LossTimeout
	}
	if c.LagLimit == 0 {
		c.LagLimit = d.LagLimit
	}
	if c.WebSocket && c.Path == "" {
		c.Path = "/"
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	switch {
	case c.Conns < 0:
		return c, fmt.Errorf("load: %d connections", c.Conns)
	case c.Size < 0 || c.Size > MaxSize:
		return c, fmt.Errorf("load: message size %d is not in [1, %d]", c.Size, MaxSize)
	case c.Depth < 0:
		return c, fmt.Errorf("load: depth %d", c.Depth)
	case int64(c.Size)*int64(c.Depth) > MaxInFlight:
		return c, fmt.Errorf("load: size × depth = %d bytes in flight per connection, more than %d", c.Size*c.Depth, MaxInFlight)
	case c.Rate < 0:
		return c, fmt.Errorf("load: rate %g", c.Rate)
	case c.Warmup < 0 || c.Duration < 0 || c.Drain < 0 || c.DialTimeout < 0 || c.Progress < 0 || c.LossTimeout < 0 || c.LagLimit < 0:
		return c, errors.New("load: negative duration")
	case !c.WebSocket && c.Path != "":
		return c, errors.New("load: a path goes with WebSocket")
	case c.WebSocket && CheckWebSocketPath(c.Path) != nil:
		return c, CheckWebSocketPath(c.Path)
	case c.TLS != nil && !c.WebSocket && int64(c.Size)*int64(c.Depth) > MaxTLSInFlight:
		return c, fmt.Errorf("load: size × depth = %d bytes in flight per TLS connection, more than %d", c.Size*c.Depth, MaxTLSInFlight)
	}
	return c, CheckLoopback(c.Network, c.Addr)
}

// CheckLoopback returns nil if address, on network, is on this machine: a
// unix socket, "localhost", or an IP address in 127.0.0.0/8 or ::1. Host
// names other than localhost are refused even if they would resolve to a
// loopback address, and so is an empty host, which would mean "any".
// Networks are those of Config.Network: TCP, unix and UDP.
func CheckLoopback(network, address string) error {
	switch network {
	case "unix":
		if address == "" {
			return errors.New("load: empty unix socket path")
		}
		return nil
	case "tcp", "tcp4", "tcp6", "udp", "udp4", "udp6":
	default:
		return fmt.Errorf("load: unsupported network %q", network)
	}
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%w: %q", ErrNotLoopback, address)
	}
	return nil
}

// CheckWebSocketPath returns nil if p may be the target of a WebSocket
// run's upgrade request (Config.Path): an absolute path, with a query if
// need be, in visible ASCII: no spaces, no control bytes.
func CheckWebSocketPath(p string) error {
	ok := len(p) > 0 && p[0] == '/'
	for i := 0; ok && i < len(p); i++ {
		ok = ' ' < p[i] && p[i] < 0x7f
	}
	if !ok {
		return fmt.Errorf("load: WebSocket path %q: it must start with / and hold visible ASCII only", p)
	}
	return nil
}

// IsUDP reports whether network is one of RunUDP's.
func IsUDP(network string) bool {
	return network == "udp" || network == "udp4" || network == "udp6"
}

// streamOnly refuses a UDP network to the runs of connections.
func (c Config) streamOnly() error {
	if IsUDP(c.Network) {
		return fmt.Errorf("load: %s carries datagrams: RunUDP drives it", c.Network)
	}
	return nil
}

// plainTLS reports whether the run's connections are crypto/tls clients,
// a goroutine each (stream.go): TLS without WebSocket.
func (c Config) plainTLS() bool {
	return c.TLS != nil && !c.WebSocket
}
