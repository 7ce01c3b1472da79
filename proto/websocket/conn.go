package websocket

import (
	"github.com/goreactor/reactor/reactor"
)

// Conn is a WebSocket connection on a reactor loop, server side (made by
// an Upgrader) or client side (made by Dial). Its methods run on the
// loop's goroutine, as reactor.Conn's do: in the Handler's callbacks, or
// in a function given to the loop's Post. A *Conn stays valid after it
// closes; its write methods then return ErrClosed.
//
// A Conn is the reactor.Handler of its reactor.Conn (reactor.Conn's
// SetHandler): the loop calls its OnOpen, OnData and OnClose, and its
// OnWritable, OnIdle and OnStop, and those call the user's Handler. They
// are the loop's to call, not the user's.
//
// An idle connection holds this record and nothing else of the package's:
// no buffer, no compressor, no timer (WithPingInterval and
// WithIdleTimeout use the reactor connection's read timeout).
type Conn struct {
	nc    *reactor.Conn
	ls    *loopState // the loop's state; ls.ep has the configuration and the user's Handler
	msg   *message   // a message or frame in flight; nil while none is (see message)
	code  uint16     // the close code to report: the first close frame's, or 0 if none
	idle  uint16     // read timeouts in a row in which the peer sent nothing but pongs
	state connState
	flags connFlags
	proto uint8 // the subprotocol: its index in the endpoint's list, plus one; 0 for none
}

// connState is where a connection is in its life. The transitions, with
// the functions that make them:
//
//	handshake --the server's 101 checked--> open               (client) readAnswer
//	handshake --a bad answer, the dial failed--> closed         (client) failHandshake, OnClose
//	open --Close--> closing                                     Close
//	open --the peer's close frame: answered--> closed            peerClose
//	closing --the peer's close frame--> closed                   peerClose
//	open, closing --a protocol error, a timeout, Stop--> closed  fail, closeNow, OnStop
//	closing --the close timeout--> closed                        closeTimedOut
//	any --the TCP connection ends--> done (OnClose)              OnClose
//
// A server's connection starts open. In closed the TCP connection is
// closing (reactor.Conn.Close: what was written leaves, then FIN) and
// nothing more is read or written.
type connState uint8

const (
	stHandshake connState = iota // a client waits for the server's answer
	stOpen                       // messages go both ways
	stClosing                    // our close frame is sent: we wait for the peer's
	stClosed                     // the TCP connection is closing
	stDone                       // OnClose has run
)

// connFlags are what holds independently of the state.
type connFlags uint8

const (
	flagServer    connFlags = 1 << iota // the server side: frames come masked, go unmasked
	flagDeflate                         // permessage-deflate was negotiated
	flagPinged                          // a keepalive ping is out, and nothing has arrived since
	flagSentClose                       // our close frame is queued
	flagPeerClose                       // the peer's close frame arrived
	flagOpened                          // the user's OnOpen ran
)

// Subprotocol returns the subprotocol the handshake chose, or "" if none.
func (c *Conn) Subprotocol() string {
	if c.proto == 0 {
		return ""
	}
	return c.ls.ep.cfg.protocols[c.proto-1]
}

// Compressed reports whether permessage-deflate was negotiated.
func (c *Conn) Compressed() bool { return c.flags&flagDeflate != 0 }

// Context returns the value set by SetContext: the handler's
// per-connection state. It is kept in the reactor connection's Context
// (which the upgrade leaves clear), so it costs the Conn nothing.
func (c *Conn) Context() any { return c.nc.Context() }

// SetContext stores the handler's per-connection state.
func (c *Conn) SetContext(v any) { c.nc.SetContext(v) }

// NetConn returns the reactor connection underneath: for its addresses,
// its TLS state, its loop, its counters. Reading from it, writing to it
// or closing it breaks the WebSocket stream; use the Conn's methods.
func (c *Conn) NetConn() *reactor.Conn { return c.nc }

// Loop returns the loop the connection runs on.
func (c *Conn) Loop() *reactor.Loop { return c.nc.Loop() }

// OnOpen is the reactor's: a server's connection is open (the upgrade
// hands it over); a client's is connected, and waits for the server's
// answer to the upgrade request written at the dial.
func (c *Conn) OnOpen(nc *reactor.Conn) {
	if c.state == stHandshake {
		nc.SetReadTimeout(c.ls.ep.cfg.dialTimeout)
		return
	}
	if m := c.msg; m != nil { // the Context of UpgradeContext
		nc.SetContext(m.ctx)
		c.releaseMessage()
	}
	c.open()
}

// open starts an open connection: its read timeout, for keepalive and
// the idle timeout (a server's replaces the HTTP server's idle timeout),
// then the user's OnOpen.
func (c *Conn) open() {
	c.nc.SetReadTimeout(c.tick())
	c.flags |= flagOpened
	c.ls.ep.h.OnOpen(c)
}

// OnWritable is the reactor's: the output has drained after a pause; the
// user's Handler hears of it if it implements WritableHandler.
func (c *Conn) OnWritable(*reactor.Conn) {
	if wh := c.ls.ep.wh; wh != nil && c.state == stOpen {
		wh.OnWritable(c)
	}
}

// isServer reports whether c is a server's connection.
func (c *Conn) isServer() bool { return c.flags&flagServer != 0 }

// allowedRSV returns the RSV bits the negotiated extensions allow.
func (c *Conn) allowedRSV() uint8 {
	if c.flags&flagDeflate != 0 {
		return RSV1
	}
	return 0
}
