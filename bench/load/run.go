package load

import (
	"context"
	"fmt"
	"time"
)

// Run drives an echo server at cfg.Addr from one reactor loop, on the
// calling goroutine, and returns what it measured. It dials cfg.Conns
// connections, sends traffic for cfg.Warmup, measures for cfg.Duration,
// waits at most cfg.Drain for the echoes in flight, closes every
// connection and returns. Every echoed byte is checked; connections that
// fail count in Result.Errors (and are described on cfg.Log) without
// ending the run. Run returns an error if the configuration is bad, no
// connection could be opened, or ctx ended before the run did. With
// cfg.TLS the connections are crypto/tls clients, a goroutine each,
// steered from the calling goroutine (see crowd.go); with cfg.WebSocket
// too (wss), they stay on the loop, as its TLS connections (see ws.go).
func Run(ctx context.Context, cfg Config) (Result, error) {
	cfg, err := cfg.withDefaults()
	if err == nil {
		err = cfg.streamOnly()
	}
	if err != nil {
		return Result{}, err
	}
	if cfg.ServerPID > 0 {
		if _, err := ProcessCPU(cfg.ServerPID); err != nil {
			return Result{}, fmt.Errorf("load: the server's CPU time: %w", err)
		}
	}
	if cfg.plainTLS() {
		s := newStreams(cfg, false)
		err = s.run(ctx)
		return s.result(), err
	}
	e := newEngine(cfg, false)
	err = e.run(ctx)
	return e.result(), err
}

// RunIdle measures the server's memory per idle connection: it reads the
// resident set size of process cfg.ServerPID, opens cfg.Conns connections
// to cfg.Addr from one reactor loop, echoes one byte on each (so that the
// server has had to buffer something for every one of them), reads the RSS
// again with all of them open and idle, and closes them. With cfg.TLS the
// connections are TLS clients, a goroutine each, and the echo also makes
// sure that the server has finished every handshake. With cfg.WebSocket
// each connection upgrades first, and echoes a 1-byte message (wss: on the
// loop, as in Run).
func RunIdle(ctx context.Context, cfg Config) (IdleResult, error) {
	cfg, err := cfg.withDefaults()
	if err == nil {
		err = cfg.streamOnly()
	}
	if err != nil {
		return IdleResult{}, err
	}
	if cfg.ServerPID <= 0 {
		return IdleResult{}, fmt.Errorf("load: idle mode reads the server's memory: it needs the server's pid")
	}
	cfg.Size, cfg.Depth, cfg.Rate = 1, 1, 0
	rssBefore, err := ProcessRSS(cfg.ServerPID)
	if err != nil {
		return IdleResult{}, fmt.Errorf("load: the server's memory: %w", err)
	}
	if cfg.plainTLS() {
		s := newStreams(cfg, true)
		s.rssBefore = rssBefore
		err = s.run(ctx)
		return s.idleResult(), err
	}
	e := newEngine(cfg, true)
	e.rssBefore = rssBefore
	err = e.run(ctx)
	live := e.opened - e.lost
	r := IdleResult{
		Server:    cfg.Server,
		TLS:       e.tlsInfo,
		WebSocket: wsPath(cfg),
		IdleConns: live,
		RSSBefore: e.rssBefore,
		RSSAfter:  e.rssLive,
		Errors:    e.errors,
	}
	if live > 0 && e.rssLive > 0 {
		r.RSSPerConn = float64(e.rssLive-e.rssBefore) / float64(live)
	}
	return r, err
}

// checkIdle, in idle mode, measures the server's memory once every
// connection has opened (or failed) and had its byte echoed (or closed),
// and ends the run.
func (e *engine) checkIdle() {
	if !e.idle || e.phase != connecting || e.settled < len(e.clients) || e.idleEchoed < e.opened {
		return
	}
	rss, err := ProcessRSS(e.cfg.ServerPID)
	if err != nil {
		e.report(nil, "the server's memory", err)
	}
	e.rssLive = rss
	e.finish()
}

// usage is what the run has cost the server and the load generator so far.
type usage struct {
	server   time.Duration
	serverOK bool
	client   time.Duration
	allocs   uint64
}

func (e *engine) usage() usage {
	return readUsage(e.cfg.ServerPID, func(what string, err error) { e.report(nil, what, err) })
}

// readUsage reads the CPU time of process pid (if pid > 0) and of this
// process, and this process's allocations so far; report is told of a
// figure that could not be read.
func readUsage(pid int, report func(what string, err error)) usage {
	var u usage
	if pid > 0 {
		cpu, err := ProcessCPU(pid)
		if err != nil {
			report("the server's CPU time", err)
		}
		u.server, u.serverOK = cpu, err == nil
	}
	cpu, err := selfCPU()
	if err != nil {
		report("own CPU time", err)
	}
	u.client = cpu
	u.allocs = selfAllocs()
	return u
}

// result summarises the measured window.
func (e *engine) result() Result {
	w := window{msgs: e.msgs, hist: &e.hist, start: e.winStart, end: e.winEnd, before: e.before, after: e.after}
	r := w.result(e.cfg, e.errors)
	r.TLS = e.tlsInfo
	if e.cfg.Rate > 0 && e.winEnd > e.winStart {
		e.lag.fill(&r, e.sched, e.winStart, e.winEnd, e.handedOut, e.backlog)
	}
	return r
}

// window is what a run counted in its measured window, whether the loop
// drove its connections or goroutines did: the echoes that completed in
// it, their latencies, the times it opened and closed (ns since the run's
// epoch) and the usage read at each.
type window struct {
	msgs          uint64
	hist          *Histogram
	start, end    int64
	before, after usage
}

// result turns the window into the Result of a run with configuration c
// that counted errors errors.
func (w *window) result(c Config, errors uint64) Result {
	r := Result{
		Server: c.Server, Network: c.Network, Addr: c.Addr,
		Conns: c.Conns, Size: c.Size, Depth: c.Depth, Rate: c.Rate,
		WebSocket: wsPath(c),
		Msgs:      w.msgs,
		Errors:    errors,
		P50:       w.hist.Percentile(50),
		P99:       w.hist.Percentile(99),
		P999:      w.hist.Percentile(99.9),
		Max:       w.hist.Max(),
		Mean:      w.hist.Mean(),
	}
	if w.end <= w.start {
		return r // the window did not close
	}
	r.Duration = time.Duration(w.end - w.start)
	sec := r.Duration.Seconds()
	r.MsgsPerSec = float64(w.msgs) / sec
	r.MBPerSec = float64(w.msgs) * float64(c.Size) / sec / 1e6
	if w.msgs == 0 {
		return r
	}
	perMsg := func(d time.Duration) time.Duration { return d / time.Duration(w.msgs) }
	if w.before.serverOK && w.after.serverOK {
		r.ServerMeasured = true
		r.ServerCPU = w.after.server - w.before.server
		r.ServerCPUPerMsg = perMsg(r.ServerCPU)
	}
	r.ClientCPU = w.after.client - w.before.client
	r.ClientCPUPerMsg = perMsg(r.ClientCPU)
	r.ClientAllocsPerMsg = float64(w.after.allocs-w.before.allocs) / float64(w.msgs)
	return r
}
