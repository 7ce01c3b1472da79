package reactor

import (
	"crypto/tls"
	"io"
	"net"
	"time"
)

// TLS on the loop, with the standard crypto/tls as it is.
//
// A TLS connection is a Conn with a tls.Conn over an in-memory transport
// (tls_transport.go). The handshake runs on a goroutine of its own, since
// crypto/tls cannot resume a handshake that stopped for want of bytes: the
// loop feeds it what it reads from the socket and sends what it writes,
// and the goroutine blocks, not the loop. A server connection starts its
// handshake only once the client's first record has arrived whole, and at
// most WithMaxTLSHandshakes work at once per loop, each holding a slot
// while it has bytes to work on (see handshakes); the others wait their
// turn in order. The handshake timeout (WithTLSHandshakeTimeout) counts
// from the accept (or the connect), the waits included.
//
// When the handshake has succeeded the goroutine ends and the loop owns the
// tls.Conn: the read phase decrypts the records as they arrive and OnData
// sees the plaintext through Peek, Next and Discard, exactly as on a plain
// connection; Write encrypts into the queued output, which leaves in the
// flush phase. From OnOpen on, a handler may assume that the handshake is
// complete (ConnectionState tells what was negotiated) and that every
// callback runs on the loop's goroutine, as for any connection. Close and
// CloseWrite send close_notify before FIN. A peer that sends FIN without
// close_notify has truncated the stream: OnClose reports
// io.ErrUnexpectedEOF. A failed handshake gets OnClose, with the error,
// and no OnOpen.

// tlsConn is the TLS side of a connection.
type tlsConn struct {
	c         *Conn
	cfg       *tls.Config // a dialed connection's, until its handshake begins
	tc        *tls.Conn
	tr        *tlsTransport
	server    bool
	started   bool   // the handshake was asked for: its goroutine runs, or it waits for a slot
	running   bool   // its handshake goroutine runs
	queued    bool   // in the loop's list of server handshakes waiting for a slot
	open      bool   // the handshake succeeded: the loop owns the tls.Conn
	early     []byte // plaintext written before OnOpen (DialTLS), encrypted once open
	notified  bool   // the peer will send no more: its close_notify was read, or its FIN (see truncated)
	truncated bool   // the peer's FIN came without close_notify
	failed    bool   // crypto/tls failed: no close_notify can follow
}

// tlsMaxCiphertext is the largest body a TLS record may have (TLS 1.2's
// bound; 1.3's is lower).
const tlsMaxCiphertext = 16384 + 2048

// ListenTLS is Listen for TLS: the loop accepts on network and address and
// runs the server side of a TLS handshake, with cfg, on each connection
// before it calls OnOpen (see the package documentation for where the
// handshake and the records are processed). cfg must have a certificate
// (Certificates, GetCertificate or GetConfigForClient) and must not be
// changed afterwards.
func (l *Loop) ListenTLS(network, address string, cfg *tls.Config) (net.Addr, error) {
	if err := checkServerConfig(cfg); err != nil {
		return nil, err
	}
	return listenAddr(l.listen(network, address, false, cfg))
}

func checkServerConfig(cfg *tls.Config) error {
	if cfg == nil || len(cfg.Certificates) == 0 && cfg.GetCertificate == nil && cfg.GetConfigForClient == nil {
		return ErrTLSConfig
	}
	return nil
}

// DialTLS is Dial followed by the client side of a TLS handshake with cfg:
// OnOpen runs once the handshake has succeeded; if it fails, OnClose
// reports the error and OnOpen never runs. timeout bounds the connect, and
// WithTLSHandshakeTimeout the handshake. If cfg has no ServerName, the
// host of address is used (to verify the certificate, and as the name the
// client asks for), as tls.Dial does.
// Bytes written before OnOpen are encrypted and sent once the handshake is
// done.
func (l *Loop) DialTLS(network, address string, cfg *tls.Config, timeout time.Duration) (*Conn, error) {
	if cfg == nil {
		cfg = &tls.Config{}
	}
	if cfg.ServerName == "" {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			host = address
		}
		cfg = cfg.Clone()
		cfg.ServerName = host
	}
	return l.dial(network, address, timeout, cfg)
}

// ConnectionState returns what the TLS handshake negotiated (version,
// cipher suite, ALPN protocol, peer certificates, resumption), and false
// for a plain connection or one whose handshake did not succeed. It may be
// called until OnClose returns.
func (c *Conn) ConnectionState() (tls.ConnectionState, bool) {
	t := c.tlsSide()
	if t == nil || !t.open {
		// Not asked of a handshake that may still run: its goroutine holds
		// the tls.Conn.
		return tls.ConnectionState{}, false
	}
	return t.tc.ConnectionState(), true
}

// earlyTLS returns how many bytes a TLS connection that is not open yet
// keeps for once it is (see writeTLS).
func (c *Conn) earlyTLS() int {
	if t := c.tlsSide(); t != nil {
		return len(t.early)
	}
	return 0
}

// tlsSide returns the TLS side of a TLS connection, nil for a plain one. It
// is kept in the connection's extras, which a TLS connection always has
// (the handshake deadline), so that a plain Conn is no larger for TLS.
func (c *Conn) tlsSide() *tlsConn {
	if !c.has(factTLS) {
		return nil
	}
	return c.ext.tls
}

