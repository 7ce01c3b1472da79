package load

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const ms, us = int64(time.Millisecond), int64(time.Microsecond)

// openRig is an engine in its measured window, in open loop with its
// schedule starting at 0, every connection open on a fake connection, and
// no loop: the test runs the tick and delivers the echoes itself, at the
// times it chooses.
type openRig struct {
	t     *testing.T
	e     *engine
	fakes []*fakeConn
	wrote [][]byte // everything written to each connection
}

func newOpenRig(t *testing.T, rate float64, conns, depth int) *openRig {
	cfg, err := Config{Size: 8, Depth: depth, Conns: conns, Rate: rate}.withDefaults()
	require.NoError(t, err)
	r := &openRig{t: t, e: newEngine(cfg, false), wrote: make([][]byte, conns)}
	r.e.phase = measuring
	r.e.sched = newSchedule(0, rate, conns)
	for i := range r.e.clients {
		f := &fakeConn{}
		r.fakes = append(r.fakes, f)
		r.e.clients[i].c, r.e.clients[i].state = f, open
	}
	return r
}

// tick runs the tick at at, its queued messages beginning to leave at end.
func (r *openRig) tick(at, end int64) {
	r.e.pump(at)
	r.e.timeLags(end)
}

// echo delivers at at whatever connection i has been sent and not echoed.
func (r *openRig) echo(i int, at int64) {
	f := r.fakes[i]
	r.wrote[i] = append(r.wrote[i], f.out...)
	in := bytes.Clone(f.out)
	f.out = f.out[:0]
	require.NoError(r.t, r.e.receive(&r.e.clients[i], in, at))
}

// checkSentOnce checks that connection i was sent messages 0 to n-1, each
// once and in order, and that all of them were echoed.
func (r *openRig) checkSentOnce(i int, n uint64) {
	var want []byte
	for seq := range n {
		want = append(want, r.e.pat.message(uint64(i), seq)...)
	}
	require.Equal(r.t, want, r.wrote[i], "connection %d", i)
	cl := &r.e.clients[i]
	require.Equal(r.t, n, cl.due, "connection %d: messages handed out", i)
	require.Equal(r.t, n, cl.sent, "connection %d", i)
	require.Equal(r.t, n, cl.done, "connection %d", i)
}

