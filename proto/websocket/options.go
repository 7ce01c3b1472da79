package websocket

import (
	"compress/flate"
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	"github.com/goreactor/reactor/internal/ascii"
	"github.com/goreactor/reactor/proto/http1"
)

// Option configures the connections of an Upgrader (NewUpgrader) or of a
// Dialer (NewDialer, Dial). Some options are shared by both sides
// (WithMaxMessage, WithPingInterval, WithIdleTimeout, WithCloseTimeout),
// the others belong to one: given to the other side, or given a value out
// of its range, an option makes the constructor return an error wrapping
// ErrInvalidOption that names the option and the value.
type Option func(*config) error

// DialOption is an Option given to Dial or NewDialer: the shared options
// and the client's (WithTLSConfig, WithHeader, WithDialTimeout,
// WithClientCompression, WithClientSubprotocols).
type DialOption = Option

// Defaults.
const (
	// DefaultMaxMessage is the largest message a connection takes unless
	// WithMaxMessage says otherwise.
	DefaultMaxMessage = 1 << 20
	// DefaultCloseTimeout bounds the wait for the peer's close frame
	// after Close.
	DefaultCloseTimeout = 5 * time.Second
	// DefaultDialTimeout bounds a dial's connect (and TLS handshake), and
	// then the wait for the server's answer to the upgrade request.
	DefaultDialTimeout = 30 * time.Second
)

// side says which constructor an option is for.
type side uint8

const (
	sideBoth side = iota
	sideServer
	sideClient
)

type config struct {
	maxMessage   int
	compress     bool // permessage-deflate: accepted (server) or offered (client)
	level        int  // and the level messages are compressed at
	pingInterval time.Duration
	idleTimeout  time.Duration
	closeTimeout time.Duration

	// The server's.
	checkOrigin func(origin []byte, r *http1.Request) bool
	protocols   []string // subprotocols: the server's in order of preference, or the client's offer

	// The client's.
	tlsConfig   *tls.Config
	header      []headerField
	dialTimeout time.Duration

	misplaced []error // options of the other side
}

// headerField is a field WithHeader adds to a client's upgrade request.
type headerField struct{ name, value string }

func defaultConfig() config {
	return config{
		maxMessage:   DefaultMaxMessage,
		level:        flate.BestSpeed,
		closeTimeout: DefaultCloseTimeout,
		dialTimeout:  DefaultDialTimeout,
	}
}

// newConfig applies opts for side s, joining the errors of every option.
func newConfig(s side, opts []Option) (config, error) {
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
	for _, err := range cfg.misplaced {
		var sd sideError
		if errors.As(err, &sd) && sd.s != s {
			errs = append(errs, err)
		}
	}
	cfg.misplaced = nil
	if err := errors.Join(errs...); err != nil {
		return config{}, err
	}
	return cfg, nil
}

// sideError is the error of an option given to the other side.
type sideError struct {
	s    side
	name string
}

func (e sideError) Error() string {
	if e.s == sideServer {
		return fmt.Sprintf("%v: %s is an option of the server (NewUpgrader)", ErrInvalidOption, e.name)
	}
	return fmt.Sprintf("%v: %s is an option of the client (Dial, NewDialer)", ErrInvalidOption, e.name)
}

func (e sideError) Unwrap() error { return ErrInvalidOption }

// only notes that the option name belongs to side s: newConfig refuses it
// on the other side.
func (c *config) only(s side, name string) {
	c.misplaced = append(c.misplaced, sideError{s, name})
}

func invalidOption(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidOption, fmt.Sprintf(format, args...))
}

// WithMaxMessage sets the largest message a connection takes, in bytes
// (default DefaultMaxMessage, 1 MiB): a frame whose length would take its
// message past it is refused at its header, before its payload arrives and
// without allocating, and the connection closes with 1009 (message too
// big). It bounds a compressed message twice: its compressed payload, and
// what it inflates to, which stops at n+1 bytes (a zip bomb costs no more
// than n). It bounds what the peer sends, not what the connection sends:
// that is bounded by the loop's output cap (reactor.WithMaxOutput).
// Shared by both sides; rejects n <= 0.
func WithMaxMessage(n int) Option {
	return func(c *config) error {
		if n <= 0 {
			return invalidOption("WithMaxMessage(%d): must be positive", n)
		}
		c.maxMessage = n
		return nil
	}
}

