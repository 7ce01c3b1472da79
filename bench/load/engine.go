package load

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/goreactor/reactor/reactor"
)

// engine drives every connection of a run from one reactor loop: it is the
// loop's Handler, and its timers are the loop's. All its fields belong to
// the loop's goroutine.
type engine struct {
	cfg     Config
	idle    bool // memory mode: one echo per connection, then measure
	loop    *reactor.Loop
	pat     pattern
	clients []client
	epoch   time.Time
	phase   phase
	hist    Histogram

	dialed, settled int // Dial calls made; connections opened or failed to
	opened, lost    int // connections opened; opened ones closed before the end
	inflight        int // messages sent whose echo has not arrived
	echoed          uint64
	msgs            uint64 // echoes that arrived in the measured window
	errors          uint64
	firstErr        error
	fatal           error // the run cannot go on

	// open loop: event ev of the schedule is message ev/Conns of
	// connection ev%Conns, due at t0 + ev*nsPerEvent.
	t0         int64
	nsPerEvent float64
	nextEv     uint64
	nextDue    int64
	tick       *reactor.Timer
	maxLag     int64 // the latest a message in the window was sent, after its time

	winStart, winEnd int64
	before, after    usage
	drain, progress  *reactor.Timer
	lastShown        int64
	lastEchoed       uint64

	idleEchoed         int   // idle mode: connections whose byte came back, or that closed
	rssBefore, rssLive int64 // idle mode: the server's RSS before dialing and with every connection open
}

type phase uint8

const (
	connecting phase = iota // dialing; in idle mode also echoing
	warmup
	measuring
	draining // no more sends; waiting for the echoes in flight
	finished
)

func (p phase) String() string {
	return [...]string{"connecting", "warmup", "measuring", "draining", "finished"}[p]
}

// maxDialing bounds the connects in progress at a time, so that thousands
// of connections do not overflow the server's listen backlog.
const maxDialing = 128

// maxPump bounds the open-loop events one pass hands out, so that a loop
// that is far behind the schedule still serves its connections.
const maxPump = 4096

// maxLogged is how many error lines a run writes; the rest are counted.
const maxLogged = 20

func newEngine(cfg Config, idle bool) *engine {
	e := &engine{cfg: cfg, idle: idle, pat: newPattern(cfg.Size), epoch: time.Now()}
	e.clients = make([]client, cfg.Conns)
	var stamps []int64
	if cfg.Rate == 0 {
		stamps = make([]int64, cfg.Conns*cfg.Depth)
	} else {
		e.nsPerEvent = 1e9 / cfg.Rate
	}
	for i := range e.clients {
		cl := &e.clients[i]
		cl.id = uint64(i)
		if stamps != nil {
			cl.sentAt = stamps[i*cfg.Depth : (i+1)*cfg.Depth : (i+1)*cfg.Depth]
		}
	}
	return e
}

// run dials the connections and runs the loop on the calling goroutine
// until the run is over, ctx ends or a bound on the whole run passes.
func (e *engine) run(ctx context.Context) error {
	if err := checkFDs(e.cfg.Conns); err != nil {
		return err
	}
	inFlight := e.cfg.Size * e.cfg.Depth
	l, err := reactor.New(e,
		reactor.WithGracePeriod(time.Second),
		reactor.WithLinger(time.Second),
		reactor.WithMaxOutput(max(reactor.DefaultMaxOutput, 2*inFlight)),
		reactor.WithMaxInput(max(reactor.DefaultMaxInput, 2*inFlight)))
	if err != nil {
		return err
	}
	e.loop = l
	if err := e.dialMore(); err != nil {
		l.Stop()
		_ = l.Run(ctx) // releases the poller
		return err
	}
	if e.cfg.Progress > 0 {
		e.progress = l.AfterFunc(e.cfg.Progress, e.showProgress)
	}
	// Every run ends by itself; this bound is for a server that stops
	// answering connects.
	bound := e.cfg.Warmup + e.cfg.Duration + e.cfg.Drain + 2*e.cfg.DialTimeout +
		time.Duration(e.cfg.Conns)*time.Millisecond + 10*time.Second
	ctx, cancel := context.WithTimeoutCause(ctx, bound, errors.New("load: the run did not end in time"))
	defer cancel()
	if err := l.Run(ctx); err != nil {
		return err
	}
	if e.fatal != nil {
		return e.fatal
	}
	if e.phase != finished {
		return fmt.Errorf("load: stopped during %s: %w", e.phase, context.Cause(ctx))
	}
	return nil
}

