package reactor

import (
	"context"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goreactor/reactor/buffer"
	"github.com/goreactor/reactor/poller"
)

// Loop is one event loop: one goroutine (the one that calls Run) owns it and
// everything in it. See the package documentation for the ownership rule and
// the order of one pass.
type Loop struct {
	h   Handler
	hc  HalfCloser // h, if it wants to hear of the peer's FIN
	cfg config
	log *slog.Logger
	p   poller.Poller

	ready     poller.Ready
	fds       []*Conn                // fd -> connection or listener; nil for fds the loop does not own
	rbuf      []byte                 // the loop-wide read buffer
	iov       iovecs                 // writev's argument, kept here so it does not escape
	sys       syscalls               // read, writev, accept
	handoff   func(fd int, tcp bool) // set by a Group: where accepted fds go
	cur       *Conn                  // the connection inside OnData whose input is in fresh
	fresh     []byte                 // unconsumed part of rbuf, when cur had no leftover input
	dirty     []*Conn                // connections written to since the last flush
	closing   []*Conn                // connections to close in this pass
	lns       []*Conn                // open listeners
	rings     ringPool
	timers    timerHeap
	epoch     time.Time
	clock     time.Duration   // the loop's clock, read once per pass and after each wait
	conns     int             // open connections: OnOpen or Dial, and no OnClose yet
	lingering int             // connections past OnClose waiting for the peer's FIN
	held      int             // bytes in connection buffers (input and output)
	peakHeld  int             // the most that held has been
	wh        WritableHandler // h, if it wants to hear when output drains

	stopping  bool           // shutdown has begun
	stopTimer *Timer         // grace period
	graceOver bool           // the grace period has ended
	ackPoll   *Timer         // wakes a shutdown that waits for acknowledgements
	stopReq   atomic.Bool    // Stop was called
	st        [nStats]uint64 // counters, owned by the loop
	pub       [nStats]atomic.Uint64

	mu    sync.Mutex // guards state and tasks
	state int
	tasks []func()
	spare []func()

	running []func() // the posted functions runTasks is running
	ran     int      // how many of them it has started
}

// Loop states, guarded by Loop.mu.
const (
	stateIdle = iota
	stateRunning
	stateStopped
)

// New returns a loop that will call h. An option out of its range makes it
// return an error wrapping ErrInvalidOption, naming the option and the
// value, with nothing opened. Otherwise it opens the poller, which Run
// releases when it returns: a loop that is not going to run after all is
// released by Stop followed by Run, which then returns at once.
func New(h Handler, opts ...Option) (*Loop, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	p, err := cfg.newPoller()
	if err != nil {
		return nil, err
	}
	l := &Loop{
		h:     h,
		cfg:   cfg,
		log:   cfg.logger,
		p:     p,
		rbuf:  make([]byte, cfg.readBuffer),
		epoch: time.Now(),
	}
	if l.log == nil {
		l.log = slog.Default()
	}
	l.hc, _ = h.(HalfCloser)
	l.wh, _ = h.(WritableHandler)
	l.sys = l.realSyscalls()
	if cfg.wrapSys != nil {
		l.sys = cfg.wrapSys(l.sys)
	}
	return l, nil
}

// Run runs the loop on the calling goroutine until ctx ends or Stop is
// called; then it stops accepting, closes idle connections at once, lets the
// others send their queued output (for at most the grace period), and
// returns nil as soon as that output has left. It returns an error if the
// poller fails. However it ends, even by a handler that ends the goroutine,
// every fd and the poller are released and Post refuses from then on. A loop runs once: a second Run
// returns ErrRunning, a Run after the loop stopped returns ErrStopped.
func (l *Loop) Run(ctx context.Context) error {
	l.mu.Lock()
	switch l.state {
	case stateRunning:
		l.mu.Unlock()
		return ErrRunning
	case stateStopped:
		l.mu.Unlock()
		return ErrStopped
	}
	l.state = stateRunning
	l.mu.Unlock()

	release := context.AfterFunc(ctx, l.Stop)
	defer release()
	// Deferred, so that the loop is released however run ends: a return,
	// the poller's error, or a handler that ends the goroutine
	// (runtime.Goexit, as testing's FailNow does).
	defer l.shutdownNow()
	return l.run()
}

