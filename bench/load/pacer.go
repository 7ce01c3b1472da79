package load

import (
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Open loop over TLS. The connections are crypto/tls clients, a goroutine
// each, as in closed loop (see crowd.go); the schedule (schedule.go) is
// kept by one more goroutine, the pacer, as the loop's tick keeps it for
// the loop's connections. The pacer sleeps on an alarm (alarm.go) until
// the next message is due, hands the messages due by then to their
// connections, and writes those whose connection has fewer than Depth
// messages in flight; the others are held back. A connection's goroutine
// reads its echoes and, when one makes room for a message held back,
// writes it. crypto/tls allows a Read and a Write at once on a connection;
// the connection's mutex keeps its messages in order between its two
// writers. Latencies count from the schedule, and the lag of a message
// runs from when it could have left to the moment its Write began, as on
// the loop.

// pacer is the goroutine that keeps the schedule of an open-loop TLS run.
type pacer struct {
	s       *streams
	sched   schedule
	conns   []*stream // by id; nil for a connection that did not open
	alarm   alarm
	nextEv  uint64
	nextDue int64
	done    chan struct{} // closed when run returns

	handedOut atomic.Uint64 // nextEv, for the steering goroutine
}

func newPacer(s *streams) *pacer {
	return &pacer{s: s, conns: make([]*stream, s.cfg.Conns), done: make(chan struct{})}
}

// start starts the schedule at now; every connection that will open has.
func (p *pacer) start(now int64) {
	p.sched = newSchedule(now, p.s.cfg.Rate, len(p.conns))
	p.nextDue = now
	p.alarm = newAlarm()
	go p.run()
}

// stop ends the schedule and waits for the pacer to return: after it, no
// message is handed out, and none is written but by a connection's
// goroutine that read the phase before it changed.
func (p *pacer) stop() {
	if p.alarm == nil {
		return // never started
	}
	p.alarm.close()
	<-p.done
}

func (p *pacer) run() {
	defer close(p.done)
	n := uint64(len(p.conns))
	for {
		ph := p.s.loadPhase()
		if ph != warmup && ph != measuring {
			return
		}
		now := p.s.now()
		k := 0
		for ; p.nextDue <= now && k < maxPump; k++ {
			st := p.conns[p.nextEv%n]
			p.nextEv++
			p.nextDue = p.sched.at(p.nextEv)
			if st != nil {
				st.comeDue()
			}
			p.handedOut.Store(p.nextEv)
		}
		if k == maxPump {
			runtime.Gosched() // far behind: let the readers run
		}
		if !p.alarm.sleep(time.Duration(p.nextDue - p.s.now())) {
			return
		}
	}
}

// heldBack counts the messages due on open connections and not sent.
func (p *pacer) heldBack() uint64 {
	var n uint64
	for _, st := range p.conns {
		if st != nil {
			st.mu.Lock()
			if !st.dead {
				n += st.due - st.sent
			}
			st.mu.Unlock()
		}
	}
	return n
}

// quietAll marks quiet, after the pacer has stopped, every connection with
// nothing in flight: at low rates most have none, and no echo would come
// to tell their goroutines that the run is draining.
func (p *pacer) quietAll() {
	for _, st := range p.conns {
		if st != nil {
			st.mu.Lock()
			if st.done == st.sent {
				st.markQuietLocked()
			}
			st.mu.Unlock()
		}
	}
}

// openState is what a connection of an open-loop TLS run shares between
// its goroutine and the pacer, under its mutex (with its sent and done).
type openState struct {
	mu     sync.Mutex
	c      net.Conn
	due    uint64  // messages handed out
	doneAt []int64 // when the echo of message seq arrived, at seq % Depth
	dead   bool    // failed or lost: nothing more is written
}

// comeDue hands st its next message, on the pacer.
func (st *stream) comeDue() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.due++
	st.sendReady()
}

// sendReady writes, with st.mu held, the messages that are due and that
// Depth allows, noting the lag of those in the measured window.
func (st *stream) sendReady() {
	s := st.s
	depth := uint64(s.cfg.Depth)
	for !st.dead && st.sent < min(st.due, st.done+depth) {
		if s.cfg.slowSend != nil {
			s.cfg.slowSend()
		}
		seq := st.sent
		timed := s.loadPhase() == measuring
		var ready, due int64
		var held bool
		if timed {
			ready, held = s.pacer.sched.readyAt(st.id, seq, int(depth), st.doneAt[seq%depth])
			due = s.pacer.sched.due(st.id, seq)
		}
		began := s.now()
		if _, err := st.c.Write(s.pat.message(st.id, seq)); err != nil {
			st.lose("write", err)
			return
		}
		st.sent++
		if timed {
			s.mu.Lock()
			s.lag.record(began, ready, due, held)
			s.mu.Unlock()
		}
	}
}

// lose, with st.mu held, gives up a connection that failed, once, and
// closes it so that its goroutine's Read returns.
func (st *stream) lose(what string, err error) {
	if st.dead {
		return
	}
	st.dead = true
	if st.s.loadPhase() != finished {
		st.s.report("connection", st.id, what, err)
		st.s.lost.Add(1)
	}
	_ = st.c.Close()
}

// serveOpen is an open-loop connection's goroutine once it has opened:
// it reads the echoes until the run is over or the connection fails.
func (st *stream) serveOpen(c net.Conn) {
	s := st.s
	st.c = c
	st.doneAt = make([]int64, s.cfg.Depth)
	st.in = make([]byte, min(max(s.cfg.Size*s.cfg.Depth, 4<<10), 64<<10))
	s.pacer.conns[st.id] = st // read by the pacer once every connection has settled
	st.settle()
	for {
		n, err := c.Read(st.in)
		if n > 0 && !st.receivedOpen(st.in[:n]) {
			return
		}
		if err != nil {
			st.mu.Lock()
			st.lose("closed by the server", err)
			st.mu.Unlock()
			return
		}
	}
}

// receivedOpen checks echoed bytes, times the messages they complete from
// the schedule, and writes what they made room for. It returns false if
// the connection failed.
func (st *stream) receivedOpen(p []byte) bool {
	s := st.s
	ph := s.loadPhase()
	now := s.now()
	st.lat = st.lat[:0]
	st.mu.Lock()
	before := st.done
	err := st.receive(p, now, ph == measuring)
	if err != nil {
		st.lose("echo", err)
	} else if ph == warmup || ph == measuring {
		st.sendReady()
	} else if st.done == st.sent {
		st.markQuietLocked()
	}
	dead, n := st.dead, int(st.done-before)
	st.mu.Unlock()
	if n > 0 {
		s.record(st.lat, n)
	}
	return !dead
}