// WithCompression turns on permessage-deflate (RFC 7692) for clients that
// offer it (default off): messages of at least 128 bytes are sent
// compressed at level (a compress/flate level, from flate.HuffmanOnly to
// flate.BestCompression; flate.BestSpeed is the usual choice) when that
// makes them shorter, and compressed messages are taken. Neither side
// keeps a context between messages (no context takeover), so a connection
// holds no compressor while idle: each loop has one compressor and one
// decompressor for all its connections. Server only.
func WithCompression(level int) Option {
	return func(c *config) error {
		c.only(sideServer, "WithCompression")
		return c.setCompression("WithCompression", level)
	}
}

// WithClientCompression is WithCompression for a client: it offers
// permessage-deflate (ClientDeflateOffer) and uses it if the server
// accepts. Client only.
func WithClientCompression(level int) Option {
	return func(c *config) error {
		c.only(sideClient, "WithClientCompression")
		return c.setCompression("WithClientCompression", level)
	}
}

func (c *config) setCompression(name string, level int) error {
	if level < flate.HuffmanOnly || level > flate.BestCompression {
		return invalidOption("%s(%d): not a compress/flate level (%d to %d)", name, level, flate.HuffmanOnly, flate.BestCompression)
	}
	c.compress, c.level = true, level
	return nil
}

// WithCheckOrigin sets the check of a request's Origin field: check gets
// the field's value (nil when there is none) and the request, and returns
// whether to upgrade it; a refused request gets 403 Forbidden. The default
// accepts a request without Origin (not from a browser) and one whose
// Origin's host and port are the request's Host, in any case, as a browser
// sends for a page served by the same server; it refuses the others, so
// that a page of another site cannot open a WebSocket with the user's
// cookies. Server only; rejects a nil check.
func WithCheckOrigin(check func(origin []byte, r *http1.Request) bool) Option {
	return func(c *config) error {
		c.only(sideServer, "WithCheckOrigin")
		if check == nil {
			return invalidOption("WithCheckOrigin(nil)")
		}
		c.checkOrigin = check
		return nil
	}
}

// WithSubprotocols sets the subprotocols the server speaks, in its order
// of preference: the first of them that the client offers in
// Sec-WebSocket-Protocol is chosen (Conn.Subprotocol), and a client that
// offers none of them is upgraded without one. Server only; rejects a name
// that is not an HTTP token, and more than 255 names.
func WithSubprotocols(list ...string) Option {
	return func(c *config) error {
		c.only(sideServer, "WithSubprotocols")
		return c.setProtocols("WithSubprotocols", list)
	}
}

// WithClientSubprotocols sets the subprotocols a client offers, in its
// order of preference; the server's choice is Conn.Subprotocol, and an
// answer that names one not offered fails the handshake (ErrHandshake).
// Client only; rejects a name that is not an HTTP token, and more than 255
// names.
func WithClientSubprotocols(list ...string) Option {
	return func(c *config) error {
		c.only(sideClient, "WithClientSubprotocols")
		return c.setProtocols("WithClientSubprotocols", list)
	}
}

func (c *config) setProtocols(name string, list []string) error {
	if len(list) > 255 {
		return invalidOption("%s: %d names, more than 255", name, len(list))
	}
	for _, p := range list {
		if !isToken(p) {
			return invalidOption("%s(%q): not a token", name, p)
		}
	}
	c.protocols = append([]string(nil), list...)
	return nil
}