// run is the loop: one iteration is one pass, in the order the package
// documentation gives.
func (l *Loop) run() error {
	for {
		l.clock = l.now()
		l.runTimers(l.clock)                 // 1
		l.runTasks()                         // 2
		if l.stopReq.Load() && !l.stopping { // 3
			l.beginShutdown()
		}
		l.settle()  // 4 and 5
		l.publish() // 6
		if l.stopping && l.conns == 0 && l.delivered() {
			return nil
		}
		l.st[statWaits]++ // 7
		timeout := l.timers.timeout(l.now())
		if timeout != 0 {
			// Yield to the scheduler before a wait that may block. Measured
			// with the server pinned to one core (GOMAXPROCS=1) and the
			// load generator on the other, 50 connections: server CPU per
			// 64 B ping-pong message 18.5-19.6 µs without, 10.9-12.7 µs
			// with (gnet, which does the same, 10.0-13.8 µs in that run);
			// pipelined x16 628-894 ns without, 438-508 ns with (gnet
			// 454-601 ns). Without it the process made about four times
			// as many context switches as gnet (perf stat), mostly of
			// sysmon and a spinning M around the blocking epoll_wait.
			// Re-measured after socket reads and writes became raw system
			// calls (rawio_linux.go), in turns over several batches:
			// removing it is now within noise on ping-pong and 1-3% worse
			// on pipelined x16, so it stays.
			runtime.Gosched()
		}
		if err := l.p.Wait(timeout, &l.ready); err != nil {
			return err
		}
		l.clock = l.now()
		if len(l.ready.Read)+len(l.ready.Write) == 0 {
			l.st[statWakeups]++
		}
		for _, fd := range l.ready.Read { // 8
			if c := l.fds[fd]; c != nil {
				switch {
				case c.ln != nil:
					l.accept(c)
				case c.flags&fConnecting != 0:
					l.connected(c) // failed: hang-up and error come in both lists
				default:
					l.readable(c)
				}
			}
		}
		for _, fd := range l.ready.Write { // 9
			if c := l.fds[fd]; c != nil && c.ln == nil {
				if c.flags&fConnecting != 0 {
					l.connected(c)
				} else {
					l.flush(c)
				}
			}
		}
	}
}

// settle is steps 4 and 5, repeated while OnClose keeps writing to other
// connections or closing them, so that the loop never waits with output
// that nothing will flush.
func (l *Loop) settle() {
	for len(l.dirty)+len(l.closing) > 0 {
		l.flushDirty()
		l.closeMarked()
	}
}

// now is the loop's monotonic clock.
func (l *Loop) now() time.Duration {
	return time.Since(l.epoch)
}

// Stop asks the loop to stop: it stops accepting, flushes queued output
// (within the grace period), closes every connection and makes Run return.
// It is safe from any goroutine and returns at once; Run's return says the
// loop has stopped. Stop before Run makes Run stop as soon as it starts.
func (l *Loop) Stop() {
	l.stopReq.Store(true)
	_ = l.p.Wake() // ErrClosed once the loop is gone: nothing to wake
}

// Post queues f to run on the loop's goroutine, in the order posted, and
// wakes the loop. It is safe from any goroutine. Posts are never lost: a
// function posted before the loop stopped runs, at the latest while Run
// returns; once the loop has stopped Post returns ErrStopped. The queue is
// bounded only by memory, and emptied every pass: a goroutine that posts
// faster than the loop runs what it posts must pace itself (wait for its
// posted functions to report back, say). The memory of a burst is released
// once the burst has run.
func (l *Loop) Post(f func()) error {
	l.mu.Lock()
	if l.state == stateStopped {
		l.mu.Unlock()
		return ErrStopped
	}
	l.tasks = append(l.tasks, f)
	first := len(l.tasks) == 1
	l.mu.Unlock()
	if first {
		// Later posts of the same batch find the wake-up already sent.
		_ = l.p.Wake()
	}
	return nil
}

// runTasks runs the functions posted since the last pass. Functions they
// post go to the next pass.
func (l *Loop) runTasks() {
	l.mu.Lock()
	tasks := l.tasks
	l.tasks = l.spare[:0]
	l.mu.Unlock()
	l.running = tasks
	for i, f := range tasks {
		l.st[statPosts]++
		l.ran = i + 1
		l.callTask(f)
		tasks[i] = nil
	}
	l.running = nil
	if cap(tasks) > maxSpareTasks {
		tasks = nil // a burst is over: do not keep its array for the loop's life
	}
	l.spare = tasks
}

// maxSpareTasks is the largest queue of posted functions whose array the
// loop keeps for the next pass.
const maxSpareTasks = 1024

