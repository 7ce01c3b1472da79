package load

import (
	"fmt"
	"strings"
	"time"
)

// An open-loop run measures the server only while the generator keeps its
// schedule. A message the generator sends late is still timed from its
// schedule, so the generator's lateness is counted as the server's
// latency; and a generator that cannot keep up offers less load than it
// says. So the generator keeps an account of its own lag (see
// schedule.go for what counts as lag and what as the server's holding
// back), and a run whose lag or shortfall passes these bounds is
// generator-bound: its figures describe the generator, and the scripts
// keep it out of the curves.
const (
	// DefaultLagLimit is Config.LagLimit's default. A message whose lag
	// is above it is late, and a run with more than 1% of its messages
	// late (a lag p99 above the limit) is generator-bound. A lag adds to
	// the latency of the message it delays one for one, so under this
	// limit the generator moves a latency p99 by 100 µs at most, a tenth
	// of the p99 at which one-core echo servers part company near their
	// capacity (bench/results/latency.md);
	// far below the knee, where p99s are smaller, a generator that keeps
	// up lags a few µs, not 100. And a generator that is busy but keeps
	// up stays under it: one pass of its loop, reading and answering a
	// few connections' echoes at some µs each, takes tens of µs, so a
	// lag p99 above 100 µs means the generator is behind by more than a
	// pass, not merely busy. (10% of a connection's interval between
	// sends, the other usual bound, would allow 600 µs at 8,000 msgs/s
	// over 50 connections: ten times the p99 it would be measuring.)
	DefaultLagLimit = 100 * time.Microsecond

	// MaxShortfall is the most the messages the generator handed out in
	// the window (sent, or held back for Depth) may fall short of those
	// the schedule had due in it before the run is generator-bound. 1%
	// is the most by which the offered load may differ from the rate
	// the curves are drawn at.
	MaxShortfall = 0.01
)

// lagMeter is an open-loop run's account of its schedule in the measured
// window. The loop's engine has one; the TLS runs share one under their
// mutex.
type lagMeter struct {
	limit   int64     // ns: LagLimit
	hist    Histogram // lags of the messages sent in the window
	late    uint64    // of those, lags above limit
	sent    uint64    // messages sent in the window
	held    uint64    // of those, messages that waited for an echo
	maxLate int64     // the latest a message left after its schedule, held or not
}

// sent records a message sent in the window: lag after it could have
// left, ready at its time on the schedule or after (held), and it was due
// at due.
func (m *lagMeter) record(now, ready, due int64, held bool) {
	lag := now - ready
	m.hist.Record(time.Duration(lag))
	if lag > m.limit {
		m.late++
	}
	m.sent++
	if held {
		m.held++
	}
	m.maxLate = max(m.maxLate, now-due)
}

// fill puts the account into r, for a window from start to end on
// schedule s, by the end of which the generator had handed out events
// 0 to handedOut-1 and held back backlog messages.
func (m *lagMeter) fill(r *Result, s schedule, start, end int64, handedOut, backlog uint64) {
	first, last := s.before(start), s.before(end)
	r.Open = &OpenLoop{
		Due:        last - first,
		Issued:     min(max(handedOut, first), last) - first,
		Sent:       m.sent,
		Held:       m.held,
		Backlog:    backlog,
		LagP50:     m.hist.Percentile(50),
		LagP99:     m.hist.Percentile(99),
		LagMax:     m.hist.Max(),
		LagLimit:   time.Duration(m.limit),
		Late:       m.late,
		MaxSendLag: time.Duration(m.maxLate),
	}
	if r.Duration > 0 {
		r.Open.SentPerSec = float64(m.sent) / r.Duration.Seconds()
	}
	r.Open.GeneratorBound = r.Open.verdict()
}

// OpenLoop is an open-loop run's account of its schedule in the measured
// window, and the verdict on it (see DefaultLagLimit and MaxShortfall).
type OpenLoop struct {
	Due        uint64  // messages the schedule had due in the window
	Issued     uint64  // of those, the ones the generator had handed out (sent, or held back) when it closed
	Sent       uint64  // messages written in the window
	SentPerSec float64 // the achieved send rate
	// Held counts the messages sent in the window that had come due
	// while their connection had Depth in flight, and waited for an
	// echo: the server held them back. Backlog counts those still
	// waiting when the window closed: past a server's capacity it grows
	// with the window.
	Held, Backlog uint64

	// The generator's lag: how long after it could have left (see
	// schedule.go) each message sent in the window was handed to its
	// connection, up to the moment its write began (on the loop, the
	// start of the pass's flush). Within 0.8%, as latencies.
	LagP50, LagP99, LagMax time.Duration
	LagLimit               time.Duration // Config.LagLimit
	Late                   uint64        // messages whose lag was above LagLimit
	// MaxSendLag is the latest a message in the window left after its
	// time on the schedule, held back or not.
	MaxSendLag time.Duration

	// GeneratorBound says why the run measured the generator rather
	// than the server: its lag p99 was above LagLimit, or it handed out
	// fewer than 1-MaxShortfall of the messages due. Empty: it kept up.
	GeneratorBound string
}

// verdict returns why the generator fell behind its schedule, or "".
func (o *OpenLoop) verdict() string {
	var why []string
	if o.LagP99 > o.LagLimit {
		why = append(why, fmt.Sprintf("lag p99 %v > %v (%d msgs late)", round(o.LagP99), o.LagLimit, o.Late))
	}
	if o.Due > 0 && float64(o.Issued) < (1-MaxShortfall)*float64(o.Due) {
		why = append(why, fmt.Sprintf("handed out %d of the %d msgs due (%.1f%%)", o.Issued, o.Due, 100*float64(o.Issued)/float64(o.Due)))
	}
	return strings.Join(why, "; ")
}
