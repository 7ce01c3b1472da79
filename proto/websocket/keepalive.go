package websocket

import (
	"time"

	"github.com/goreactor/reactor/reactor"
)

// Keepalive (WithPingInterval) and the idle timeout (WithIdleTimeout) run
// on the reactor connection's read timeout: the loop calls OnIdle when
// nothing at all has arrived for it, and re-arms its one timer lazily, so
// a busy connection costs no timer operation per message and an idle one
// one timer. The timeout is the ping interval, or the idle timeout
// without keepalive: a tick. At each tick a connection that has sent a
// ping and heard nothing since is gone; one that has been idle (nothing
// from the peer but pongs) for ticks adding up to the idle timeout is
// closed; otherwise, with keepalive, it is pinged.

// tick returns the read timeout of an open connection: 0 for none.
func (c *Conn) tick() time.Duration {
	cfg := &c.ls.ep.cfg
	if cfg.pingInterval > 0 {
		return cfg.pingInterval
	}
	return cfg.idleTimeout
}

// OnIdle is the reactor's: nothing has arrived for the read timeout. It
// returns whether to keep the connection.
func (c *Conn) OnIdle(*reactor.Conn) bool {
	cfg := &c.ls.ep.cfg
	switch c.state {
	case stHandshake:
		c.closeTCP(ErrHandshakeTimeout)
		return false
	case stOpen:
	case stClosing:
		return true // the close timeout decides
	default:
		return false // closed: the loop's
	}
	if cfg.idleTimeout > 0 {
		if c.idle < ^uint16(0) {
			c.idle++
		}
		if time.Duration(c.idle)*c.tick() >= cfg.idleTimeout {
			c.closeNow(CloseGoingAway, "idle timeout", ErrIdleTimeout)
			return false
		}
	}
	if c.flags&flagPinged != 0 {
		c.closeNow(CloseGoingAway, "", ErrPingTimeout)
		return false
	}
	if cfg.pingInterval > 0 {
		_ = c.writeFrame(Ping, nil, false) // no room: the peer does not read, and the next tick ends it
		c.flags |= flagPinged
	}
	return true
}
