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

	// open loop (openloop.go)
	sched   schedule
	nextEv  uint64 // the next event of the schedule to hand out
	nextDue int64  // when it is due
	tick    *reactor.Timer
	freed   []*client  // connections an echo has made room for messages held back on
	readyAt []readyMsg // messages of the window this tick queued, for their lag
	lag     lagMeter
	// when the window closed: events handed out, and messages held back
	handedOut, backlog uint64

	winStart, winEnd int64
	before, after    usage
	drain, progress  *reactor.Timer
	lastShown        int64
	lastEchoed       uint64

	idleEchoed         int   // idle mode: connections whose byte came back, or that closed
	rssBefore, rssLive int64 // idle mode: the server's RSS before dialing and with every connection open

	ws      *wsSide // WebSocket runs (ws.go); nil for plain echoes
	tlsInfo string  // what the first TLS connection negotiated (wss)
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

// maxLogged is how many error lines a run writes; the rest are counted.
const maxLogged = 20

func newEngine(cfg Config, idle bool) *engine {
	e := &engine{cfg: cfg, idle: idle, pat: newPattern(cfg.Size), epoch: time.Now()}
	e.lag.limit = int64(cfg.LagLimit)
	if cfg.WebSocket {
		e.ws = newWSSide(cfg)
	}
	e.clients = make([]client, cfg.Conns)
	stamps := make([]int64, cfg.Conns*cfg.Depth)
	for i := range e.clients {
		cl := &e.clients[i]
		cl.id = uint64(i)
		s := stamps[i*cfg.Depth : (i+1)*cfg.Depth : (i+1)*cfg.Depth]
		if cfg.Rate == 0 {
			cl.sentAt = s
		} else {
			cl.doneAt = s
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
		var c *reactor.Conn
		var err error
		if e.cfg.TLS != nil { // wss: the loop's TLS
			c, err = e.loop.DialTLS(e.cfg.Network, e.cfg.Addr, e.cfg.TLS, e.cfg.DialTimeout)
		} else {
			c, err = e.loop.Dial(e.cfg.Network, e.cfg.Addr, e.cfg.DialTimeout)
		}
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

// OnOpen is called when a connect (and, for wss, the TLS handshake) has
// succeeded. A WebSocket connection then upgrades, and opens once the
// server has agreed (ws.go).
func (e *engine) OnOpen(c *reactor.Conn) {
	cl, _ := c.Context().(*client)
	if cl == nil {
		return
	}
	if cs, ok := c.ConnectionState(); ok && e.tlsInfo == "" {
		e.tlsInfo = TLSInfo(cs)
	}
	if e.ws != nil {
		cl.state = upgrading
		if err := e.ws.upgrade(cl); err != nil {
			e.failUpgrade(cl, err)
		}
		return
	}
	e.open(cl, e.now())
}

// open counts cl opened; in idle mode it sends cl's one message.
func (e *engine) open(cl *client, now int64) {
	cl.state = open
	e.opened++
	if e.idle {
		e.send(cl, now)
	}
	e.settle()
	_ = e.dialMore() // not the first: it reports its own errors
}

// OnData checks the echoed bytes and sends what may follow.
func (e *engine) OnData(c *reactor.Conn) {
	cl, _ := c.Context().(*client)
	if e.ws != nil && cl != nil {
		e.onWSData(c, cl)
		return
	}
	p, _ := c.Next(0)
	if cl == nil || cl.state != open {
		return
	}
	now := e.now()
	if err := e.receive(cl, p, now); err != nil {
		e.fail(cl, "echo", err)
	}
}

// OnClose is called once for every connection Dial returned.
func (e *engine) OnClose(c *reactor.Conn, err error) {
	cl, _ := c.Context().(*client)
	if cl == nil {
		return
	}
	switch cl.state {
	case dialing, upgrading:
		what := "dial"
		if cl.state == upgrading {
			what = "upgrade: closed by the server"
		}
		cl.state = closed
		e.report(cl, what, err)
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
	if e.cfg.Rate > 0 {
		e.sched = newSchedule(now, e.cfg.Rate, len(e.clients))
		e.nextDue = now
		e.onTick()
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
	if e.cfg.Rate > 0 {
		e.closeAccount()
	}
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
