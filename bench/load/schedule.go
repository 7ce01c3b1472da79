package load

// The open-loop schedule. Event ev of a run at Rate over Conns connections
// is message ev/Conns of connection ev%Conns, due at t0 + ev/Rate: each
// connection sends at Rate/Conns, and the connections take turns. The
// loop's engine (openloop.go) and the pacer of the TLS runs (pacer.go)
// keep the same schedule and account for it alike:
//
//   - A message's latency counts from its time on the schedule, however
//     late it left.
//   - A message that comes due while its connection has Depth messages in
//     flight is held back until an echo makes room for it. That is the
//     server's doing: Result.Held counts such messages, and their wait is
//     in their latency.
//   - A message's lag is how long after it could have left (its time on
//     the schedule, or the arrival of the echo that made room for it) the
//     generator handed it to its connection. That is the generator's
//     doing, and lagMeter (lag.go) says from it whether the run measured
//     the generator rather than the server.
type schedule struct {
	t0         int64 // when event 0 is due, in ns since the run's epoch
	nsPerEvent float64
	conns      uint64
}

func newSchedule(t0 int64, rate float64, conns int) schedule {
	return schedule{t0: t0, nsPerEvent: 1e9 / rate, conns: uint64(conns)}
}

// at is when event ev is due.
func (s schedule) at(ev uint64) int64 {
	return s.t0 + int64(float64(ev)*s.nsPerEvent)
}

// due is when message seq of connection id is due.
func (s schedule) due(id, seq uint64) int64 {
	return s.at(seq*s.conns + id)
}

// before returns how many events are due before t.
func (s schedule) before(t int64) uint64 {
	if t <= s.t0 {
		return 0
	}
	n := uint64(float64(t-s.t0) / s.nsPerEvent)
	for s.at(n) < t { // at truncates: settle the last one exactly
		n++
	}
	for n > 0 && s.at(n-1) >= t {
		n--
	}
	return n
}

// readyAt is when message seq of connection id could leave: at its time
// on the schedule, or, if that came while its connection had depth
// messages in flight, when the echo of message seq-depth arrived
// (freedAt), whichever is later. held says it was the echo.
func (s schedule) readyAt(id, seq uint64, depth int, freedAt int64) (ready int64, held bool) {
	ready = s.due(id, seq)
	if seq >= uint64(depth) && freedAt > ready {
		return freedAt, true
	}
	return ready, false
}
