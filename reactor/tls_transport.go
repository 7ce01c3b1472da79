package reactor

import (
	"net"
	"sync"
	"time"
)

// tlsTransport is the net.Conn under a connection's tls.Conn: crypto/tls
// reads ciphertext from it and writes ciphertext to it, and it never
// touches the socket itself. It has two modes.
//
// During the handshake, the handshake goroutine owns the tls.Conn: Read
// blocks until the loop feeds the bytes it read from the socket (feed), and
// Write hands the bytes to the loop with Post, which queues them as the
// connection's output. The loop and the goroutine share only the fields
// under mu.
//
// After the handshake the loop owns everything, and nothing blocks: the
// read phase points src at the bytes it has just read and calls
// tls.Conn.Read until Read here reports errWouldBlock, a temporary
// net.Error, which crypto/tls passes up without marking the connection
// broken; Write queues straight into the connection's output.
//
// In both modes Read hands out no byte past the end of the record being
// read, so crypto/tls never holds bytes of a record it has not asked for:
// the records the handshake did not read are all still here when the loop
// takes over, and once src is empty the loop knows that crypto/tls has no
// whole record left to decrypt, without a call that would only find that
// out.
type tlsTransport struct {
	c      *Conn
	local  net.Addr // taken when the connection opened, so that the
	remote net.Addr // handshake goroutine never asks the fd

	// Where the stream is in its records: the header bytes seen of the
	// next record, or the bytes left of the current one.
	hdr     [5]byte
	hdrN    int
	recLeft int

	// Record mode, the loop's goroutine only.
	src []byte // ciphertext read in this pass that crypto/tls has not taken yet

	// Handshake mode. hs itself changes only on the loop's goroutine after
	// the handshake goroutine has posted its result, which orders the two.
	hs     bool
	mu     sync.Mutex
	cond   sync.Cond // signalled when in grows or inErr is set
	in     []byte    // ciphertext fed by the loop, from r on not read yet
	r      int       //
	inErr  error     // what Read returns once in is drained: the peer's FIN, or the connection closed
	paused bool      // the loop stopped reading because in reached tlsHandshakeInput
	resume func()    // posted by Read when it drains a paused buffer
	post   func(func()) error
	// A server handshake's goroutine works only while it holds a slot
	// (slot): when it has read everything and must wait for the peer, Read
	// gives the slot back (posting release), and waits for the loop to
	// grant one again once bytes have come. A client's always has one.
	slot    bool
	release func() // posted by Read when it gives the slot back; nil for a client
}

// tlsHandshakeInput bounds the ciphertext the loop reads ahead of a running
// handshake; past it the loop stops reading until the handshake has taken
// what is there. It is larger than any one record, so a first flight is
// always whole before the bound is reached.
const tlsHandshakeInput = 32 << 10

// errWouldBlock is what the transport's Read returns in record mode when it
// has nothing more: crypto/tls keeps what it has of a partial record and
// returns the error, and a later Read goes on where this one stopped.
var errWouldBlock net.Error = wouldBlock{}

type wouldBlock struct{}

func (wouldBlock) Error() string   { return "reactor: no more TLS input in this pass" }
func (wouldBlock) Timeout() bool   { return false }
func (wouldBlock) Temporary() bool { return true }

func newTLSTransport(c *Conn) *tlsTransport {
	t := &tlsTransport{c: c, hs: true, slot: true, local: c.LocalAddr(), remote: c.RemoteAddr()}
	t.cond.L = &t.mu
	t.post = c.loop.Post
	return t
}

