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
// connection could be opened, or ctx ended before the run did.
func Run(ctx context.Context, cfg Config) (Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return Result{}, err
	}
	if cfg.ServerPID > 0 {
		if _, err := ProcessCPU(cfg.ServerPID); err != nil {
			return Result{}, fmt.Errorf("load: the server's CPU time: %w", err)
		}
	}
	e := newEngine(cfg, false)
	err = e.run(ctx)
	return e.result(), err
}

// RunIdle measures the server's memory per idle connection: it reads the
// resident set size of process cfg.ServerPID, opens cfg.Conns connections
// to cfg.Addr from one reactor loop, echoes one byte on each (so that the
// server has had to buffer something for every one of them), reads the RSS
// again with all of them open and idle, and closes them.
func RunIdle(ctx context.Context, cfg Config) (IdleResult, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return IdleResult{}, err
	}
	if cfg.ServerPID <= 0 {
		return IdleResult{}, fmt.Errorf("load: idle mode reads the server's memory: it needs the server's pid")
	}
	cfg.Size, cfg.Depth, cfg.Rate = 1, 1, 0
	e := newEngine(cfg, true)
	e.rssBefore, err = ProcessRSS(cfg.ServerPID)
	if err != nil {
		return IdleResult{}, fmt.Errorf("load: the server's memory: %w", err)
	}
	err = e.run(ctx)
	live := e.opened - e.lost
	r := IdleResult{
		Server:    cfg.Server,
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
	var u usage
	if e.cfg.ServerPID > 0 {
		cpu, err := ProcessCPU(e.cfg.ServerPID)
		if err != nil {
			e.report(nil, "the server's CPU time", err)
		}
		u.server, u.serverOK = cpu, err == nil
	}
	cpu, err := selfCPU()
	if err != nil {
		e.report(nil, "own CPU time", err)
	}
	u.client = cpu
	u.allocs = selfAllocs()
	return u
}

// result summarises the measured window.
func (e *engine) result() Result {
	c := e.cfg
	r := Result{
		Server: c.Server, Network: c.Network, Addr: c.Addr,
		Conns: c.Conns, Size: c.Size, Depth: c.Depth, Rate: c.Rate,
		Msgs:       e.msgs,
		Errors:     e.errors,
		P50:        e.hist.Percentile(50),
		P99:        e.hist.Percentile(99),
		P999:       e.hist.Percentile(99.9),
		Max:        e.hist.Max(),
		Mean:       e.hist.Mean(),
		MaxSendLag: time.Duration(e.maxLag),
	}
	if e.winEnd <= e.winStart {
		return r // the window did not close
	}
	r.Duration = time.Duration(e.winEnd - e.winStart)
	sec := r.Duration.Seconds()
	r.MsgsPerSec = float64(e.msgs) / sec
	r.MBPerSec = float64(e.msgs) * float64(c.Size) / sec / 1e6
	if e.msgs == 0 {
		return r
	}
	perMsg := func(d time.Duration) time.Duration { return d / time.Duration(e.msgs) }
	if e.before.serverOK && e.after.serverOK {
		r.ServerMeasured = true
		r.ServerCPU = e.after.server - e.before.server
		r.ServerCPUPerMsg = perMsg(r.ServerCPU)
	}
	r.ClientCPU = e.after.client - e.before.client
	r.ClientCPUPerMsg = perMsg(r.ClientCPU)
	r.ClientAllocsPerMsg = float64(e.after.allocs-e.before.allocs) / float64(e.msgs)
	return r
}
