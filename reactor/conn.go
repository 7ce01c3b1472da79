package reactor

import (
	"net"

	"github.com/goreactor/reactor/buffer"
	"golang.org/x/sys/unix"
)

// Conn is one connection of a loop. Its methods must be called on the loop's
// goroutine (see the package documentation); a *Conn is never reused for
// another connection, so it is safe to keep one and Post work for it: once
// it is closed its methods return ErrClosed.
type Conn struct {
	loop  *Loop
	fd    int32
	state connState
	facts connFacts
	in    *buffer.Ring // unconsumed input; nil when there is none
	out   *buffer.Ring // queued output; nil when there is none
	value any          // set by SetContext
	err   error        // the reason OnClose will report
	ext   *connExtras  // what only some connections need; nil if none is used
}

// connExtras is what only some connections need, kept out of Conn so that
// a plain connection with no timeout is small: its deadlines, its TLS side
// and a handler of its own. It is made on first use (Conn.extras).
type connExtras struct {
	connTimers          // read and write idle timeouts, linger, connect and handshake deadlines
	tls        *tlsConn // a TLS connection's TLS side (see Conn.tlsSide)
	h          Handler  // the connection's own handler (SetHandler), nil for the loop's
}

// connState is where a connection is in its life. The transitions, with
// the functions that make them:
//
//	connecting --connect done--> open                               connected
//	connecting --connect done, TLS--> handshake                     connected, beginTLS
//	accepted on a TLS listener: handshake                           open, beginTLS
//	handshake --handshake done--> open (or closing if it failed)    handshakeOver
//	connecting --Close, output queued--> connecting, then closing   Close, connected
//	open --Close, or the peer's FIN without OnPeerClose--> closing  Close, peerFIN
//	closing --output left: FIN, queued for the close phase          endOutput
//	any state before closed --Abort, an I/O error, a timeout,
//	    stalled output, the grace period--> aborting                abort
//	close phase: OnClose (closed), then lingering or release        closeMarked
//	lingering --the peer's FIN, the linger, the loop's end--> closed, released  release
//
// The handler sees a connection from OnOpen to OnClose: open, closing and
// aborting (and connecting and handshake, for the caller of Dial). Lingering is the loop's business alone.
type connState uint8

const (
	stConnecting connState = iota // Dial: the connect is in progress; no OnOpen yet
	stHandshake                   // TLS: the handshake runs on its goroutine; no OnOpen yet
	stOpen                        // OnData as bytes arrive
	stClosing                     // no more OnData; queued output leaves, then FIN and OnClose
	stAborting                    // output dropped; OnClose in this pass, with a reset if output was dropped
	stClosed                      // OnClose has run (or is running)
	stLingering                   // after OnClose: reading and discarding until the peer's FIN
)

// connFacts are what holds independently of the state, each read and set
// through a named method.
type connFacts uint16

const (
	factDirty             connFacts = 1 << iota // in Loop.dirty: written to since the last flush
	factWaitWrite                               // write interest registered: waiting for room
	factPaused                                  // reading paused: queued output above the high watermark
	factPeerEOF                                 // the peer's FIN was read
	factMarked                                  // in Loop.closing, for the close phase
	factReset                                   // close with RST (SO_LINGER 0): output was dropped
	factFINSent                                 // shutdown(SHUT_WR) done
	factWantFIN                                 // CloseWrite: send FIN once the output has left
	factCloseAfterConnect                       // Close while connecting with output queued
	factTCP                                     // a dialed TCP connection (gets TCP_NODELAY)
	factInputFull                               // inside the OnData told that the input is at its maximum
	factReleased                                // the fd is unregistered and closed
	factTLS                                     // a TLS connection: its TLS side is c.ext.tls
	factHandshakeFull                           // reading paused: the handshake has not taken what was read
	factReadPaused                              // reading paused by the handler (PauseRead)
)

func (c *Conn) has(f connFacts) bool { return c.facts&f != 0 }
func (c *Conn) set(f connFacts)      { c.facts |= f }
func (c *Conn) clear(f connFacts)    { c.facts &^= f }

// handlerDone reports whether OnClose has run (or is running).
func (c *Conn) handlerDone() bool { return c.state >= stClosed }

// closing reports whether the connection is on its way to OnClose: no more
// OnData, no more writes.
func (c *Conn) closing() bool {
	return c.state >= stClosing || c.has(factCloseAfterConnect)
}

// acceptsOutput reports whether the handler may still queue output.
func (c *Conn) acceptsOutput() bool {
	return !c.closing() && !c.has(factWantFIN)
}

// Fd returns the connection's file descriptor, for socket options the
// package does not wrap. Do not read, write or close it, and keep it
// non-blocking: the loop's reads and writes assume they never block (on
// Linux they are raw system calls, which the Go runtime cannot preempt).
func (c *Conn) Fd() int { return int(c.fd) }

// Loop returns the loop that owns the connection.
func (c *Conn) Loop() *Loop { return c.loop }

// Context returns the value set by SetContext: the handler's per-connection
// state.
func (c *Conn) Context() any { return c.value }

// SetContext stores the handler's per-connection state.
func (c *Conn) SetContext(v any) { c.value = v }

// LocalAddr returns the local address of the connection, or nil if the
// system cannot tell (for example after it was closed).
func (c *Conn) LocalAddr() net.Addr {
	if c.handlerDone() {
		return nil
	}
	sa, err := unix.Getsockname(int(c.fd))
	if err != nil {
		return nil
	}
	return c.loop.sockaddrToAddr(sa)
}

// RemoteAddr returns the address of the peer, or nil if the system cannot
// tell (for example after the peer reset the connection).
func (c *Conn) RemoteAddr() net.Addr {
	if c.handlerDone() {
		return nil
	}
	sa, err := unix.Getpeername(int(c.fd))
	if err != nil {
		return nil
	}
	return c.loop.sockaddrToAddr(sa)
}