// beginShutdown is step 3: stop accepting and close every connection:
// at once (FIN, then OnClose) if it has nothing queued, else once its output
// has left. The grace timer aborts the output that has not left by then.
func (l *Loop) beginShutdown() {
	l.stopping = true
	for _, ln := range l.lns {
		l.closeListener(ln)
	}
	l.lns = l.lns[:0]
	for _, c := range l.fds {
		if c != nil && c.ln == nil && c.flags&fClosing == 0 {
			c.err = ErrStopped
			c.Close()
		}
	}
	l.stopTimer = l.AfterFunc(l.cfg.gracePeriod, func() {
		l.graceOver = true
		for _, c := range l.fds {
			if c != nil && c.ln == nil && c.flags&fClosed == 0 {
				l.abort(c, ErrStopped) // a reset, if output is dropped
			}
		}
	})
}

// delivered tells a shutdown whose connections have all closed whether Run
// may return: whether every lingering connection's peer has acknowledged
// what was sent to it. Closing a socket whose peer still sends makes the
// kernel reset the connection and discard what it has not sent yet, so
// until then the loop goes on reading and discarding, checking again every
// ackPollInterval, for at most the grace period.
func (l *Loop) delivered() bool {
	if l.lingering == 0 || l.graceOver {
		return true
	}
	for _, c := range l.fds {
		if c != nil && c.flags&fLingering != 0 && unacked(int(c.fd)) > 0 {
			if l.ackPoll == nil {
				l.ackPoll = l.AfterFunc(ackPollInterval, func() {})
			} else if l.ackPoll.i < 0 {
				l.ackPoll.Reset(ackPollInterval)
			}
			return false
		}
	}
	return true
}

// ackPollInterval is how often a shutdown waiting for acknowledgements
// checks again: no readiness event reports them.
const ackPollInterval = time.Millisecond

// shutdownNow runs when run has returned, or its goroutine is ending: it
// closes whatever is still open (calling OnClose for the connections the
// handler still sees), refuses further posts, runs the posts that were
// accepted, and releases every fd and the poller.
func (l *Loop) shutdownNow() {
	// Deferred, so that a handler ending the goroutine inside one of the
	// calls below still leaves nothing open.
	defer l.releaseAll()
	l.stopping = true // Listen and Dial fail from here on
	l.cur, l.fresh = nil, nil
	for _, ln := range l.lns {
		l.closeListener(ln)
	}
	l.lns = nil
	for _, c := range l.fds {
		if c != nil && c.ln == nil {
			l.abort(c, ErrStopped)
		}
	}
	l.closeMarked()
	// Posts accepted before the loop stopped all run: those a handler's
	// Goexit left behind in runTasks, then those still queued.
	tasks := l.running[min(l.ran, len(l.running)):]
	l.running = nil
	l.mu.Lock()
	l.state = stateStopped
	tasks = append(tasks, l.tasks...)
	l.tasks = nil
	l.mu.Unlock()
	for _, f := range tasks {
		l.st[statPosts]++
		l.callTask(f)
	}
}

// releaseAll is the end of the loop, with no user code left to run: Post
// refuses, the fds still open (lingering connections, or all of them if the
// goroutine is ending early) are closed, and so is the poller.
func (l *Loop) releaseAll() {
	l.mu.Lock()
	l.state = stateStopped
	l.tasks = nil
	l.mu.Unlock()
	for _, c := range l.fds {
		switch {
		case c == nil:
		case c.ln != nil:
			l.closeListener(c)
		default:
			if c.flags&fClosed == 0 {
				l.conns--
				l.st[statClosed]++
			}
			c.flags |= fClosed
			l.release(c)
		}
	}
	l.lns = nil
	l.timers.clear()
	l.publish()
	_ = l.p.Close()
}

// ringPool keeps a few emptied rings, with their arrays, for the next
// connection that needs one: in steady state no buffer is allocated per
// message, and an idle connection holds none.
type ringPool struct {
	free  []*buffer.Ring
	bytes int
}

// Pool bounds: rings larger than maxPooledRing lose their array before they
// are pooled; the pool holds at most maxPooledBytes of arrays and at most
// maxPooledRings rings.
const (
	maxPooledRing  = 1 << 20
	maxPooledBytes = 8 << 20
	maxPooledRings = 1024
)

func (rp *ringPool) get(max int) *buffer.Ring {
	if n := len(rp.free); n > 0 {
		r := rp.free[n-1]
		rp.free[n-1] = nil
		rp.free = rp.free[:n-1]
		rp.bytes -= r.Cap()
		r.SetMax(max)
		return r
	}
	return buffer.New(max)
}

func (rp *ringPool) put(r *buffer.Ring) {
	r.Reset()
	if r.Cap() > maxPooledRing || rp.bytes+r.Cap() > maxPooledBytes {
		r.Release()
	}
	if len(rp.free) < maxPooledRings {
		rp.bytes += r.Cap()
		rp.free = append(rp.free, r)
	}
}
