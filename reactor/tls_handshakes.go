package reactor

import (
	"errors"
	"fmt"
	"runtime/debug"
)

// handshakes is a loop's bookkeeping of TLS handshakes: how many goroutines
// run one now, and the connections ready to start theirs when one ends. It
// is made when the loop first serves or dials TLS.
//
// Only server handshakes count toward the limit (WithMaxTLSHandshakes):
// peers decide how many of those there are, while the handler decides how
// many connections it dials. Were dialed handshakes to wait for the same
// slots, a loop dialing its own listener could fill them with handshakes
// that wait for server handshakes that wait for a slot.
type handshakes struct {
	l       *Loop
	running int        // server handshake goroutines not yet reported back
	dialed  int        // client handshake goroutines not yet reported back
	waiting []*tlsConn // server handshakes ready to start, in order, for want of a free slot
	plain   []byte     // the loop-wide buffer records are decrypted into
	stage   []byte     // the loop-wide buffer plaintext is encrypted from (see queuePlain)
}

// handshakes returns the loop's handshake bookkeeping, making it on first
// use.
func (l *Loop) handshakes() *handshakes {
	if l.hs == nil {
		l.hs = &handshakes{l: l, plain: make([]byte, l.cfg.readBuffer), stage: make([]byte, tlsMaxPlaintext)}
	}
	return l.hs
}

// tlsMaxPlaintext is the most plaintext one TLS record carries.
const tlsMaxPlaintext = 16 << 10

// ready starts t's handshake: a client's at once, a server's if fewer
// than the limit run, or else in its turn.
func (h *handshakes) ready(t *tlsConn) {
	t.started = true
	if !t.server || h.running < h.l.cfg.maxHandshakes {
		h.start(t)
		return
	}
	h.waiting = append(h.waiting, t)
}

// start runs t's handshake on a goroutine of its own, which posts the
// result to the loop and ends.
func (h *handshakes) start(t *tlsConn) {
	l := h.l
	if t.server {
		h.running++
		if uint64(h.running) > l.st[statTLSPeak] {
			l.st[statTLSPeak] = uint64(h.running)
		}
	} else {
		h.dialed++
	}
	l.st[statTLSRunning] = uint64(h.running + h.dialed)
	go func() {
		var err error
		defer func() {
			// The handshake runs user code (GetCertificate,
			// VerifyPeerCertificate...): a panic there fails this
			// handshake, as a handler's panic closes its connection.
			if v := recover(); v != nil {
				perr := &PanicError{Value: v, Stack: debug.Stack()}
				l.log.Error("reactor: recovered a panic", "in", "TLS handshake", "panic", v, "stack", string(perr.Stack))
				err = fmt.Errorf("reactor: TLS handshake: %w", perr)
			}
			_ = l.Post(func() { h.over(t, err) }) // refused once the loop has stopped: nothing left to tell
		}()
		err = t.tc.Handshake()
	}()
}

// over runs on the loop when a handshake goroutine has reported back: the
// next waiting connection gets its turn.
func (h *handshakes) over(t *tlsConn, err error) {
	if t.server {
		h.running--
	} else {
		h.dialed--
	}
	if perr := (*PanicError)(nil); errors.As(err, &perr) {
		h.l.st[statPanics]++
	}
	for len(h.waiting) > 0 && h.running < h.l.cfg.maxHandshakes {
		next := h.waiting[0]
		h.waiting[0] = nil
		h.waiting = h.waiting[1:]
		if next.c.state == stHandshake {
			h.start(next)
		}
	}
	if len(h.waiting) == 0 {
		h.waiting = nil // do not keep the array of a burst
	}
	h.l.st[statTLSRunning] = uint64(h.running + h.dialed)
	t.handshakeOver(err)
}