func (e *engine) now() int64 { return int64(time.Since(e.epoch)) }

// dialMore starts connects until maxDialing are in progress or every
// connection has been dialed. An error of the very first Dial (a bad
// address) is returned; later ones count as errors of their connection.
func (e *engine) dialMore() error {
	for e.dialed < len(e.clients) && e.dialed-e.settled < maxDialing {
		cl := &e.clients[e.dialed]
		e.dialed++
		c, err := e.loop.Dial(e.cfg.Network, e.cfg.Addr, e.cfg.DialTimeout)
		if err != nil {
			if e.dialed == 1 {
				return err
			}
			cl.state = closed
			e.report(cl, "dial", err)
			e.settle()
			continue
		}
		cl.c = c
		c.SetContext(cl)
	}
	return nil
}

// OnOpen is called when a connect has succeeded.
func (e *engine) OnOpen(c *reactor.Conn) {
	cl, _ := c.Context().(*client)
	if cl == nil {
		return
	}
	cl.state = open
	e.opened++
	if e.idle {
		e.send(cl, e.now())
	}
	e.settle()
	_ = e.dialMore() // not the first: it reports its own errors
}

// OnData checks the echoed bytes and sends what may follow.
func (e *engine) OnData(c *reactor.Conn) {
	cl, _ := c.Context().(*client)
	p, _ := c.Next(0)
	if cl == nil || cl.state != open {
		return
	}
	now := e.now()
	if err := e.receive(cl, p, now); err != nil {
		e.fail(cl, "echo", err)
	}
	if e.cfg.Rate > 0 && now >= e.nextDue {
		e.pump(now) // the timer has a 1 ms resolution: catch up while busy
	}
}

// OnClose is called once for every connection Dial returned.
func (e *engine) OnClose(c *reactor.Conn, err error) {
	cl, _ := c.Context().(*client)
	if cl == nil {
		return
	}
	switch cl.state {
	case dialing:
		cl.state = closed
		e.report(cl, "dial", err)
		e.settle()
		_ = e.dialMore()
	case open:
		if e.phase == finished {
			cl.state = closed // the engine closed it
			return
		}
		e.report(cl, "closed by the server", err)
		e.lose(cl)
	}
}

// fail closes cl after an error of its own.
func (e *engine) fail(cl *client, what string, err error) {
	if cl.state != open {
		return
	}
	e.report(cl, what, err)
	e.lose(cl)
	cl.state = failed
	_ = cl.c.Close()
}

// lose forgets an open connection that closed before the end.
func (e *engine) lose(cl *client) {
	cl.state = closed
	e.lost++
	e.inflight -= int(cl.sent - cl.done)
	if e.idle && cl.done == 0 {
		e.idleEchoed++
	}
	e.checkDrained()
	e.checkIdle()
}

// report counts an error and writes it to the log, up to maxLogged lines.
// A nil cl is an error of the run, not of one connection.
func (e *engine) report(cl *client, what string, err error) {
	e.errors++
	if e.firstErr == nil {
		e.firstErr = err
	}
	switch {
	case e.errors <= maxLogged && cl == nil:
		fmt.Fprintf(e.cfg.Log, "reactor-load: %s: %v\n", what, err)
	case e.errors <= maxLogged:
		fmt.Fprintf(e.cfg.Log, "reactor-load: connection %d: %s: %v\n", cl.id, what, err)
	case e.errors == maxLogged+1:
		fmt.Fprintln(e.cfg.Log, "reactor-load: more errors: counted, not shown")
	}
}

// settle counts a connection that opened or failed to; when the last one
// has, the traffic starts.
func (e *engine) settle() {
	e.settled++
	if e.settled < len(e.clients) {
		return
	}
	if e.opened == 0 {
		e.fatal = fmt.Errorf("load: no connection to %s %s opened: %w", e.cfg.Network, e.cfg.Addr, e.firstErr)
		e.finish()
		return
	}
	if e.idle {
		e.checkIdle()
		return
	}
	e.start(e.now())
}

