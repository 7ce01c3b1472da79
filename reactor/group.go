package reactor

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"runtime"
	"sync"

	"github.com/goreactor/reactor/internal/sock"
)

// AcceptMode says how a Group spreads new connections over its loops.
type AcceptMode int

const (
	// AcceptAuto is AcceptReusePort where the kernel balances
	// SO_REUSEPORT listeners (Linux, FreeBSD, DragonFly BSD) and
	// AcceptHandoff elsewhere.
	AcceptAuto AcceptMode = iota
	// AcceptReusePort gives every loop its own listener on the same
	// address (SO_REUSEPORT; SO_REUSEPORT_LB on FreeBSD), with no
	// cross-loop traffic at all. On Linux, FreeBSD and DragonFly BSD the
	// kernel spreads the connections over the listeners; on macOS, NetBSD
	// and OpenBSD it does not (one listener may get them all), which is
	// why AcceptAuto hands off there.
	AcceptReusePort
	// AcceptHandoff has the first loop accept every connection and hand
	// it to a loop chosen by the Group's Balance, through Post. Whatever
	// the mode, unix sockets and inherited fds (ListenFD) are accepted by
	// the first loop and handed off this way.
	AcceptHandoff
)

// Balance says which loop gets a handed-off connection.
type Balance int

const (
	// RoundRobin hands connections to the loops in turn.
	RoundRobin Balance = iota
	// LeastConns hands each connection to the loop with the fewest open
	// connections (as of its latest pass). It assumes that only the first
	// loop accepts, as in hand-off mode: a listener of the user's on
	// another loop makes that loop's count look smaller than it is.
	LeastConns
)

// GroupOption configures a Group; pass options to NewGroup. Like an
// Option, one given a value out of its range makes NewGroup return an error
// that wraps ErrInvalidOption and names the option and the value.
type GroupOption func(*groupConfig) error

type groupConfig struct {
	loops   int
	mode    AcceptMode
	balance Balance
	opts    []Option
}

// newGroupConfig applies opts to the defaults, and checks the loop options
// as New would, so that NewGroup fails before it opens any poller. Errors
// are joined as in newConfig.
func newGroupConfig(opts []GroupOption) (groupConfig, error) {
	cfg := groupConfig{loops: runtime.GOMAXPROCS(0)}
	var errs []error
	for i, o := range opts {
		if o == nil {
			errs = append(errs, invalidOption("nil GroupOption at index %d", i))
			continue
		}
		if err := o(&cfg); err != nil {
			errs = append(errs, err)
		}
	}
	if _, err := newConfig(cfg.opts); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return groupConfig{}, err
	}
	return cfg, nil
}

// WithLoops sets the number of loops (default runtime.GOMAXPROCS(0)).
// NewGroup rejects n <= 0.
func WithLoops(n int) GroupOption {
	return func(c *groupConfig) error {
		if n <= 0 {
			return invalidOption("WithLoops(%d): must be positive", n)
		}
		c.loops = n
		return nil
	}
}

// WithAcceptMode sets how connections are spread (default AcceptAuto).
// NewGroup rejects a value that is none of the AcceptMode constants.
func WithAcceptMode(m AcceptMode) GroupOption {
	return func(c *groupConfig) error {
		if m < AcceptAuto || m > AcceptHandoff {
			return invalidOption("WithAcceptMode(%d): unknown AcceptMode", m)
		}
		c.mode = m
		return nil
	}
}

// WithBalance sets which loop a handed-off connection goes to (default
// RoundRobin). NewGroup rejects a value that is none of the Balance
// constants.
func WithBalance(b Balance) GroupOption {
	return func(c *groupConfig) error {
		if b < RoundRobin || b > LeastConns {
			return invalidOption("WithBalance(%d): unknown Balance", b)
		}
		c.balance = b
		return nil
	}
}

// WithLoopOptions passes options to every loop of the group. NewGroup
// rejects what New would reject.
func WithLoopOptions(opts ...Option) GroupOption {
	return func(c *groupConfig) error {
		c.opts = append(c.opts, opts...)
		return nil
	}
}

