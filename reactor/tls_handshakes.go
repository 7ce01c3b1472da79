package reactor

import (
	"errors"
	"fmt"
	"runtime/debug"
)

// handshakes is a loop's bookkeeping of TLS handshakes: the goroutines that
// run them, the slots that bound how many server handshakes work at once
// (WithMaxTLSHandshakes), and the handshakes waiting for a slot. It is made
// when the loop first serves or dials TLS.
//
// A server handshake holds a slot only while it has bytes to work on: when
// its goroutine has used what the peer sent and waits for more, it gives
// the slot back (tlsTransport.Read posts released), and when more bytes
// come the loop gives it a slot again, at once if one is free, else in its
// turn. So a peer that sends a whole ClientHello and then nothing holds a
// goroutine until the handshake timeout, but no slot: it cannot make the
// honest handshakes wait.
//
// Only server handshakes take slots: peers decide how many of those there
// are, while the handler decides how many connections it dials. Were
// dialed handshakes to wait for the same slots, a loop dialing its own
// listener could fill them with handshakes that wait for server
// handshakes that wait for a slot.
type handshakes struct {
	l          *Loop
	slots      int        // slots held by server handshakes (or given back, and not yet known to be)
	goroutines int        // handshake goroutines not yet reported back, servers' and dialed
	waiting    []*tlsConn // server handshakes with bytes to work on and no slot, in order
}

// handshakes returns the loop's handshake bookkeeping, making it on first
// use.
func (l *Loop) handshakes() *handshakes {
	if l.hs == nil {
		l.hs = &handshakes{l: l}
	}
	return l.hs
}

// ready starts t's handshake: a client's at once, a server's once it has a
// slot.
func (h *handshakes) ready(t *tlsConn) {
	t.started = true
	if !t.server {
		h.start(t)
		return
	}
	h.want(t)
}

// want gives server handshake t a slot if one is free, or else queues it
// for the next one.
func (h *handshakes) want(t *tlsConn) {
	if h.slots < h.l.cfg.maxHandshakes {
		h.grant(t)
		return
	}
	t.queued = true
	h.waiting = append(h.waiting, t)
}

// grant gives t a slot: its goroutine starts, or goes on with the bytes
// that came.
func (h *handshakes) grant(t *tlsConn) {
	l := h.l
	h.slots++
	if uint64(h.slots) > l.st[statTLSPeak] {
		l.st[statTLSPeak] = uint64(h.slots)
	}
	t.tr.grant()
	if !t.running {
		h.start(t)
	}
}

// released runs on the loop when a server handshake's goroutine has given
// its slot back to wait for its peer.
func (h *handshakes) released() {
	h.slots--
	h.next()
}

// next gives the free slots to the waiting handshakes, in order.
func (h *handshakes) next() {
	for len(h.waiting) > 0 && h.slots < h.l.cfg.maxHandshakes {
		t := h.waiting[0]
		h.waiting[0] = nil
		h.waiting = h.waiting[1:]
		t.queued = false
		if t.c.state == stHandshake {
			h.grant(t)
		}
	}
	if len(h.waiting) == 0 {
		h.waiting = nil // do not keep the array of a burst
	}
}

// drop takes t out of the waiting handshakes.
func (h *handshakes) drop(t *tlsConn) {
	for i, w := range h.waiting {
		if w == t {
			h.waiting = append(h.waiting[:i], h.waiting[i+1:]...)
			break
		}
	}
	t.queued = false
}

// start runs t's handshake on a goroutine of its own, which posts the
// result to the loop and ends.
func (h *handshakes) start(t *tlsConn) {
	l := h.l
	t.running = true
	h.goroutines++
	l.st[statTLSRunning] = uint64(h.goroutines)
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

// over runs on the loop when a handshake goroutine has reported back: its
// slot, if it held one, goes to the next waiting handshake.
func (h *handshakes) over(t *tlsConn, err error) {
	h.goroutines--
	t.running = false
	if t.queued {
		h.drop(t) // it waited for a slot to go on, and ended instead
	}
	if t.server && t.tr.holdsSlot() {
		h.slots--
	}
	if perr := (*PanicError)(nil); errors.As(err, &perr) {
		h.l.st[statPanics]++
	}
	h.next()
	h.l.st[statTLSRunning] = uint64(h.goroutines)
	t.handshakeOver(err)
}