// start begins the traffic on every open connection, and the warmup.
func (e *engine) start(now int64) {
	e.phase = warmup
	e.t0 = now
	if e.cfg.Rate > 0 {
		e.nextDue = now
		e.pump(now)
	} else {
		for i := range e.clients {
			e.refill(&e.clients[i], now)
		}
	}
	if e.cfg.Warmup > 0 {
		e.loop.AfterFunc(e.cfg.Warmup, e.beginWindow)
	} else {
		e.beginWindow()
	}
}

// eventTime is when event ev of the open-loop schedule is due.
func (e *engine) eventTime(ev uint64) int64 {
	return e.t0 + int64(float64(ev)*e.nsPerEvent)
}

// pump hands out the open-loop events that are due by now, sends what the
// depth allows, and sets the timer for the next event. A connection that
// has Depth messages in flight keeps its due ones and sends them as its
// echoes arrive; their latency still counts from the schedule.
func (e *engine) pump(now int64) {
	if e.phase != warmup && e.phase != measuring {
		return
	}
	n := uint64(len(e.clients))
	for k := 0; e.nextDue <= now; k++ {
		if k == maxPump {
			// Far behind (a huge rate, or the process was not
			// scheduled): serve I/O, and go on in the next pass.
			break
		}
		cl := &e.clients[e.nextEv%n]
		e.nextEv++
		e.nextDue = e.eventTime(e.nextEv)
		if cl.state == open {
			cl.due++
			e.refill(cl, now)
		}
	}
	d := time.Duration(max(e.nextDue-now, 0))
	if e.tick == nil {
		e.tick = e.loop.AfterFunc(d, e.onTick)
	} else {
		e.tick.Reset(d)
	}
}

func (e *engine) onTick() { e.pump(e.now()) }

// beginWindow ends the warmup: from here echoes are counted and timed.
func (e *engine) beginWindow() {
	if e.phase != warmup {
		return
	}
	e.before = e.usage()
	e.winStart = e.now()
	e.phase = measuring
	e.loop.AfterFunc(e.cfg.Duration, e.endWindow)
}

// endWindow closes the measured window and waits for the echoes in flight,
// for at most Drain.
func (e *engine) endWindow() {
	if e.phase != measuring {
		return
	}
	e.winEnd = e.now()
	e.after = e.usage()
	e.phase = draining
	if e.tick != nil {
		e.tick.Stop()
	}
	e.drain = e.loop.AfterFunc(e.cfg.Drain, e.finish)
	e.checkDrained()
}

// checkDrained ends the run once nothing is in flight after the window.
func (e *engine) checkDrained() {
	if e.phase == draining && e.inflight <= 0 {
		e.finish()
	}
}

// finish ends the run: the loop closes every connection and Run returns.
func (e *engine) finish() {
	if e.phase == finished {
		return
	}
	e.phase = finished
	for _, t := range []*reactor.Timer{e.tick, e.drain, e.progress} {
		if t != nil {
			t.Stop()
		}
	}
	e.loop.Stop()
}

// showProgress writes a progress line, and schedules the next.
func (e *engine) showProgress() {
	now := e.now()
	rate := float64(e.echoed-e.lastEchoed) / time.Duration(now-e.lastShown).Seconds()
	e.lastShown, e.lastEchoed = now, e.echoed
	if e.idle {
		fmt.Fprintf(e.cfg.Log, "reactor-load: %6.1fs opened %d/%d echoed %d errors %d\n",
			time.Duration(now).Seconds(), e.opened, len(e.clients), e.idleEchoed, e.errors)
	} else {
		fmt.Fprintf(e.cfg.Log, "reactor-load: %6.1fs %-10s conns %d msgs/s %.0f in flight %d errors %d\n",
			time.Duration(now).Seconds(), e.phase, e.opened-e.lost, rate, e.inflight, e.errors)
	}
	e.progress.Reset(e.cfg.Progress)
}
