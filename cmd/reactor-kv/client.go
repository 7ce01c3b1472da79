package main

import (
	"errors"

	"github.com/goreactor/reactor/reactor"
)

// A client's replies, in the order of its requests. With -loops N some are
// computed on other loops (forward.go) and come back later, while the
// requests after them may be answered here at once; so each client keeps a
// queue of slots. A reply computed here is written at once while nothing
// is awaited, else appended to the queue, behind the awaited ones; a reply
// that comes back fills its slot, and the complete slots at the head of
// the queue are written.
//
// The queue is bounded as the output is. The bytes it holds count with the
// queued output against the high watermark, at which the requests wait in
// the input (serve). Since a forwarded request's reply has no known size
// until it comes back, at most maxForwarded requests, or parts of
// requests, are awaited at once. While the requests wait for the queue
// rather than for the output, the handler pauses reading itself
// (Conn.PauseRead): the loop's own pause is for queued output only, and
// the input would otherwise grow to its maximum. Replies that come back,
// or output that drains (OnWritable), take the requests up again.
//
// A reply is written only when the output has room for all of it; until
// then it waits in the queue, and OnWritable writes it once the output has
// drained. So a client that reads gets every reply, however large its
// pipeline; only a reply too large for the output (an MGET of many large
// values) disconnects its client, as it does with one loop.

// maxForwarded is the most requests, or parts of requests, that a
// connection may have awaited from other shards at once: with the output
// and the queue's other bytes, it bounds what one connection makes the
// server hold to the output cap, the high watermark and maxForwarded of
// the largest replies. It also bounds the requests of a pipeline that go
// to other shards in one batch, so it is no smaller than the pipelines
// benchmarks send.
const maxForwarded = 16

// client is the state of one connection.
type client struct {
	c         *reactor.Conn
	home      *shard
	queue     []*slot // replies not written yet, oldest first, from queue[head]
	head      int
	queued    int   // bytes of the replies in the queue
	open      *slot // the slot local replies go to, counted in queued up to openLen bytes
	openLen   int
	forwarded int   // requests, or parts, forwarded to other shards whose replies have not come back
	blocked   bool  // requests wait in the input for the queue, and reading is paused
	quitting  bool  // QUIT, the peer's FIN or a protocol error: nothing more is read, and the connection closes once its replies are written
	reason    error // why it closes, for OnClose: nil after QUIT
	closed    bool  // OnClose has run
}

// waiting reports whether a reply is awaited, or queued behind one.
func (cl *client) waiting() bool { return cl.head < len(cl.queue) }

// push queues sl behind the client's other replies.
func (cl *client) push(sl *slot) *slot {
	cl.queue = append(cl.queue, sl)
	return sl
}

// tail returns the slot that a local reply is appended to, while replies
// are awaited: the last one if it is complete, else a new one. What is
// appended is counted in queued by settle.
func (cl *client) tail() *slot {
	last := cl.queue[len(cl.queue)-1]
	if last.wait > 0 {
		last = cl.push(&slot{})
	}
	if last != cl.open {
		cl.settle()
		cl.open, cl.openLen = last, len(last.buf)
	}
	return last
}

// settle counts the local replies appended to the open slot since it was
// last counted.
func (cl *client) settle() {
	if cl.open != nil {
		cl.hold(len(cl.open.buf) - cl.openLen)
		cl.openLen = len(cl.open.buf)
	}
}

// hold adds n bytes (fewer if n < 0) to those of the client's queue, and
// to its shard's count.
func (cl *client) hold(n int) {
	cl.queued += n
	cl.home.hold(n)
}

// backlog returns the bytes of the replies in the queue.
func (cl *client) backlog() int {
	cl.settle()
	return cl.queued
}

// backlogged reports whether the client's requests must wait for its
// queue: too many are awaited from other shards, or its replies, queued
// and in the output, have reached the high watermark.
func (cl *client) backlogged() bool {
	return cl.forwarded >= maxForwarded || cl.c.Pending()+cl.backlog() >= cl.home.srv.highWater
}

// block pauses reading while requests wait in the input for the queue.
func (cl *client) block() {
	cl.blocked = true
	cl.c.PauseRead()
}

// unblock resumes reading, once no request waits for the queue.
func (cl *client) unblock() {
	if cl.blocked {
		cl.blocked = false
		cl.c.ResumeRead()
	}
}

// drain writes the complete replies at the head of the queue, as many as
// the output has room for (see fits). Once the client is closed, they are
// dropped instead.
func (cl *client) drain() {
	for cl.waiting() {
		sl := cl.queue[cl.head]
		if sl.wait > 0 {
			break
		}
		if sl == cl.open {
			cl.settle()
			cl.open = nil
		}
		if !cl.closed && !cl.fits(len(sl.buf)) {
			break
		}
		cl.write(sl.buf)
		cl.hold(-len(sl.buf))
		cl.queue[cl.head] = nil
		cl.head++
	}
	if !cl.waiting() {
		cl.queue, cl.head = cl.queue[:0], 0
	}
	cl.closeIfDone()
}

// fits reports whether the output has room for a reply of n bytes now. If
// not, the reply waits for OnWritable, which comes once the output, above
// the high watermark, has drained. Below the watermark none is coming: the
// reply is too large for the output, and the client is disconnected.
func (cl *client) fits(n int) bool {
	c := cl.c
	if n <= c.Available() {
		return true
	}
	if c.Pending() < cl.home.srv.highWater {
		c.CloseWithError(reactor.ErrOutputFull) // ErrClosed if it is closing already: nothing to do
	}
	return false
}

// write queues replies on the connection; if the output cannot take them
// (a round's replies, which do not wait in the queue: see serve), the
// client is disconnected.
func (cl *client) write(p []byte) {
	if cl.closed || len(p) == 0 {
		return
	}
	if _, err := cl.c.Write(p); err != nil && !errors.Is(err, reactor.ErrClosed) {
		cl.c.CloseWithError(err)
	}
}

// quit stops reading requests: the connection closes, with reason, once
// the replies so far are written.
func (cl *client) quit(reason error) {
	cl.quitting, cl.reason = true, reason
}

// closeIfDone closes a quitting connection once no reply is awaited.
func (cl *client) closeIfDone() {
	if cl.quitting && !cl.waiting() && !cl.closed {
		cl.c.CloseWithError(cl.reason) // ErrClosed if it is closing already: nothing to do
	}
}