// Group is N loops serving the same addresses, one goroutine each: a server
// that uses every core without giving up the single-owner rule inside each
// loop. Each loop has its own Handler (made by the function given to
// NewGroup), its own connections and its own buffers; nothing is shared
// between loops but the listening address.
type Group struct {
	loops   []*Loop
	mode    AcceptMode
	balance Balance
	next    int      // round-robin position; used on the first loop's goroutine only
	sent    []uint64 // connections handed to each loop; likewise

	mu    sync.Mutex // guards state
	state int        // stateIdle, stateRunning or stateStopped, as a Loop's
}

// NewGroup returns a group of loops; newHandler(i) makes the Handler of
// loop i. If an option, or an option for the loops, is out of its range, it
// returns an error wrapping ErrInvalidOption before it opens anything.
//
// A handler finds its group and its place in it through its connections'
// loop (c.Loop().Group(), c.Loop().Index()), and reaches the other loops
// with Group.Loop and Group.PostAll: a chat room that keeps each loop's
// members in that loop's handler broadcasts a message by posting it to
// every loop, each writing it to its own members.
func NewGroup(newHandler func(i int) Handler, opts ...GroupOption) (*Group, error) {
	cfg, err := newGroupConfig(opts)
	if err != nil {
		return nil, err
	}
	g := &Group{mode: cfg.mode, balance: cfg.balance}
	for i := range cfg.loops {
		l, err := New(newHandler(i), cfg.opts...)
		if err != nil {
			g.release()
			return nil, err
		}
		l.group, l.index = g, i
		g.loops = append(g.loops, l)
	}
	g.sent = make([]uint64, len(g.loops))
	return g, nil
}

// Loop returns the group's loop i (0 <= i < the number of loops), the one
// whose Handler newHandler(i) made: for handlers that hand work to each
// other's loops with Post, such as shards of one keyspace.
func (g *Group) Loop(i int) *Loop { return g.loops[i] }

// Len returns the number of loops in the group.
func (g *Group) Len() int { return len(g.loops) }

// PostAll posts f to every loop of the group: f(i) runs on the goroutine
// of loop i, in the order of that loop's posts (see Loop.Post). It is safe
// from any goroutine, a handler's included. If a loop has stopped, f is
// not run there and PostAll returns ErrStopped once it has posted to the
// others.
func (g *Group) PostAll(f func(i int)) error {
	var err error
	for i, l := range g.loops {
		if e := l.Post(func() { f(i) }); e != nil {
			err = e
		}
	}
	return err
}

// Close releases a group that has not run and is not going to, as
// Loop.Close does for each of its loops. It returns ErrRunning, changing
// nothing, if the group is running (use Stop).
func (g *Group) Close() error {
	g.mu.Lock()
	if g.state == stateRunning {
		g.mu.Unlock()
		return ErrRunning
	}
	g.state = stateStopped
	g.mu.Unlock()
	g.release()
	return nil
}

// release frees the loops of a group that will not run.
func (g *Group) release() {
	for _, l := range g.loops {
		l.Close()
	}
}

// Listen makes the group serve network and address, spreading connections
// as its AcceptMode says, and returns the address bound. Call it before Run.
func (g *Group) Listen(network, address string) (net.Addr, error) {
	return g.listen(network, address, nil)
}

// ListenTLS is Listen for TLS (see Loop.ListenTLS): each connection's
// handshake and records are handled by the loop it was given to.
func (g *Group) ListenTLS(network, address string, cfg *tls.Config) (net.Addr, error) {
	if err := checkServerConfig(cfg); err != nil {
		return nil, err
	}
	return g.listen(network, address, cfg)
}

func (g *Group) listen(network, address string, tcfg *tls.Config) (net.Addr, error) {
	reuse := g.mode == AcceptReusePort || g.mode == AcceptAuto && sock.ReusePortBalances
	if network == "unix" || len(g.loops) == 1 {
		reuse = false
	}
	if !reuse {
		addr, err := listenAddr(g.loops[0].listen(network, address, false, tcfg))
		if err == nil {
			g.handOff()
		}
		return addr, err
	}
	first, err := g.loops[0].listen(network, address, true, tcfg)
	if err != nil {
		return nil, err
	}
	opened := []*listener{first}
	for _, l := range g.loops[1:] {
		// The same address, now with the port the first listener got.
		ln, err := l.listen(network, first.addr.String(), true, tcfg)
		if err != nil {
			for _, ln := range opened {
				ln.close() // all of them or none: the address is free again
			}
			return nil, err
		}
		opened = append(opened, ln)
	}
	return first.addr, nil
}

