package load

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// TLS runs do not use the loop. What they measure is the server's TLS, so
// the clients are crypto/tls as it is, as a client in the field would use
// it: a goroutine per connection (or per worker, for the handshake rate),
// blocking reads and writes on the runtime's netpoller. The goroutines
// check the echoes against the same pattern as the loop's clients, and the
// run goes through the same phases; the caller's goroutine steers them and
// the goroutines read the phase from an atomic. Such a generator costs
// more per message than the loop: with the server on a core of its own,
// the server's CPU time per message (or per handshake) is the figure to
// compare.

// crowd is what the goroutines of such a run share.
type crowd struct {
	cfg   Config
	pat   pattern
	epoch time.Time
	phase atomic.Int32 // a phase; the steering goroutine changes it

	// stop ends when the run does: every goroutine that waits on it
	// returns, and every connection still open is closed.
	stop context.Context

	mu       sync.Mutex // guards what follows
	hist     Histogram  // latencies in the measured window
	msgs     uint64     // echoes (or handshakes) completed in the measured window
	total    uint64     // all completed, for the progress lines
	errors   uint64
	firstErr error
	tlsInfo  string   // TLSInfo of the first TLS connection
	lag      lagMeter // open loop (pacer.go)
	// open loop, when the window closed: events handed out, and messages
	// held back (just after)
	handedOut, backlog uint64

	// The steering goroutine's own.
	win        window
	lastShown  int64
	lastTotal  uint64
	liveConns  func() int64 // for the progress lines; nil: not shown
	unitPerSec string       // "msgs/s" or "handshakes/s"
}

func newCrowd(cfg Config) crowd {
	return crowd{cfg: cfg, pat: newPattern(cfg.Size), epoch: time.Now(), unitPerSec: "msgs/s"}
}

func (r *crowd) now() int64 { return int64(time.Since(r.epoch)) }

func (r *crowd) loadPhase() phase { return phase(r.phase.Load()) }

// record adds the latencies of the echoes (or handshakes) that one
// goroutine has just completed in the measured window, and the number it
// has completed in all.
func (r *crowd) record(lat []int64, completed int) {
	r.mu.Lock()
	for _, d := range lat {
		r.hist.Record(time.Duration(d))
	}
	r.msgs += uint64(len(lat))
	r.total += uint64(completed)
	r.mu.Unlock()
}

// report counts an error and writes it to the log, up to maxLogged lines.
// An empty who is an error of the run, not of one connection or worker.
func (r *crowd) report(who string, id uint64, what string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors++
	if r.firstErr == nil {
		r.firstErr = err
	}
	switch {
	case r.errors <= maxLogged && who == "":
		fmt.Fprintf(r.cfg.Log, "reactor-load: %s: %v\n", what, err)
	case r.errors <= maxLogged:
		fmt.Fprintf(r.cfg.Log, "reactor-load: %s %d: %s: %v\n", who, id, what, err)
	case r.errors == maxLogged+1:
		fmt.Fprintln(r.cfg.Log, "reactor-load: more errors: counted, not shown")
	}
}

// noteTLS keeps what the first TLS connection negotiated.
func (r *crowd) noteTLS(c net.Conn) {
	tc, ok := c.(*tls.Conn)
	if !ok {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tlsInfo == "" {
		r.tlsInfo = TLSInfo(tc.ConnectionState())
	}
}

func (r *crowd) usage() usage {
	return readUsage(r.cfg.ServerPID, func(what string, err error) { r.report("", 0, what, err) })
}

// stopped is the error of a run whose context ended before it did.
func (r *crowd) stopped(ctx context.Context) error {
	return fmt.Errorf("load: stopped during %s: %w", r.loadPhase(), context.Cause(ctx))
}

// wait waits, on the steering goroutine, until n values have come on ch or
// d has passed (n 0 or d 0: that one is not awaited), writing progress
// lines meanwhile. It returns an error if ctx ends first.
func (r *crowd) wait(ctx context.Context, ch <-chan struct{}, n int, d time.Duration) error {
	if n <= 0 && d <= 0 {
		return nil
	}
	var limit <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		limit = t.C
	}
	var tick <-chan time.Time
	if r.cfg.Progress > 0 {
		t := time.NewTicker(r.cfg.Progress)
		defer t.Stop()
		tick = t.C
	}
	if n <= 0 {
		ch = nil
	}
	for {
		select {
		case <-ch:
			if n--; n == 0 {
				return nil
			}
		case <-limit:
			return nil
		case <-tick:
			r.showProgress()
		case <-ctx.Done():
			return r.stopped(ctx)
		}
	}
}

// measure runs the warmup and the measured window, on the steering
// goroutine, and leaves the run draining.
func (r *crowd) measure(ctx context.Context) error {
	if err := r.wait(ctx, nil, 0, r.cfg.Warmup); err != nil {
		return err
	}
	r.win.before = r.usage()
	r.win.start = r.now()
	r.phase.Store(int32(measuring))
	if err := r.wait(ctx, nil, 0, r.cfg.Duration); err != nil {
		return err
	}
	r.win.end = r.now()
	r.win.after = r.usage()
	r.phase.Store(int32(draining))
	return nil
}

// window returns the measured window, once every goroutine has returned.
func (r *crowd) window() *window {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.win.msgs, r.win.hist = r.msgs, &r.hist
	return &r.win
}

// showProgress writes a progress line.
func (r *crowd) showProgress() {
	now := r.now()
	r.mu.Lock()
	total, errors := r.total, r.errors
	r.mu.Unlock()
	rate := float64(total-r.lastTotal) / time.Duration(now-r.lastShown).Seconds()
	r.lastShown, r.lastTotal = now, total
	conns := ""
	if r.liveConns != nil {
		conns = fmt.Sprintf(" conns %d", r.liveConns())
	}
	fmt.Fprintf(r.cfg.Log, "reactor-load: %6.1fs %-10s%s %s %.0f errors %d\n",
		time.Duration(now).Seconds(), r.loadPhase(), conns, r.unitPerSec, rate, errors)
}
