package load

import "time"

// How the loop keeps the open-loop schedule (schedule.go). Every message
// is sent from one timer, the tick, which runs at the start of a pass, so
// that what it queues leaves in that pass's flush, right after it. An
// echo that makes room for a message held back under Depth does not send
// it from OnData, whose writes would wait for the rest of the pass's
// callbacks and the next tick anyway: it notes the connection (free), and
// the next pass's tick sends. So a message's lag runs from when it could
// have left to the end of the tick that queued it, and counts every pass
// that came between.

// maxPump bounds the open-loop events one pass hands out, so that a loop
// that is far behind the schedule still serves its connections.
const maxPump = 4096

// spinAhead is how close to the next message's time the loop stops
// sleeping and polls without blocking, its tick rearmed at once every pass.
// The poller's wait counts in milliseconds, so a tick due sooner than that
// would fire up to 1 ms late, and every message it sent would carry that
// lag into its latency (the commit that made it poll gives the figures).
// The generator spends its core on being on time instead: in the
// benchmarks it has one to itself.
const spinAhead = time.Millisecond

// readyMsg is a message of the measured window that the tick queued: when it
// could have left, when it was due, and whether it was held back.
type readyMsg struct {
	ready, due int64
	held       bool
}

// onTick is the tick: it runs pump, accounts for the lag of all it queued
// (which leaves in the flush that follows, in the same pass), and sets the
// tick for the next event. Far behind (a huge rate, or the process was not
// scheduled), pump stopped at maxPump and the next event is overdue: the
// tick runs again in the next pass, after the I/O.
func (e *engine) onTick() {
	if e.phase != warmup && e.phase != measuring {
		return
	}
	e.pump(e.now())
	end := e.now()
	e.timeLags(end)
	e.arm(time.Duration(e.nextDue - end))
}

// pump sends the messages that echoes have made room for since the last
// pass, and hands out the events due by now, sending what Depth allows.
func (e *engine) pump(now int64) {
	for i, cl := range e.freed {
		cl.freed = false
		e.refill(cl, now)
		e.freed[i] = nil
	}
	e.freed = e.freed[:0]
	n := uint64(len(e.clients))
	for k := 0; e.nextDue <= now && k < maxPump; k++ {
		cl := &e.clients[e.nextEv%n]
		e.nextEv++
		e.nextDue = e.sched.at(e.nextEv)
		if cl.state == open {
			cl.due++
			e.refill(cl, now)
		}
	}
}

// timeLags accounts for the lag of the messages of the window queued since
// it last ran, which begin to leave at end.
func (e *engine) timeLags(end int64) {
	for _, m := range e.readyAt {
		e.lag.record(end, m.ready, m.due, m.held)
	}
	e.readyAt = e.readyAt[:0]
}

// arm sets the tick: in the next pass if a connection has room for
// messages held back, or the next event is due within spinAhead; else
// spinAhead before it is due.
func (e *engine) arm(d time.Duration) {
	if d <= spinAhead || len(e.freed) > 0 {
		d = 0
	} else {
		d -= spinAhead
	}
	switch {
	case e.loop == nil: // the tests of the message path run the tick themselves
	case e.tick == nil:
		e.tick = e.loop.AfterFunc(d, e.onTick)
	default:
		e.tick.Reset(d)
	}
}

// free notes that an echo has made room on cl for messages held back, for
// the next pass's tick to send.
func (e *engine) free(cl *client) {
	if cl.due <= cl.sent || cl.freed {
		return
	}
	cl.freed = true
	e.freed = append(e.freed, cl)
	if len(e.freed) == 1 {
		e.arm(0)
	}
}

// closeAccount notes, as the window closes, how far the generator has got
// with the schedule.
func (e *engine) closeAccount() {
	e.handedOut, e.backlog = e.nextEv, e.heldBack()
}

// heldBack counts the messages due on open connections and not sent.
func (e *engine) heldBack() uint64 {
	var n uint64
	for i := range e.clients {
		if cl := &e.clients[i]; cl.state == open {
			n += cl.due - cl.sent
		}
	}
	return n
}