// ListenPacket makes the group serve a packet socket (see
// Loop.ListenPacket); each loop's Handler must implement PacketHandler.
// For UDP where the system spreads datagrams over sockets by their source
// (SO_REUSEPORT on Linux, DragonFly BSD; SO_REUSEPORT_LB on FreeBSD),
// every loop opens a socket on the address, so that each sender is served
// by one loop; elsewhere, and for unixgram, the first loop serves it alone.
// It returns each loop's socket (nil for a loop without one). Call it
// before Run.
func (g *Group) ListenPacket(network, address string) ([]*PacketConn, error) {
	pcs := make([]*PacketConn, len(g.loops))
	spread := sock.ReusePortBalances && network != "unixgram" && len(g.loops) > 1
	first, err := g.loops[0].openPacket(network, address, false, spread)
	if err != nil {
		return nil, err
	}
	pcs[0] = first
	if !spread {
		return pcs, nil
	}
	for i, l := range g.loops[1:] {
		// The same address, now with the port the first socket got.
		pc, err := l.openPacket(network, first.LocalAddr().String(), false, true)
		if err != nil {
			for _, pc := range pcs {
				if pc != nil {
					pc.Close()
				}
			}
			return nil, err
		}
		pcs[i+1] = pc
	}
	return pcs, nil
}

// ListenFD makes the group serve an inherited listening socket (see
// Loop.ListenFD): the first loop accepts on it and hands connections off.
func (g *Group) ListenFD(fd int) (net.Addr, error) {
	addr, err := g.loops[0].ListenFD(fd)
	if err == nil {
		g.handOff()
	}
	return addr, err
}

// handOff makes the first loop pass accepted connections to the others.
func (g *Group) handOff() {
	if len(g.loops) > 1 {
		g.loops[0].handoff = g.dispatch
	}
}

// dispatch runs on the first loop for each accepted fd.
func (g *Group) dispatch(fd int, tcp bool, tcfg *tls.Config) {
	var to int // the index of the loop it goes to
	switch g.balance {
	case LeastConns:
		// A loop's count is as of its latest pass; connections handed
		// to it since then are not in it yet, so they are added. Ties go
		// round robin.
		least := -1
		for k := range g.loops {
			i := (g.next + k) % len(g.loops)
			l := g.loops[i]
			var n int
			if i == 0 {
				n = l.conns // this goroutine's own loop: exact
			} else {
				st := l.Stats()
				n = st.Conns + max(int(g.sent[i])-int(st.Accepted+st.Rejected), 0)
			}
			if least < 0 || n < least {
				to, least = i, n
			}
		}
		g.next = (g.next + 1) % len(g.loops)
	default:
		to = g.next
		g.next = (g.next + 1) % len(g.loops)
	}
	g.sent[to]++
	l := g.loops[to]
	adopt := func() {
		if err := l.open(fd, tcp, tcfg); err != nil {
			l.log.Error("reactor: cannot register connection", "err", err)
		}
	}
	if to == 0 {
		adopt()
		return
	}
	if err := l.Post(adopt); err != nil {
		g.loops[0].reject(fd) // that loop has stopped: refused, as by a loop that stops
	}
}

// Run runs every loop, each on a goroutine of its own, until ctx ends or
// Stop is called, and returns once every loop has returned: nil, or the
// first error a loop returned (the others are stopped then). A group runs
// once: a second Run returns ErrRunning and changes nothing, a Run after
// the group stopped returns ErrStopped.
func (g *Group) Run(ctx context.Context) error {
	if err := beginRun(&g.mu, &g.state); err != nil {
		return err
	}
	defer func() {
		g.mu.Lock()
		g.state = stateStopped
		g.mu.Unlock()
	}()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for _, l := range g.loops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.Run(ctx); err != nil {
				once.Do(func() { first = err })
				g.Stop()
			}
		}()
	}
	wg.Wait()
	return first
}

// Stop stops every loop (see Loop.Stop). It is safe from any goroutine.
func (g *Group) Stop() {
	for _, l := range g.loops {
		l.Stop()
	}
}

// Stats returns the counters of every loop and their sum (for the peak
// fields, the sum of each loop's peak). It is safe from any goroutine.
func (g *Group) Stats() (sum Stats, each []Stats) {
	for _, l := range g.loops {
		s := l.Stats()
		each = append(each, s)
		sum.add(s)
	}
	return sum, each
}
