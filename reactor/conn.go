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
	flags connFlags
	in    *buffer.Ring // unconsumed input; nil when there is none
	out   *buffer.Ring // queued output; nil when there is none
	ctx   any
	err   error       // the reason OnClose will report
	ln    *listener   // non-nil for a listening socket
	tm    *connTimers // idle timeouts and linger; nil if none is used
}

type connFlags uint32

// A connection's life, in the flags below: open; closing (Close, or the
// peer's FIN for a handler without OnPeerClose): no more OnData, queued
// output still leaves; then FIN, OnClose (fClosed: the handler's view has
// ended) and, until the peer's FIN or the linger, lingering (fLingering):
// the loop reads and discards so that closing cannot reset what the peer
// has not read; then the fd is released (fReleased). Abort, a failure or
// stalled output skip to OnClose, dropping the output (fAbort, fReset).
const (
	fRegRead    connFlags = 1 << iota // read interest registered with the poller
	fRegWrite                         // write interest registered with the poller
	fDirty                            // in Loop.dirty: written to since the last flush
	fPaused                           // reading paused: queued output above the high watermark
	fPeerEOF                          // the peer's FIN was read
	fClosing                          // closing: no more OnData, output still leaves
	fAbort                            // closing now: output is dropped
	fMarked                           // in Loop.closing
	fReset                            // close with RST (SO_LINGER 0): output was dropped
	fShutWR                           // FIN sent (shutdown SHUT_WR)
	fWantShutWR                       // CloseWrite: send FIN once the output has left
	fConnecting                       // Dial: connect in progress
	fTCP                              // a TCP connection being dialed (gets TCP_NODELAY)
	fClosed                           // OnClose has run (or is running): the handler's view has ended
	fLingering                        // after OnClose: reading to discard until the peer's FIN
	fReleased                         // the fd is unregistered and closed
	fInputFull                        // inside the OnData told that the input is at its maximum
)

// Fd returns the connection's file descriptor, for socket options the
// package does not wrap. Do not read, write or close it, and keep it
// non-blocking: the loop's reads and writes assume they never block (on
// Linux they are raw system calls, which the Go runtime cannot preempt).
func (c *Conn) Fd() int { return int(c.fd) }

// Loop returns the loop that owns the connection.
func (c *Conn) Loop() *Loop { return c.loop }

// Context returns the value set by SetContext: the handler's per-connection
// state.
func (c *Conn) Context() any { return c.ctx }

// SetContext stores the handler's per-connection state.
func (c *Conn) SetContext(v any) { c.ctx = v }

// LocalAddr returns the local address of the connection, or nil if the
// system cannot tell (for example after it was closed).
func (c *Conn) LocalAddr() net.Addr {
	if c.flags&fClosed != 0 {
		return nil
	}
	sa, err := unix.Getsockname(int(c.fd))
	if err != nil {
		return nil
	}
	return sockaddrToAddr(sa)
}

// RemoteAddr returns the address of the peer, or nil if the system cannot
// tell (for example after the peer reset the connection).
func (c *Conn) RemoteAddr() net.Addr {
	if c.flags&fClosed != 0 {
		return nil
	}
	sa, err := unix.Getpeername(int(c.fd))
	if err != nil {
		return nil
	}
	return sockaddrToAddr(sa)
}

// Buffered returns the number of input bytes the handler can consume now.
func (c *Conn) Buffered() int {
	n := len(c.freshInput())
	if c.in != nil {
		n += c.in.Len()
	}
	return n
}

// freshInput returns the bytes of the current read that the handler has not
// consumed, when the connection had no leftover input (so they were not
// copied into its input ring).
func (c *Conn) freshInput() []byte {
	if c.loop.cur == c {
		return c.loop.fresh
	}
	return nil
}

// Peek returns the next n input bytes as one slice, without consuming them;
// n <= 0 means every buffered byte. When fewer than n bytes are buffered it
// returns those and ErrShortInput. The slice is valid until the handler
// returns or consumes input; it must not be modified.
func (c *Conn) Peek(n int) ([]byte, error) {
	if c.in != nil && c.in.Len() > 0 {
		if n <= 0 {
			n = c.in.Len()
		}
		p, err := c.in.Peek(n)
		if err != nil {
			return p, ErrShortInput
		}
		return p, nil
	}
	fresh := c.freshInput()
	if n <= 0 {
		return fresh, nil
	}
	if n > len(fresh) {
		return fresh, ErrShortInput
	}
	return fresh[:n:n], nil
}

// Next returns the next n input bytes and consumes them; n <= 0 means every
// buffered byte. With fewer than n bytes buffered it consumes nothing and
// returns them with ErrShortInput. The slice is valid until the handler
// returns.
func (c *Conn) Next(n int) ([]byte, error) {
	p, err := c.Peek(n)
	if err == nil {
		c.Discard(len(p))
	}
	return p, err
}

// Discard consumes up to n input bytes and returns how many it consumed.
func (c *Conn) Discard(n int) int {
	if n <= 0 {
		return 0
	}
	if c.in != nil && c.in.Len() > 0 {
		n = c.in.Discard(n)
		c.loop.buffered(-n)
		return n
	}
	fresh := c.freshInput()
	if n > len(fresh) {
		n = len(fresh)
	}
	c.loop.fresh = fresh[n:]
	return n
}

