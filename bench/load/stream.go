package load

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// streams is a run of TLS connections, a goroutine each (see crowd.go):
// Run and RunIdle with Config.TLS set, and not Config.WebSocket.
type streams struct {
	crowd
	idle bool // memory mode: one echo per connection, then measure

	started chan struct{} // closed when the traffic starts
	// settled gets one value per connection, once it has opened or
	// failed to (in idle mode: once its byte has come back, or it has
	// failed); quiet one per opened connection, once nothing it sent is
	// in flight after the window, or it has failed.
	settled, quiet chan struct{}

	opened, lost atomic.Int64

	pacer *pacer // open loop (pacer.go); nil in closed loop

	rssBefore, rssLive int64 // idle mode
	liveAtRSS          int64 // idle mode: connections open when the RSS was read
}

// stream is one connection of a streams run, owned by its goroutine; in
// open loop it shares its openState, sent and done with the pacer, and
// quiet with the steering goroutine, under its mutex.
type stream struct {
	s      *streams
	id     uint64
	sent   uint64  // messages written
	done   uint64  // messages whose echo has arrived whole and matched
	off    int     // bytes of message done that have arrived
	sentAt []int64 // closed loop: when message seq was written, at seq % Depth
	out    []byte  // closed loop: messages to write, in one Write
	in     []byte  // the read buffer
	lat    []int64 // latencies completed in the last read

	opened, settled, quiet bool

	openState
}

func newStreams(cfg Config, idle bool) *streams {
	s := &streams{
		crowd:   newCrowd(cfg),
		idle:    idle,
		started: make(chan struct{}),
		settled: make(chan struct{}, cfg.Conns),
		quiet:   make(chan struct{}, cfg.Conns),
	}
	s.liveConns = func() int64 { return s.opened.Load() - s.lost.Load() }
	s.lag.limit = int64(cfg.LagLimit)
	if cfg.Rate > 0 && !idle {
		s.pacer = newPacer(s)
	}
	return s
}

// run dials the connections, one goroutine each, and steers the run on
// the calling goroutine until it is over, ctx ends or a bound on the whole
// run passes.
func (s *streams) run(ctx context.Context) error {
	if err := checkFDs(s.cfg.Conns); err != nil {
		return err
	}
	c := s.cfg
	// Every run ends by itself; this bound is for a server that stops
	// answering connects or handshakes.
	bound := c.Warmup + c.Duration + c.Drain + 2*c.DialTimeout + time.Duration(c.Conns)*time.Millisecond + 10*time.Second
	ctx, cancel := context.WithTimeoutCause(ctx, bound, errors.New("load: the run did not end in time"))
	defer cancel()
	stop, stopAll := context.WithCancel(ctx)
	defer stopAll()
	s.stop = stop

	var wg sync.WaitGroup
	dialing := make(chan struct{}, maxDialing)
	for i := range c.Conns {
		st := &stream{s: s, id: uint64(i)}
		wg.Go(func() { st.run(dialing) })
	}
	err := s.steer(ctx)
	// The goroutines see the run finished before their connections close
	// under them, and so do not count that as an error.
	s.phase.Store(int32(finished))
	stopAll()
	wg.Wait()
	return err
}

// steer takes the run through its phases.
func (s *streams) steer(ctx context.Context) error {
	if err := s.wait(ctx, s.settled, s.cfg.Conns, 0); err != nil {
		return err
	}
	opened := int(s.opened.Load())
	if opened == 0 {
		s.mu.Lock()
		defer s.mu.Unlock()
		return fmt.Errorf("load: no connection to %s %s opened: %w", s.cfg.Network, s.cfg.Addr, s.firstErr)
	}
	if s.idle {
		rss, err := ProcessRSS(s.cfg.ServerPID)
		if err != nil {
			s.report("", 0, "the server's memory", err)
		}
		s.rssLive, s.liveAtRSS = rss, s.opened.Load()-s.lost.Load()
		return nil
	}
	s.phase.Store(int32(warmup))
	if s.pacer != nil {
		s.pacer.start(s.now())
	}
	close(s.started)
	err := s.measure(ctx)
	if s.pacer != nil {
		// At most a round of the pacer's late: those events were due by
		// the window's end, or are left out of it (see lagMeter.fill).
		s.handedOut = s.pacer.handedOut.Load()
		s.pacer.stop()
		s.backlog = s.pacer.heldBack()
		s.pacer.quietAll()
	}
	if err != nil {
		return err
	}
	return s.wait(ctx, s.quiet, opened, s.cfg.Drain)
}

func (s *streams) result() Result {
	w := s.window()
	r := w.result(s.cfg, s.errors)
	r.TLS = s.tlsInfo
	if p := s.pacer; p != nil && w.end > w.start {
		s.mu.Lock()
		s.lag.fill(&r, p.sched, w.start, w.end, s.handedOut, s.backlog)
		s.mu.Unlock()
	}
	return r
}

func (s *streams) idleResult() IdleResult {
	r := IdleResult{
		Server:    s.cfg.Server,
		TLS:       s.tlsInfo,
		IdleConns: int(s.liveAtRSS),
		RSSBefore: s.rssBefore,
		RSSAfter:  s.rssLive,
		Errors:    s.errors,
	}
	if r.IdleConns > 0 && r.RSSAfter > 0 {
		r.RSSPerConn = float64(r.RSSAfter-r.RSSBefore) / float64(r.IdleConns)
	}
	return r
}