// beginTLS makes a connection that has just been accepted or connected a
// TLS one, in the handshake state: the handshake starts once it can (see
// maybeStart) and must be over by the handshake timeout.
func (c *Conn) beginTLS(cfg *tls.Config, server bool) {
	l := c.loop
	c.state = stHandshake
	c.set(factTLS)
	tm := c.extras()
	if tm.tls == nil {
		tm.tls = &tlsConn{c: c}
	}
	t := tm.tls
	t.server, t.cfg = server, nil
	t.tr = newTLSTransport(c)
	t.tr.resume = c.resumeHandshakeRead
	if server {
		// A server handshake works only while it holds one of the loop's
		// slots (see handshakes).
		t.tr.slot, t.tr.release = false, l.handshakes().released
		t.tc = tls.Server(t.tr, cfg)
	} else {
		t.tc = tls.Client(t.tr, cfg)
	}
	tm.connectBy = after(l.now(), l.cfg.tlsHandshakeTimeout)
	c.armTimers()
	c.updateInterest()
	if !server {
		l.handshakes().ready(t) // a client speaks first
	}
}

// feedHandshake passes bytes read during the handshake to the handshake
// goroutine; a server's handshake starts once the client's first record is
// whole, and goes on once it has a slot.
func (c *Conn) feedHandshake(p []byte) {
	t := c.ext.tls
	pause, idle := t.tr.feed(p)
	if pause {
		c.set(factHandshakeFull)
		c.updateInterest()
	}
	switch {
	case !t.started:
		if firstRecordWhole(t.tr) {
			c.loop.handshakes().ready(t)
		}
	case idle && !t.queued:
		// Its goroutine gave its slot back while it waited for these bytes.
		c.loop.handshakes().want(t)
	}
}

// firstRecordWhole reports whether what the client sent holds a whole first
// record, or shows it is no TLS record at all (then crypto/tls gives the
// error at once).
func firstRecordWhole(tr *tlsTransport) bool {
	tr.mu.Lock()
	h := tr.in[tr.r:]
	tr.mu.Unlock()
	if len(h) > 0 && h[0] != 0x16 {
		return true // not a handshake record
	}
	if len(h) < 5 {
		return false
	}
	size := int(h[3])<<8 | int(h[4])
	if size > tlsMaxCiphertext {
		return true // more than a record may hold: crypto/tls refuses it at once
	}
	return len(h) >= 5+size
}

// handshakeFIN handles the peer's FIN during the handshake. A running
// handshake reads the end and fails, unless it already has all it needs;
// one that has not started never will.
func (c *Conn) handshakeFIN() {
	t := c.ext.tls
	t.tr.shut(io.EOF)
	if t.started {
		c.updateInterest()
		return
	}
	c.loop.st[statTLSFailures]++
	c.err = io.ErrUnexpectedEOF
	var b [1]byte
	if len(t.tr.head(b[:])) == 0 {
		c.err = io.EOF // it sent nothing at all
	}
	c.Close()
}

// resumeHandshakeRead is posted by the handshake goroutine when it has
// drained the input that made the loop stop reading.
func (c *Conn) resumeHandshakeRead() {
	c.clear(factHandshakeFull)
	c.updateInterest()
}

// handshakeOver runs on the loop when the handshake goroutine has ended.
func (t *tlsConn) handshakeOver(err error) {
	c, l := t.c, t.c.loop
	if c.state != stHandshake {
		return // closed meanwhile; its OnClose has run or will
	}
	if err != nil {
		l.st[statTLSFailures]++
		t.failed = true
		l.st[statOutputDropped] += uint64(len(t.early))
		t.early = nil
		c.clear(factCloseAfterConnect)
		c.err = err
		c.Close() // the alert crypto/tls wrote leaves first
		return
	}
	l.st[statTLSHandshakes]++
	t.open = true
	t.tr.src = t.tr.toRecords()
	c.clear(factHandshakeFull)
	c.state = stOpen
	tm := c.ext
	tm.connectBy, tm.lastRead, tm.lastWrite = 0, l.clock, l.clock
	if len(t.early) > 0 {
		p := t.early
		t.early = nil
		c.queuePlain(p)
	}
	if c.has(factCloseAfterConnect) {
		c.clear(factCloseAfterConnect)
		c.Close() // closed before OnOpen: the early bytes leave, then close_notify
	} else {
		if c.has(factWantFIN) {
			t.closeNotify() // CloseWrite before OnOpen
		}
		c.updateInterest()
		c.start()
	}
	// Records that came with the handshake's last message, or that crypto/tls
	// read along with it, get no readiness event of their own.
	t.records(nil)
	if c.has(factPeerEOF) && c.state == stOpen {
		c.peerFINTLS()
	}
}

// release ends what the TLS side holds when the fd is released: a
// handshake goroutine still waiting for bytes gets an error and ends.
func (t *tlsConn) release() {
	if t.tr != nil { // nil for a dialed connection that never connected
		t.tr.shut(net.ErrClosed)
	}
	t.early = nil
}
