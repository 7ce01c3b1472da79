package reactor

import (
	"context"
	"crypto/tls"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goreactor/reactor/internal/sock"
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
	fds       []fdOwner                                // fd -> connection or listener; nil for fds the loop does not own
	rbuf      []byte                                   // the loop-wide read buffer
	raw       sock.IO                                  // socket reads and writes
	sys       syscalls                                 // read, writev, accept
	handoff   func(fd int, tcp bool, tcfg *tls.Config) // set by a Group: where accepted fds go
	cur       *Conn                                    // the connection inside OnData whose input is in fresh
	fresh     []byte                                   // unconsumed part of rbuf, when cur had no leftover input
	dirty     []*Conn                                  // connections written to since the last flush
	closing   []*Conn                                  // connections to close in this pass
	rings     ringPool
	timers    timerHeap
	epoch     time.Time
	clock     time.Duration   // the loop's clock, read once per pass and after each wait
	conns     int             // open connections: OnOpen or Dial, and no OnClose yet
	lingering int             // connections past OnClose waiting for the peer's FIN
	held      int             // bytes in connection buffers (input and output)
	peakHeld  int             // the most that held has been
	wh        WritableHandler // h, if it wants to hear when output drains
	ih        IdleHandler     // h, if it wants a say when a read timeout expires
	sh        StopHandler     // h, if it wants a say when the loop stops
	hs        *handshakes     // TLS handshakes; nil until the loop serves or dials TLS
	tlsBuf    *tlsBuffers     // TLS record buffers; nil until the loop reads or writes a record
	pdirty    []*PacketConn   // packet sockets with datagrams queued since the last flush
	pio       *packetIO       // datagram batches; nil until the loop opens a packet socket
	group     *Group          // the group the loop is in, if any
	index     int             // and its place there
	retired   []int           // fds out of the poller and the fd table, to close in the close phase (fd_close.go)
	passing   bool            // run has begun its passes: retired fds wait for the close phase
	zones     zoneCache       // interfaces of IPv6 zones (zone.go)

	stopping  bool           // shutdown has begun
	graceOver bool           // the grace period has ended
	ackTimer  *Timer         // wakes a shutdown that waits for acknowledgements
	ackWait   time.Duration  // the wait it was last armed for
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

// Run states of a Loop or a Group, guarded by its mutex.
const (
	stateIdle = iota
	stateRunning
	stateStopped
)

// beginRun moves *state from idle to running under mu, or says why it
// cannot: a loop or group runs once.
func beginRun(mu *sync.Mutex, state *int) error {
	mu.Lock()
	defer mu.Unlock()
	switch *state {
	case stateRunning:
		return ErrRunning
	case stateStopped:
		return ErrStopped
	}
	*state = stateRunning
	return nil
}

// New returns a loop that will call h. An option out of its range makes it
// return an error wrapping ErrInvalidOption, naming the option and the
// value, with nothing opened. Otherwise it opens the poller, which Run
// releases when it returns; a loop that is not going to run after all is
// released by Close.
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
	l.ih, _ = h.(IdleHandler)
	l.sh, _ = h.(StopHandler)
	l.sys = l.realSyscalls()
	if cfg.wrapSys != nil {
		l.sys = cfg.wrapSys(l.sys)
	}
	return l, nil
}

// Run runs the loop on the calling goroutine until ctx ends or Stop is
// called; then it stops accepting, closes idle connections at once, lets the
// others send their queued output (for at most the grace period), and
// returns nil as soon as that output has left and, where the system can
// tell (Linux, macOS), its peers have acknowledged it, within the grace
// period. It returns an error if the
// poller fails. However it ends, even by a handler that ends the
// goroutine, every fd and the poller are released and Post refuses from
// then on. A loop runs once: a second Run returns ErrRunning, a Run after
// the loop stopped returns ErrStopped.
func (l *Loop) Run(ctx context.Context) error {
	if err := beginRun(&l.mu, &l.state); err != nil {
		return err
	}

	release := context.AfterFunc(ctx, l.Stop)
	defer release()
	// Deferred, so that the loop is released however run ends: a return,
	// the poller's error, or a handler that ends the goroutine
	// (runtime.Goexit, as testing's FailNow does).
	defer l.shutdownNow()
	return l.run()
}