// run is the goroutine of one connection: it dials, with at most
// maxDialing connects and handshakes in progress at a time (so that
// thousands of connections do not overflow the server's listen backlog),
// then serves the connection until the run is over or it fails.
func (st *stream) run(dialing chan struct{}) {
	s := st.s
	defer st.settle()
	defer st.markQuiet()
	select {
	case dialing <- struct{}{}:
	case <-s.stop.Done():
		return
	}
	c, err := dialConn(s.stop, s.cfg)
	<-dialing
	if err != nil {
		if s.stop.Err() == nil {
			s.report("connection", st.id, "dial", err)
		}
		return
	}
	closeAtStop := context.AfterFunc(s.stop, func() { _ = c.Close() })
	defer func() {
		if closeAtStop() {
			_ = c.Close()
		}
	}()
	st.opened = true
	s.opened.Add(1)
	s.noteTLS(c)
	if s.pacer != nil {
		st.serveOpen(c)
		return
	}
	st.serve(c)
}

// serve sends the first messages and then reads the echoes until the run
// is over or the connection fails.
func (st *stream) serve(c net.Conn) {
	s := st.s
	if s.idle {
		st.in = make([]byte, 64)
		st.queue(0)
	} else {
		st.settle()
		select {
		case <-s.started:
		case <-s.stop.Done():
			return
		}
		inFlight := s.cfg.Size * s.cfg.Depth
		st.sentAt = make([]int64, s.cfg.Depth)
		st.out = make([]byte, 0, inFlight)
		st.in = make([]byte, min(max(inFlight, 4<<10), 64<<10))
		st.refill(s.now())
	}
	if !st.flush(c) {
		return
	}
	for {
		n, err := c.Read(st.in)
		if n > 0 && !st.received(c, st.in[:n]) {
			return
		}
		if err != nil {
			if s.loadPhase() != finished {
				s.report("connection", st.id, "closed by the server", err)
				s.lost.Add(1)
			}
			return
		}
	}
}

// received checks echoed bytes and sends what may follow. It returns
// false if the connection failed.
func (st *stream) received(c net.Conn, p []byte) bool {
	s := st.s
	ph := s.loadPhase()
	now := s.now()
	before := st.done
	st.lat = st.lat[:0]
	if err := st.receive(p, now, ph == measuring); err != nil {
		s.report("connection", st.id, "echo", err)
		s.lost.Add(1)
		return false
	}
	if n := int(st.done - before); n > 0 {
		s.record(st.lat, n)
	}
	switch {
	case s.idle:
		if st.done == 1 {
			st.settle()
		}
	case ph == warmup || ph == measuring:
		st.refill(now)
		return st.flush(c)
	case st.done == st.sent:
		st.markQuiet()
	}
	return true
}

// receive checks bytes echoed to st against what it sent, in order and
// whatever the chunking, and with timed notes the latency of each message
// whose last byte is in p: from when it was written (closed loop) or due
// (open loop).
func (st *stream) receive(p []byte, now int64, timed bool) error {
	size := st.s.cfg.Size
	for len(p) > 0 {
		if st.done == st.sent {
			return fmt.Errorf("%d bytes more than were sent", len(p))
		}
		want := st.s.pat.message(st.id, st.done)[st.off:]
		n := min(len(p), len(want))
		if err := compare(p[:n], want[:n], st.done, st.off); err != nil {
			return err
		}
		p = p[n:]
		st.off += n
		if st.off == size {
			st.off = 0
			switch {
			case st.doneAt != nil:
				if timed {
					st.lat = append(st.lat, now-st.s.pacer.sched.due(st.id, st.done))
				}
				st.doneAt[st.done%uint64(len(st.doneAt))] = now
			case timed:
				st.lat = append(st.lat, now-st.sentAt[st.done%uint64(len(st.sentAt))])
			}
			st.done++
		}
	}
	return nil
}

// refill queues messages while fewer than Depth are in flight.
func (st *stream) refill(now int64) {
	for st.sent < st.done+uint64(st.s.cfg.Depth) {
		st.sentAt[st.sent%uint64(len(st.sentAt))] = now
		st.queue(st.sent)
	}
}

// queue adds message seq to what the next flush writes.
func (st *stream) queue(seq uint64) {
	st.out = append(st.out, st.s.pat.message(st.id, seq)...)
	st.sent++
}

// flush writes the queued messages, as the loop's clients write what
// they queued in one pass: in one TLS record, if they fit. It returns
// false if the connection failed.
func (st *stream) flush(c net.Conn) bool {
	if len(st.out) == 0 {
		return true
	}
	_, err := c.Write(st.out)
	st.out = st.out[:0]
	if err != nil {
		if st.s.loadPhase() != finished {
			st.s.report("connection", st.id, "write", err)
			st.s.lost.Add(1)
		}
		return false
	}
	return true
}

// settle tells the steering goroutine, once, that the connection has
// opened or failed to (in idle mode: that its byte has come back, or that
// it has failed).
func (st *stream) settle() {
	if !st.settled {
		st.settled = true
		st.s.settled <- struct{}{}
	}
}

// markQuiet tells the steering goroutine, once, that an opened connection
// has nothing in flight after the window, or has failed.
func (st *stream) markQuiet() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.markQuietLocked()
}

// markQuietLocked is markQuiet with st.mu held.
func (st *stream) markQuietLocked() {
	if st.opened && !st.quiet && !st.s.idle {
		st.quiet = true
		st.s.quiet <- struct{}{}
	}
}
