package websocket

import (
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net"
	"net/url"

	"github.com/goreactor/reactor/reactor"
)

// Dialer makes client connections served by one Handler, with one set of
// options. Its connections on a loop share that loop's state (the source
// of masking keys, buffers, a compressor): many connections on a loop
// should come from one Dialer. It is safe for concurrent use by the loops
// of a Group.
type Dialer struct {
	ep *endpoint
}

// NewDialer returns a Dialer whose connections are served by h, with the
// shared options and the client's. It returns an error wrapping
// ErrInvalidOption, naming the option and the value, for an option out of
// its range or one of the server's, or for a nil h.
func NewDialer(h Handler, opts ...DialOption) (*Dialer, error) {
	if h == nil {
		return nil, invalidOption("NewDialer: nil Handler")
	}
	cfg, err := newConfig(sideClient, opts)
	if err != nil {
		return nil, err
	}
	return &Dialer{ep: newEndpoint(h, cfg)}, nil
}

// Dial is NewDialer(h, opts...) followed by its Dial: a connection with a
// Dialer of its own.
func Dial(l *reactor.Loop, url string, h Handler, opts ...DialOption) (*Conn, error) {
	d, err := NewDialer(h, opts...)
	if err != nil {
		return nil, err
	}
	return d.Dial(l, url)
}

// Dial connects to url, "ws://host[:port]/path?query" or "wss://...",
// on loop l, and returns the connection at once (its Context may be set
// now); it must be called on the loop's goroutine, or before Run, as
// reactor.Loop.Dial. The upgrade request is sent once connected (and the
// TLS handshake over, for wss, with WithTLSConfig), and OnOpen runs once
// the server's answer has been checked: 101, "Upgrade: websocket",
// "Connection: Upgrade", the Sec-WebSocket-Accept of the key sent, and
// the extension and subprotocol the client offered, if any. If the dial
// or the handshake fails, OnClose runs with CloseAbnormal and the error
// (ErrHandshake, wrapped with what was wrong, for a bad answer), and
// OnOpen never does. Dial returns an error itself only when it cannot
// start: a URL it cannot dial (ErrURL), or reactor.Loop.Dial's errors. A
// host name is resolved first, which blocks the loop (see
// reactor.Loop.Dial): give an IP address on a loop that serves others.
//
// The client masks every frame with a fresh key (RFC 6455 §5.3) from its
// loop's source, refuses masked frames from the server, and takes the
// same limits as a server (WithMaxMessage, WithPingInterval,
// WithIdleTimeout).
func (d *Dialer) Dial(l *reactor.Loop, rawURL string) (*Conn, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Hostname() == "" || (u.Scheme != "ws" && u.Scheme != "wss") {
		return nil, fmt.Errorf("%w: %q", ErrURL, rawURL)
	}
	port := u.Port()
	switch {
	case port != "":
	case u.Scheme == "wss":
		port = "443"
	default:
		port = "80"
	}
	addr := net.JoinHostPort(u.Hostname(), port)
	cfg := &d.ep.cfg
	var nc *reactor.Conn
	if u.Scheme == "wss" {
		tcfg := cfg.tlsConfig
		if tcfg == nil {
			tcfg = &tls.Config{}
		}
		if tcfg.ServerName == "" && !tcfg.InsecureSkipVerify {
			tcfg = tcfg.Clone()
			tcfg.ServerName = u.Hostname()
		}
		nc, err = l.DialTLS("tcp", addr, tcfg, cfg.dialTimeout)
	} else {
		nc, err = l.Dial("tcp", addr, cfg.dialTimeout)
	}
	if err != nil {
		return nil, err
	}
	c := &Conn{nc: nc, ls: d.ep.loopState(l), state: stHandshake}
	nc.SetHandler(c)
	// The record of a message holds, during the handshake, the
	// Sec-WebSocket-Accept to expect.
	m := c.ls.takeMessage()
	c.msg = m
	var nonce [16]byte
	c.ls.keys.nonce(nonce[:])
	key := base64.StdEncoding.EncodeToString(nonce[:])
	m.buf = AppendAcceptKey(m.buf[:0], []byte(key))
	_, _ = nc.Write(c.request(u, key)) // a failed connect shows in OnClose
	return c, nil
}

// request returns the upgrade request for u with key.
func (c *Conn) request(u *url.URL, key string) []byte {
	cfg := &c.ls.ep.cfg
	b := make([]byte, 0, 256)
	b = fmt.Appendf(b, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n", u.RequestURI(), u.Host, key)
	for i, p := range cfg.protocols {
		switch {
		case i == 0:
			b = append(b, "Sec-WebSocket-Protocol: "...)
		default:
			b = append(b, ", "...)
		}
		b = append(b, p...)
		if i == len(cfg.protocols)-1 {
			b = append(b, "\r\n"...)
		}
	}
	if cfg.compress {
		b = append(b, "Sec-WebSocket-Extensions: "+ClientDeflateOffer+"\r\n"...)
	}
	for _, f := range cfg.header {
		b = fmt.Appendf(b, "%s: %s\r\n", f.name, f.value)
	}
	return append(b, "\r\n"...)
}

// maxAnswer bounds the head of the server's answer to the upgrade request.
const maxAnswer = 16 << 10

// readAnswer reads the server's answer to the upgrade request and, if it
// switches to WebSocket, opens the connection and consumes the answer. It
// returns false while the answer has not all arrived, and when it is
// refused (the connection then fails).
func (c *Conn) readAnswer(nc *reactor.Conn) bool {
	p, _ := nc.Peek(0)
	end := headEnd(p)
	if end < 0 {
		if len(p) > maxAnswer || nc.InputFull() {
			c.failHandshake("the answer's head is too long")
		}
		return false
	}
	ans, why := c.parseAnswer(p[:end])
	if why != "" {
		c.failHandshake(why)
		return false
	}
	nc.Discard(end)
	c.releaseMessage()
	c.proto = ans.proto
	if ans.deflate {
		c.flags |= flagDeflate
	}
	c.state = stOpen
	c.open()
	return true
}

// failHandshake fails a dialed connection whose server did not switch to
// WebSocket: OnClose reports ErrHandshake, with why.
func (c *Conn) failHandshake(why string) {
	c.closeTCP(fmt.Errorf("%w: %s", ErrHandshake, why))
}