// Write queues p to be sent at the end of the loop's pass and returns
// len(p): the bytes are copied, so p may be reused at once. Write queues all
// of p or none of it: if p would take the queued output past its maximum
// (WithMaxOutput) it returns 0 and ErrOutputFull, and after Close,
// CloseWrite or Abort it returns ErrClosed. On a dialed connection, bytes
// written before OnOpen leave once it is connected.
//
// One exception: a large p (directWriteMin bytes or more) written when
// nothing is queued, and nothing was sent this way since the loop last
// flushed, is sent at once, and only what the socket does not take is
// queued: copying it would cost more than the system call that coalescing
// saves. Order is kept, since nothing was queued before it; and since a
// second large write in the same pass is queued, a producer that writes
// until Pending reaches a watermark still stops there, however fast the
// peer reads. If that send fails, p is queued as usual and the failure
// shows when the loop flushes, as it would for a queued write.
func (c *Conn) Write(p []byte) (int, error) {
	if err := c.admit(len(p)); err != nil || len(p) == 0 {
		return 0, err
	}
	if len(p) >= directWriteMin && c.Pending() == 0 && c.flags&(fDirty|fAbort|fMarked|fConnecting) == 0 {
		c.writeNow(p)
		return len(p), nil
	}
	c.output().Write(p) // cannot fail: admit checked the room
	c.queued(len(p))
	return len(p), nil
}

// directWriteMin is the size from which Write sends at once what it would
// otherwise copy into the output ring (see Write). At 16 KiB the copy takes
// about as long as a system call.
const directWriteMin = 16 << 10

// writeNow sends p, which admit has cleared and which nothing queued
// precedes, and queues what the socket does not take. It calls the kernel
// directly, not through the loop's syscall table: a call through a function
// value would make p escape, and so every caller's buffer, even a small one
// that never comes here, would be allocated on the heap.
func (c *Conn) writeNow(p []byte) {
	l := c.loop
	n, err := l.write(int(c.fd), p)
	l.st[statWrites]++
	if err != nil {
		if err != unix.EAGAIN && err != unix.EINTR {
			// Queued as usual: step 4 meets the error again and closes
			// the connection then, keeping any reason the handler gives
			// with CloseWithError after this Write.
			c.output().Write(p)
			c.queued(len(p))
			return
		}
		n = 0
	}
	if n > 0 {
		l.st[statBytesOut] += uint64(n)
		if c.tm != nil {
			c.tm.lastWrite = l.clock
		}
	}
	if n == len(p) {
		l.markDirty(c) // until step 4, further writes are queued
		return
	}
	// A partial send: the socket is full, so the rest waits for the poller
	// to report room rather than for step 4, which would only meet EAGAIN.
	l.st[statPartialWrites]++
	c.output().Write(p[n:])
	c.account(len(p) - n)
	l.sync(c)
}

// WriteString is Write for a string, without converting it to a []byte. It
// always queues s: Write's exception for large writes does not apply.
func (c *Conn) WriteString(s string) (int, error) {
	if err := c.admit(len(s)); err != nil || len(s) == 0 {
		return 0, err
	}
	c.output().WriteString(s)
	c.queued(len(s))
	return len(s), nil
}

// admit checks that n more bytes may be written.
func (c *Conn) admit(n int) error {
	if c.flags&(fClosing|fClosed|fWantShutWR) != 0 {
		return ErrClosed
	}
	if c.Pending()+n > c.loop.cfg.maxOutput {
		return ErrOutputFull
	}
	return nil
}

// output returns the output ring, taking one from the pool if there is none.
func (c *Conn) output() *buffer.Ring {
	if c.out == nil {
		c.out = c.loop.rings.get(c.loop.cfg.maxOutput)
	}
	return c.out
}

// queued records that n bytes were appended to the output: they leave in
// step 4, and if they are all there is, the write-idle clock starts.
func (c *Conn) queued(n int) {
	c.account(n)
	c.loop.markDirty(c)
}

// account records n bytes appended to the output: the loop's buffered
// count, the write-idle clock if they are all there is, and backpressure.
func (c *Conn) account(n int) {
	l := c.loop
	l.buffered(n)
	pending := c.out.Len()
	if pending == n {
		l.outputWaits(c)
	}
	if pending >= l.cfg.highWater && c.flags&fPaused == 0 {
		// Backpressure: stop reading until the output drains to the low
		// watermark (step 4 tells the poller).
		c.flags |= fPaused
		l.st[statReadPauses]++
	}
}

// Pending returns the number of output bytes queued and not yet sent.
func (c *Conn) Pending() int {
	if c.out == nil {
		return 0
	}
	return c.out.Len()
}

// Available returns how many more bytes Write would queue now before it
// returns ErrOutputFull (0 once the connection is closing). A writer that
// must queue several pieces as one unit, such as a frame header and its
// payload, checks it first.
func (c *Conn) Available() int {
	if c.flags&(fClosing|fClosed|fWantShutWR) != 0 {
		return 0
	}
	return c.loop.cfg.maxOutput - c.Pending()
}