// Read is called by crypto/tls: on the handshake goroutine during the
// handshake, on the loop's goroutine after it.
func (t *tlsTransport) Read(p []byte) (int, error) {
	if !t.hs {
		if len(t.src) == 0 {
			return 0, errWouldBlock
		}
		n := t.take(p, t.src)
		t.src = t.src[n:]
		return n, nil
	}
	t.mu.Lock()
	for (t.r == len(t.in) || !t.slot) && t.inErr == nil {
		if t.slot && t.release != nil {
			// Nothing to work on until the peer sends more: another
			// handshake may have the slot meanwhile.
			t.slot = false
			t.mu.Unlock()
			_ = t.post(t.release) // refused only once the loop has stopped
			t.mu.Lock()
			continue
		}
		t.cond.Wait()
	}
	if t.r == len(t.in) {
		err := t.inErr
		t.mu.Unlock()
		return 0, err
	}
	n := t.take(p, t.in[t.r:])
	t.r += n
	resume := false
	if t.r == len(t.in) {
		t.in, t.r = t.in[:0], 0
		resume, t.paused = t.paused, false
	}
	t.mu.Unlock()
	if resume {
		_ = t.post(t.resume) // refused only once the loop has stopped
	}
	return n, nil
}

// take copies from src into p as much as Read may hand out: at most up to
// the end of the current record (or of the next record's header).
func (t *tlsTransport) take(p, src []byte) int {
	n := 0
	for len(p) > 0 && len(src) > 0 {
		var k int
		if t.recLeft == 0 {
			k = min(len(t.hdr)-t.hdrN, len(src), len(p))
			copy(t.hdr[t.hdrN:], src[:k])
			copy(p, src[:k])
			if t.hdrN += k; t.hdrN == len(t.hdr) {
				t.hdrN, t.recLeft = 0, int(t.hdr[3])<<8|int(t.hdr[4])
			}
		} else {
			k = copy(p, src[:min(t.recLeft, len(src))])
			t.recLeft -= k
		}
		n += k
		p, src = p[k:], src[k:]
		if t.recLeft == 0 && t.hdrN == 0 {
			break // the end of a record
		}
	}
	return n
}

// Write is called by crypto/tls with whole records.
func (t *tlsTransport) Write(p []byte) (int, error) {
	if !t.hs {
		t.c.queueCipher(p)
		return len(p), nil
	}
	b := append([]byte(nil), p...)
	c := t.c
	if err := t.post(func() { c.queueCipher(b) }); err != nil {
		return 0, err
	}
	return len(p), nil
}

// feed appends ciphertext the loop read during the handshake, and reports
// whether the loop should stop reading until the handshake takes it, and
// whether the handshake has no slot to go on with it.
func (t *tlsTransport) feed(p []byte) (pause, idle bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.inErr != nil {
		return false, false
	}
	t.in = append(t.in, p...)
	t.cond.Signal()
	if len(t.in)-t.r >= tlsHandshakeInput {
		t.paused = true
	}
	return t.paused, !t.slot
}

// grant gives a server handshake's goroutine a slot to work with.
func (t *tlsTransport) grant() {
	t.mu.Lock()
	t.slot = true
	t.cond.Signal()
	t.mu.Unlock()
}

// holdsSlot reports whether the handshake's goroutine holds a slot.
func (t *tlsTransport) holdsSlot() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.slot
}

// head returns a copy of at most n of the first bytes fed, for the loop to
// look at before a handshake starts.
func (t *tlsTransport) head(p []byte) []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return p[:copy(p, t.in[t.r:])]
}

// shut makes Read return err once what was fed is drained: io.EOF for the
// peer's FIN, net.ErrClosed when the connection is closed.
func (t *tlsTransport) shut(err error) {
	t.mu.Lock()
	if t.inErr == nil {
		t.inErr = err
	}
	t.cond.Broadcast()
	t.mu.Unlock()
}

// toRecords switches to record mode once the handshake goroutine has
// finished, and returns what the handshake did not read: records the peer
// sent right after its last handshake message.
func (t *tlsTransport) toRecords() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.hs = false
	rest := t.in[t.r:]
	t.in, t.r = nil, 0
	return rest
}

func (t *tlsTransport) Close() error                     { return nil }
func (t *tlsTransport) LocalAddr() net.Addr              { return t.local }
func (t *tlsTransport) RemoteAddr() net.Addr             { return t.remote }
func (t *tlsTransport) SetDeadline(time.Time) error      { return nil }
func (t *tlsTransport) SetReadDeadline(time.Time) error  { return nil }
func (t *tlsTransport) SetWriteDeadline(time.Time) error { return nil }