// TestOpenLoopAccounting is the open-loop generator's accounting, with
// times chosen by hand: every message the schedule has due is handed out
// once, sent once and echoed once; a message sent late, because the
// generator was late or because its connection had Depth in flight, is
// timed from its schedule; the generator's lag counts its own lateness but
// not the server's holding back; and a generator that was late is caught.
func TestOpenLoopAccounting(t *testing.T) {
	// 1,000 msgs/s over 2 connections, depth 1: event ev is due at ev ms,
	// connection 0 has the even ones, connection 1 the odd.
	r := newOpenRig(t, 1000, 2, 1)
	r.tick(0, 3*us)              // c0 m0 (due 0) leaves 3 µs late
	r.echo(0, 100*us)            // c0 m0: 100 µs
	r.tick(2500*us, 2502*us)     // the generator is late: c1 m0 (due 1 ms), c0 m1 (due 2 ms)
	r.tick(3*ms, 3*ms+us)        // c1 m1 (due 3 ms) is held back: c1 m0 is in flight
	r.tick(4*ms, 4*ms+us)        // c0 m2 (due 4 ms) is held back
	r.echo(1, 4200*us)           // c1 m0: 3.2 ms
	r.echo(0, 4300*us)           // c0 m1: 2.3 ms
	require.Len(t, r.e.freed, 2) // the echoes made room: the next tick sends
	r.tick(4310*us, 4311*us)     // c1 m1 ready at its echo (4.2 ms), c0 m2 at 4.3 ms
	r.echo(1, 4500*us)           // c1 m1: 1.5 ms
	r.echo(0, 4600*us)           // c0 m2: 0.6 ms
	r.tick(10*ms, 10*ms+us)      // 5 ms late: c1 m2 (due 5), c0 m3 (due 6); c1 m3, m4 and c0 m4, m5 held
	require.Equal(t, uint64(4), r.e.heldBack())
	for _, at := range []int64{10200 * us, 10400 * us} { // before event 11 is due, at 11 ms
		r.echo(0, at) // c0 m3: 4.2 ms, m4: 2.4 ms
		r.echo(1, at) // c1 m2: 5.2 ms, m3: 3.4 ms
		r.tick(at+us, at+us)
	}
	r.echo(0, 10600*us) // c0 m5: 0.6 ms
	r.echo(1, 10600*us) // c1 m4: 1.6 ms
	r.tick(10600*us, 10600*us)

	r.checkSentOnce(0, 6)
	r.checkSentOnce(1, 5)
	e := r.e
	require.Equal(t, uint64(11), e.nextEv, "events 0 to 10 handed out, each once")
	require.Equal(t, uint64(11), e.msgs, "every echo counted once")
	require.Equal(t, uint64(11), e.hist.Count())
	require.Equal(t, uint64(25100*us), e.hist.sum, "latencies from the schedule")
	require.Equal(t, 5200*time.Microsecond, e.hist.Max())
	require.Equal(t, 100*time.Microsecond, e.hist.Min())

	// The lags: 3 µs; 1.502 and 0.502 ms (late); 111 and 11 µs after the
	// echoes that made room; 5.001 and 4.001 ms (late); four of 1 µs
	// after the echoes.
	require.Equal(t, uint64(11), e.lag.sent)
	require.Equal(t, uint64(6), e.lag.held, "sent after an echo made room")
	require.Equal(t, uint64(3*us+1502*us+502*us+111*us+11*us+5001*us+4001*us+4*us), e.lag.hist.sum)
	require.Equal(t, uint64(5), e.lag.late, "over 100 µs")
	require.Equal(t, 5001*us, e.lag.maxLate, "the latest after its schedule: c1 m2")

	e.winStart, e.winEnd = 0, 10*ms+1
	e.closeAccount()
	res := e.result()
	require.NotNil(t, res.Open)
	require.Equal(t, uint64(11), res.Open.Due)
	require.Equal(t, uint64(11), res.Open.Issued)
	require.Contains(t, res.Open.GeneratorBound, "lag p99", "a generator 5 ms late is caught")
}

// TestOpenLoopSlowServer: a server that echoes each message 2.5 ms after
// it was sent, against a connection interval of 2 ms, holds messages back
// more and more; a punctual generator is not blamed for it.
func TestOpenLoopSlowServer(t *testing.T) {
	r := newOpenRig(t, 1000, 2, 1)
	echoAt := map[int]int64{} // connection: when its message in flight comes back
	for now := int64(0); now < 200*ms; now += 100 * us {
		for i, at := range echoAt {
			if at <= now {
				r.echo(i, now)
				delete(echoAt, i)
			}
		}
		r.tick(now, now+us)
		for i := range r.e.clients {
			if cl := &r.e.clients[i]; cl.sent > cl.done {
				if _, ok := echoAt[i]; !ok {
					echoAt[i] = now + 2500*us
				}
			}
		}
	}
	e := r.e
	e.winStart, e.winEnd = 0, 200*ms
	e.closeAccount()
	res := e.result()
	require.Equal(t, uint64(200), res.Open.Due)
	require.Equal(t, uint64(200), res.Open.Issued)
	require.Greater(t, res.Open.Held, uint64(100), "most messages waited for an echo")
	require.Positive(t, res.Open.Backlog)
	require.Equal(t, time.Microsecond, res.Open.LagMax, "the generator sent every message 1 µs after it could")
	require.Empty(t, res.Open.GeneratorBound)
	require.Greater(t, res.P99, 30*time.Millisecond, "the backlog is in the latencies")
}

// TestOpenLoopMessagePathAllocs: in open loop too, the per-message path
// allocates nothing once the engine's buffers have grown.
func TestOpenLoopMessagePathAllocs(t *testing.T) {
	r := newOpenRig(t, 1e6, 3, 4)
	now := int64(0)
	spare := make([]byte, 0, 1024)
	step := func() {
		now += 10 * us // 10 events, a few held back
		r.tick(now, now+us)
		for i, f := range r.fakes {
			in := f.out
			f.out = spare[:0]
			if err := r.e.receive(&r.e.clients[i], in, now+2*us); err != nil {
				panic(err)
			}
			spare = in
		}
	}
	for range 100 {
		step()
	}
	require.Zero(t, testing.AllocsPerRun(1000, step))
}
