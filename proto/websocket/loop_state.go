package websocket

import (
	"crypto/rand"
	"runtime"
	"sync"
	"weak"

	"github.com/goreactor/reactor/reactor"
)

// endpoint is what the connections of one Upgrader or one Dialer share:
// the configuration, the user's Handler, and the state of each loop they
// run on. It is shared by the loops of a Group: loops is the only part
// that changes, under mu, when a connection is upgraded or dialed on a
// loop for the first time.
type endpoint struct {
	cfg config
	h   Handler
	wh  WritableHandler // h, if it implements it

	mu    sync.Mutex
	loops map[weak.Pointer[reactor.Loop]]*loopState
}

func newEndpoint(h Handler, cfg config) *endpoint {
	ep := &endpoint{cfg: cfg, h: h, loops: make(map[weak.Pointer[reactor.Loop]]*loopState)}
	ep.wh, _ = h.(WritableHandler)
	return ep
}

// loopState returns the state of loop l, making it on the loop's first
// connection. It is called once per connection, at the upgrade or the
// dial, never per message. The entry goes when the loop is collected: the
// map holds the loop by a weak pointer, and nothing in a loopState points
// to the loop.
func (ep *endpoint) loopState(l *reactor.Loop) *loopState {
	key := weak.Make(l)
	ep.mu.Lock()
	defer ep.mu.Unlock()
	if ls := ep.loops[key]; ls != nil {
		return ls
	}
	ls := &loopState{ep: ep}
	ep.loops[key] = ls
	runtime.AddCleanup(l, ep.forget, key)
	return ls
}

// forget drops the state of a loop that has been collected.
func (ep *endpoint) forget(key weak.Pointer[reactor.Loop]) {
	ep.mu.Lock()
	delete(ep.loops, key)
	ep.mu.Unlock()
}

// loopState is what the connections of an endpoint on one loop share, on
// that loop's goroutine, so that no connection holds it while idle: the
// compressor and decompressor, the records of messages in flight, the
// buffers that messages are inflated, compressed and masked into, and a
// client's source of masking keys.
type loopState struct {
	ep      *endpoint
	flater  *Flater    // made on the first compressed message
	free    []*message // records of messages not in flight, with their buffers
	inflate []byte     // where a compressed message is inflated
	deflate []byte     // where an outgoing message is compressed
	frame   []byte     // where a client's frame is masked, or a server's Sec-WebSocket-Accept written
	keys    maskSource
}

// Bounds on what a loop keeps between messages.
const (
	// maxFreeMessages is how many message records a loop keeps.
	maxFreeMessages = 16
	// maxKeptBuffer is the largest buffer a loop keeps after a message
	// (an assembly buffer, the inflate, deflate and frame buffers):
	// larger ones, made for a large message, are left to the collector.
	maxKeptBuffer = 256 << 10
)

// takeMessage returns a message record, empty, with a buffer of a
// previous message if one is kept.
func (ls *loopState) takeMessage() *message {
	if n := len(ls.free); n > 0 {
		m := ls.free[n-1]
		ls.free[n-1] = nil
		ls.free = ls.free[:n-1]
		return m
	}
	return &message{}
}

// putMessage takes back a record whose message is over.
func (ls *loopState) putMessage(m *message) {
	buf := keep(m.buf)
	*m = message{buf: buf}
	if len(ls.free) < maxFreeMessages {
		ls.free = append(ls.free, m)
	}
}

// keep returns b emptied, or nil if it is too large to keep.
func keep(b []byte) []byte {
	if cap(b) > maxKeptBuffer {
		return nil
	}
	return b[:0]
}

// flate returns the loop's Flater, making it on first use.
func (ls *loopState) flate() *Flater {
	if ls.flater == nil {
		ls.flater, _ = NewFlater(ls.ep.cfg.level) // the option checked the level
	}
	return ls.flater
}

// maskSource hands out a client's masking keys (RFC 6455 §5.3: a fresh,
// unpredictable key for each frame) from a block of crypto/rand bytes,
// read a block at a time rather than once per frame.
type maskSource struct {
	block [256]byte
	next  int // the next unused byte of block; len(block) when all are used
	ready bool
}

// key returns the next masking key.
func (s *maskSource) key() [4]byte {
	if !s.ready || s.next+4 > len(s.block) {
		rand.Read(s.block[:]) // never fails (crypto/rand since Go 1.24)
		s.next, s.ready = 0, true
	}
	k := [4]byte(s.block[s.next : s.next+4])
	s.next += 4
	return k
}

// nonce fills p with fresh random bytes (a client's Sec-WebSocket-Key).
func (s *maskSource) nonce(p []byte) {
	for len(p) > 0 {
		k := s.key()
		p = p[copy(p, k[:]):]
	}
}
