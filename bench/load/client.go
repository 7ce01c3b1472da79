package load

import (
	"bytes"
	"fmt"
	"time"
)

// conn is what a client needs of its connection: *reactor.Conn, or a fake
// in the tests of the per-message path.
type conn interface {
	Write(p []byte) (int, error)
	Close() error
}

// client is one connection's state. The engine keeps them in one slice;
// each connection's context points at its own.
type client struct {
	c      conn
	id     uint64
	state  clientState
	sent   uint64  // messages written
	done   uint64  // messages whose echo has arrived whole and matched
	due    uint64  // open loop: messages whose send time has come
	off    int     // bytes of message done that have arrived
	sentAt []int64 // closed loop: when message seq was written, at seq % Depth
	doneAt []int64 // open loop: when the echo of message seq arrived, at seq % Depth
	freed  bool    // open loop: in engine.freed
	ws     wsConn  // WebSocket runs (ws.go)
}

type clientState uint8

const (
	dialing   clientState = iota
	upgrading             // WebSocket: the upgrade request is sent, the 101 awaited
	open
	failed // closed by the engine after an error; counted already
	closed
)

// pattern is what the connections send. Message seq of connection id is
// the window of size bytes that starts at offset (id*idStride +
// seq*seqStride) mod span in a block of pseudo-random bytes: sending costs
// no more than the copy Write makes, checking is a memory compare, and a
// byte that is changed, lost, duplicated or delivered to the wrong
// connection or in the wrong order shows up as a mismatch.
type pattern struct {
	block []byte
	size  int
}

const (
	span      = 251 // prime: a stride below it visits every offset
	idStride  = 89
	seqStride = 31
)

func newPattern(size int) pattern {
	block := make([]byte, size+span)
	x := uint64(0x9e3779b97f4a7c15)
	for i := range block {
		x ^= x << 13 // xorshift64
		x ^= x >> 7
		x ^= x << 17
		block[i] = byte(x >> 32)
	}
	return pattern{block: block, size: size}
}

// message returns the bytes of message seq of connection id.
func (p pattern) message(id, seq uint64) []byte {
	o := int((id*idStride + seq*seqStride) % span)
	return p.block[o : o+p.size : o+p.size]
}

// receive checks bytes echoed to cl against what cl sent, in order and
// whatever the chunking, and calls completed for each message whose last
// byte is in p. It returns an error at the first byte that does not match
// or that was never sent.
func (e *engine) receive(cl *client, p []byte, now int64) error {
	for len(p) > 0 && cl.state == open {
		if cl.done == cl.sent {
			return fmt.Errorf("%d bytes more than were sent", len(p))
		}
		want := e.pat.message(cl.id, cl.done)[cl.off:]
		n := min(len(p), len(want))
		if err := compare(p[:n], want[:n], cl.done, cl.off); err != nil {
			return err
		}
		p = p[n:]
		cl.off += n
		if cl.off == e.cfg.Size {
			cl.off = 0
			cl.done++
			e.inflight--
			e.completed(cl, cl.done-1, now)
		}
	}
	return nil
}

// compare returns nil if p and want, of the same length, are equal, and
// otherwise an error that names the first byte that differs, by its offset
// in message seq, of which want starts at byte off.
func compare(p, want []byte, seq uint64, off int) error {
	if bytes.Equal(p, want) {
		return nil
	}
	i := 0
	for p[i] == want[i] {
		i++
	}
	return fmt.Errorf("message %d, byte %d: got %#02x, want %#02x", seq, off+i, p[i], want[i])
}

// completed records the latency of message seq of cl, whose echo has just
// arrived whole, and sends what may be sent next (in open loop, the next
// pass does: see free).
func (e *engine) completed(cl *client, seq uint64, now int64) {
	e.echoed++
	openLoop := e.cfg.Rate > 0
	if e.phase == measuring {
		var start int64
		if openLoop {
			start = e.sched.due(cl.id, seq)
		} else {
			start = cl.sentAt[seq%uint64(len(cl.sentAt))]
		}
		e.msgs++
		e.hist.Record(time.Duration(now - start))
	}
	if openLoop {
		cl.doneAt[seq%uint64(len(cl.doneAt))] = now
	}
	switch e.phase {
	case warmup, measuring:
		if openLoop {
			e.free(cl)
		} else {
			e.refill(cl, now)
		}
	case draining:
		e.checkDrained()
	case connecting:
		if e.idle { // one echo per connection
			e.idleEchoed++
			e.checkIdle()
		}
	}
}

// refill sends cl's next messages while fewer than Depth are in flight and,
// in open loop, while their send time has come.
func (e *engine) refill(cl *client, now int64) {
	limit := cl.done + uint64(e.cfg.Depth)
	if e.cfg.Rate > 0 {
		limit = min(limit, cl.due)
	}
	for cl.sent < limit && cl.state == open {
		e.send(cl, now)
	}
}

// send writes cl's next message; it leaves at the end of the loop's pass,
// with the others written to cl in the same pass.
func (e *engine) send(cl *client, now int64) {
	if cl.doneAt != nil && e.cfg.slowSend != nil {
		e.cfg.slowSend()
	}
	msg := e.pat.message(cl.id, cl.sent)
	var err error
	if e.ws != nil {
		err = e.ws.writeMessage(cl.c, msg)
	} else {
		_, err = cl.c.Write(msg)
	}
	if err != nil {
		e.fail(cl, "write", err)
		return
	}
	if cl.sentAt != nil {
		cl.sentAt[cl.sent%uint64(len(cl.sentAt))] = now
	} else if e.phase == measuring {
		// Open loop: pump works out the lag once it has queued what it
		// will in this pass.
		seq, depth := cl.sent, len(cl.doneAt)
		ready, held := e.sched.readyAt(cl.id, seq, depth, cl.doneAt[seq%uint64(depth)])
		e.readyAt = append(e.readyAt, readyMsg{ready: ready, due: e.sched.due(cl.id, seq), held: held})
	}
	cl.sent++
	e.inflight++
}