// Close releases a loop that has not run and is not going to: its
// listeners, packet sockets, connections still connecting and poller are
// closed (each connection gets OnClose, with ErrStopped unless its connect
// has failed already), functions posted to it and timers already due run,
// and a later Run returns ErrStopped. It is for the goroutine
// that made the loop, when setting it up failed. It returns nil, also for
// a loop that has already stopped, and ErrRunning, changing nothing, if
// the loop is running (use Stop).
func (l *Loop) Close() error {
	l.mu.Lock()
	running := l.state == stateRunning
	l.mu.Unlock()
	if running {
		return ErrRunning
	}
	l.Stop()
	if err := l.Run(context.Background()); err != nil && err != ErrStopped {
		return err
	}
	return nil
}

// run is the loop: one iteration is one pass, in the order the package
// documentation gives.
func (l *Loop) run() error {
	l.passing = true
	for {
		l.clock = l.now()
		l.runTimers(l.clock)
		l.runTasks()
		if l.stopReq.Load() && !l.stopping {
			l.beginShutdown()
		}
		l.flushAndClose()
		l.publish()
		if l.stopping && l.conns == 0 && l.deliveredOrWait() {
			return nil
		}
		if err := l.wait(); err != nil {
			return err
		}
		for _, fd := range l.ready.Read {
			if o := l.fds[fd]; o != nil {
				o.readable()
			}
		}
		for _, fd := range l.ready.Write {
			if o := l.fds[fd]; o != nil {
				o.writable()
			}
		}
	}
}

// wait is the poller's wait, until the next timer is due.
func (l *Loop) wait() error {
	l.st[statWaits]++
	timeout := l.timers.timeout(l.now())
	if timeout != 0 {
		// Yield to the scheduler before a wait that may block: the threads
		// spinning around a blocking wait otherwise cost more CPU than the
		// yield (see the commit that added it for the figures).
		runtime.Gosched()
	}
	if err := l.p.Wait(timeout, &l.ready); err != nil {
		return err
	}
	l.clock = l.now()
	if len(l.ready.Read)+len(l.ready.Write) == 0 {
		l.st[statWakeups]++
	}
	return nil
}

// flushAndClose runs the flush phase (flushDirty) and the close phase
// (closeMarked), again while OnClose keeps writing to other connections or
// closing them, so that the loop never waits with output that nothing will
// flush, nor with a retired fd open.
func (l *Loop) flushAndClose() {
	for len(l.dirty)+len(l.closing)+len(l.pdirty)+len(l.retired) > 0 {
		l.flushDirty()
		l.flushPackets()
		l.closeMarked()
	}
}

// now is the loop's monotonic clock.
func (l *Loop) now() time.Duration {
	return time.Since(l.epoch)
}

// Group returns the Group the loop belongs to, or nil for a loop made by
// New.
func (l *Loop) Group() *Group { return l.group }

// Index returns the loop's place in its Group: Group().Loop(l.Index()) is
// l. A loop made by New has index 0 and no group.
func (l *Loop) Index() int { return l.index }

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

// An fdOwner is what the loop's fd table holds for an fd: a connection or a
// listener, each handling its own readiness and its part of the loop's end.
type fdOwner interface {
	readable()                          // the poller reported the fd ready to read
	writable()                          // the poller reported the fd ready to write
	stop()                              // shutdown began
	endGrace()                          // the grace period ended
	awaitingAck() (bool, time.Duration) // whether the loop's end waits for the peer to acknowledge, and the round trip
	end()                               // the loop is ending: close the fd whatever its state
}

// setFD records the owner of fd in the loop's table.
func (l *Loop) setFD(fd int, o fdOwner) {
	for fd >= len(l.fds) {
		l.fds = append(l.fds, nil)
	}
	l.fds[fd] = o
}