// WithPingInterval turns keepalive on (default 0, off): after d in which
// nothing has arrived from the peer, the connection sends a ping; if
// nothing arrives within another d, the peer is taken for gone and the
// connection closes, sending 1001 (going away) without waiting for an
// answer, and OnClose reports ErrPingTimeout. It runs on the loop's read
// timeout (reactor.Conn.SetReadTimeout), so it costs one timer per
// connection, re-armed lazily: nothing per message. Shared by both sides;
// rejects d < 0.
func WithPingInterval(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return invalidOption("WithPingInterval(%v): must not be negative", d)
		}
		c.pingInterval = d
		return nil
	}
}

// WithIdleTimeout closes a connection on which the peer has sent nothing
// but pongs for d (default 0, off): no message, no ping, no close. The
// connection sends 1001 (going away) and closes without waiting for an
// answer, and OnClose reports ErrIdleTimeout. It is checked on the loop's
// read timeout, when nothing at all has arrived for the ping interval
// (WithPingInterval), or for d without keepalive: the close comes at the
// first such check at least d after the peer's last sign of activity, so
// up to one interval late. Shared by both sides; rejects d < 0.
func WithIdleTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return invalidOption("WithIdleTimeout(%v): must not be negative", d)
		}
		c.idleTimeout = d
		return nil
	}
}

// WithCloseTimeout bounds the wait for the peer's close frame after Close
// (default DefaultCloseTimeout, 5 s): then the connection closes anyway,
// and OnClose reports ErrCloseTimeout. Shared by both sides; rejects
// d <= 0.
func WithCloseTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return invalidOption("WithCloseTimeout(%v): must be positive", d)
		}
		c.closeTimeout = d
		return nil
	}
}

// WithTLSConfig sets the TLS configuration of wss:// dials (default: the
// system's roots, and the URL's host as the server name). Client only;
// rejects nil.
func WithTLSConfig(cfg *tls.Config) Option {
	return func(c *config) error {
		c.only(sideClient, "WithTLSConfig")
		if cfg == nil {
			return invalidOption("WithTLSConfig(nil)")
		}
		c.tlsConfig = cfg
		return nil
	}
}

// WithHeader adds a field to the client's upgrade request (Origin,
// Cookie, Authorization, ...). Client only; rejects a name that is not a
// token, a value with a control character but tab, and the fields the
// client writes itself (Host, Upgrade, Connection and the
// Sec-WebSocket-* fields: use the options for those).
func WithHeader(name, value string) Option {
	return func(c *config) error {
		c.only(sideClient, "WithHeader")
		if !isToken(name) || !validValue(value) {
			return invalidOption("WithHeader(%q, %q): not a valid field", name, value)
		}
		for _, own := range ownFields {
			if ascii.EqualFold([]byte(name), own) {
				return invalidOption("WithHeader(%q): a field the client writes itself", name)
			}
		}
		c.header = append(c.header, headerField{name, value})
		return nil
	}
}

// ownFields are the fields of the upgrade request that the client writes.
var ownFields = [...]string{"host", "upgrade", "connection", "sec-websocket-key",
	"sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol"}

// WithDialTimeout bounds a dial (default DefaultDialTimeout): the connect
// and the TLS handshake within d, then the server's answer to the upgrade
// request within d (else OnClose reports ErrHandshakeTimeout). Client
// only; rejects d <= 0.
func WithDialTimeout(d time.Duration) Option {
	return func(c *config) error {
		c.only(sideClient, "WithDialTimeout")
		if d <= 0 {
			return invalidOption("WithDialTimeout(%v): must be positive", d)
		}
		c.dialTimeout = d
		return nil
	}
}

// isToken reports whether s is an HTTP token (RFC 9110 §5.6.2).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		case b < 0x80 && b > ' ' && !isSeparator(b) && b != 0x7f:
		default:
			return false
		}
	}
	return true
}

func isSeparator(b byte) bool {
	switch b {
	case '(', ')', '<', '>', '@', ',', ';', ':', '\\', '"', '/', '[', ']', '?', '=', '{', '}':
		return true
	}
	return false
}

// validValue reports whether v may be a field's value: no control
// character but tab.
func validValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if b := v[i]; b < ' ' && b != '\t' || b == 0x7f {
			return false
		}
	}
	return true
}
