package load

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// UDP runs, like TLS runs, do not use the loop (see crowd.go): each client
// is a connected net.UDPConn with a goroutine of its own, blocking on the
// runtime's netpoller, as a UDP client is usually written in Go. A
// datagram carries its sequence number in its first udpHeader bytes, so
// that an echo says which datagram it answers whatever was lost before
// it; the rest of it is the pattern of the stream runs, checked the same
// way. With the server on a core of its own, the server's CPU time per
// datagram is the figure to compare.

// Limits of a UDP run.
const (
	// MinUDPSize is the smallest datagram: its sequence number.
	MinUDPSize = udpHeader
	// MaxUDPSize is the largest UDP payload over IPv4.
	MaxUDPSize = 65507
	// MaxUDPDepth bounds the datagrams a socket keeps in flight. A client
	// looks each echo up among them; and far fewer already fill a
	// socket's receive buffer, past which the system drops datagrams.
	MaxUDPDepth = 1024
)

// udpHeader is the bytes at the start of a datagram that hold its sequence
// number, big-endian.
const udpHeader = 8

// RunUDP drives a UDP echo server at cfg.Addr (cfg.Network "udp", "udp4"
// or "udp6"; empty means "udp") and returns what it measured: cfg.Conns
// client sockets, a goroutine each, each a connected net.UDPConn that
// keeps cfg.Depth datagrams of cfg.Size bytes in flight and sends a new
// one for each echo, through cfg.Warmup and cfg.Duration; then it waits
// at most cfg.Drain for the echoes in flight, and closes the sockets.
//
// A datagram whose echo has not come within cfg.LossTimeout is counted
// lost, and a new one is sent in its place: a lost datagram costs its
// client that long and no more. An echo that comes after that counts as
// late, neither echoed nor lost. Every echo is checked, its length, its
// sequence number and its bytes; a bad echo, or an error from the system
// (ECONNREFUSED: nothing listens), ends its client and counts in
// UDPResult.Errors. RunUDP returns an error if the configuration is bad,
// a socket could not be opened, no datagram came back at all, or ctx
// ended before the run did.
func RunUDP(ctx context.Context, cfg Config) (UDPResult, error) {
	if cfg.Network == "" {
		cfg.Network = "udp"
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return UDPResult{}, err
	}
	switch {
	case !IsUDP(cfg.Network):
		return UDPResult{}, fmt.Errorf("load: RunUDP over %q: want udp, udp4 or udp6", cfg.Network)
	case cfg.Size < MinUDPSize || cfg.Size > MaxUDPSize:
		return UDPResult{}, fmt.Errorf("load: a datagram of %d bytes is not in [%d, %d]", cfg.Size, MinUDPSize, MaxUDPSize)
	case cfg.Depth > MaxUDPDepth:
		return UDPResult{}, fmt.Errorf("load: depth %d: a UDP socket keeps at most %d datagrams in flight", cfg.Depth, MaxUDPDepth)
	case cfg.TLS != nil:
		return UDPResult{}, errors.New("load: TLS is not spoken over UDP")
	case cfg.WebSocket:
		return UDPResult{}, errors.New("load: WebSocket is not spoken over UDP")
	case cfg.Rate > 0:
		return UDPResult{}, errors.New("load: open loop (a rate) is not supported over UDP")
	}
	if cfg.ServerPID > 0 {
		if _, err := ProcessCPU(cfg.ServerPID); err != nil {
			return UDPResult{}, fmt.Errorf("load: the server's CPU time: %w", err)
		}
	}
	u := &udpRun{crowd: newCrowd(cfg), quiet: make(chan struct{}, cfg.Conns)}
	u.unitPerSec = "datagrams/s"
	u.liveConns = func() int64 { return int64(len(u.clients)) - u.failed.Load() }
	err = u.run(ctx)
	return u.result(), err
}

// udpRun is a run of RunUDP.
type udpRun struct {
	crowd
	clients []*udpClient // set before the goroutines start
	// quiet gets one value from each client as it returns: once nothing
	// it sent is in flight after the window, or once it has failed.
	quiet  chan struct{}
	failed atomic.Int64 // clients ended by an error
}

// udpClient is one socket of a UDP run, owned by its goroutine.
type udpClient struct {
	u       *udpRun
	id      uint64
	c       *net.UDPConn
	next    uint64     // the sequence number of the next datagram
	pending []inFlight // datagrams awaiting their echo, in the order sent
	out     []byte     // the datagram being sent
	in      []byte     // the read buffer, a byte longer than a datagram, so that a longer echo shows
	lat     []int64
	// deadline is the read deadline set last, in ns since the run's
	// epoch; 0 if none.
	deadline   int64
	lost, late uint64 // in the measured window
}

// inFlight is a datagram sent whose echo has not come.
type inFlight struct {
	seq uint64
	at  int64 // when it was sent, in ns since the run's epoch
}

// run opens the sockets, one goroutine each, and steers the run on the
// calling goroutine until it is over, ctx ends or a bound on the whole run
// passes.
func (u *udpRun) run(ctx context.Context) error {
	c := u.cfg
	if err := checkFDs(c.Conns); err != nil {
		return err
	}
	// Every run ends by itself: a client waits at most LossTimeout for
	// an echo. This bound is for the unforeseen.
	bound := c.Warmup + c.Duration + c.Drain + c.LossTimeout + 10*time.Second
	ctx, cancel := context.WithTimeoutCause(ctx, bound, errors.New("load: the run did not end in time"))
	defer cancel()
	stop, stopAll := context.WithCancel(ctx)
	defer stopAll()
	u.stop = stop
	if err := u.open(); err != nil {
		return err
	}

	u.phase.Store(int32(warmup))
	var wg sync.WaitGroup
	for _, cl := range u.clients {
		wg.Go(cl.run)
	}
	err := u.measure(ctx)
	if err == nil {
		err = u.wait(ctx, u.quiet, len(u.clients), c.Drain)
	}
	// The clients see the run finished before their sockets close under
	// them, and so do not count that as an error.
	u.phase.Store(int32(finished))
	stopAll()
	for _, cl := range u.clients {
		_ = cl.c.Close()
	}
	wg.Wait()
	if err == nil && u.total == 0 {
		err = fmt.Errorf("load: no datagram came back from %s %s", c.Network, c.Addr)
		if u.firstErr != nil {
			err = fmt.Errorf("%w: %w", err, u.firstErr)
		}
	}
	return err
}

// open opens the client sockets. Connecting a UDP socket sends nothing: it
// fails only for want of a file descriptor or a route, and then the run
// cannot be what was asked.
func (u *udpRun) open() error {
	c := u.cfg
	raddr, err := net.ResolveUDPAddr(c.Network, c.Addr)
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	for i := range c.Conns {
		uc, err := net.DialUDP(c.Network, nil, raddr)
		if err != nil {
			for _, cl := range u.clients {
				_ = cl.c.Close()
			}
			u.clients = nil
			return fmt.Errorf("load: socket %d: %w", i, err)
		}
		u.clients = append(u.clients, &udpClient{
			u: u, id: uint64(i), c: uc,
			pending: make([]inFlight, 0, c.Depth),
			out:     make([]byte, c.Size),
			in:      make([]byte, c.Size+1),
			lat:     make([]int64, 0, 1),
		})
	}
	return nil
}

// run is the goroutine of one socket: it keeps Depth datagrams in flight
// until the window is over, then waits for the last echoes (or gives them
// up) and returns.
func (cl *udpClient) run() {
	u := cl.u
	defer func() { u.quiet <- struct{}{} }()
	if !cl.refill(u.now()) {
		return
	}
	for {
		if ph := u.loadPhase(); ph == finished || len(cl.pending) == 0 {
			return // in flight nothing, and nothing more to send
		}
		if err := cl.setDeadline(u.now()); err != nil {
			cl.fail("read deadline", err)
			return
		}
		n, err := cl.c.Read(cl.in)
		now, ph := u.now(), u.loadPhase()
		if ph == finished {
			return
		}
		switch {
		case err == nil:
			if err := cl.receive(cl.in[:n], now, ph); err != nil {
				cl.fail("echo", err)
				return
			}
		case errors.Is(err, os.ErrDeadlineExceeded):
		default:
			cl.fail("read", err)
			return
		}
		cl.expire(now, ph)
		if (ph == warmup || ph == measuring) && !cl.refill(now) {
			return
		}
	}
}

// refill sends datagrams while fewer than Depth are in flight. It returns
// false if the socket failed.
func (cl *udpClient) refill(now int64) bool {
	u := cl.u
	for len(cl.pending) < u.cfg.Depth {
		seq := cl.next
		copy(cl.out, u.pat.message(cl.id, seq))
		binary.BigEndian.PutUint64(cl.out, seq)
		if _, err := cl.c.Write(cl.out); err != nil {
			cl.fail("write", err)
			return false
		}
		cl.next++
		cl.pending = append(cl.pending, inFlight{seq: seq, at: now})
	}
	return true
}

// receive checks an echo and, if its datagram is in flight, counts it.
// An echo of a datagram given up on already (or a second echo of one)
// counts as late.
func (cl *udpClient) receive(p []byte, now int64, ph phase) error {
	u := cl.u
	if len(p) != u.cfg.Size {
		return fmt.Errorf("a datagram of %d bytes, want %d", len(p), u.cfg.Size)
	}
	seq := binary.BigEndian.Uint64(p)
	if seq >= cl.next {
		return fmt.Errorf("an echo of datagram %d, of %d sent", seq, cl.next)
	}
	want := u.pat.message(cl.id, seq)
	if err := compare(p[udpHeader:], want[udpHeader:], seq, udpHeader); err != nil {
		return err
	}
	i := slices.IndexFunc(cl.pending, func(f inFlight) bool { return f.seq == seq })
	if i < 0 {
		if ph == measuring {
			cl.late++
		}
		return nil
	}
	sent := cl.pending[i].at
	cl.pending = slices.Delete(cl.pending, i, i+1)
	cl.lat = cl.lat[:0]
	if ph == measuring {
		cl.lat = append(cl.lat, now-sent)
	}
	u.record(cl.lat, 1)
	return nil
}

// expire gives up on the datagrams that have waited LossTimeout for their
// echo; they are the oldest, at the front.
func (cl *udpClient) expire(now int64, ph phase) {
	limit := int64(cl.u.cfg.LossTimeout)
	k := 0
	for k < len(cl.pending) && now-cl.pending[k].at >= limit {
		k++
	}
	if k > 0 && ph == measuring {
		cl.lost += uint64(k)
	}
	cl.pending = slices.Delete(cl.pending, 0, k)
}

// setDeadline makes the next read return by the time the oldest datagram
// in flight has waited LossTimeout. Moving a deadline costs a little, so
// a deadline that is early by less than a quarter of LossTimeout is kept:
// a read it ends finds nothing to give up on yet, and the next read gets
// the deadline right.
func (cl *udpClient) setDeadline(now int64) error {
	limit := int64(cl.u.cfg.LossTimeout)
	want := now + limit
	if len(cl.pending) > 0 {
		want = cl.pending[0].at + limit
	}
	if cl.deadline > now && want-cl.deadline <= limit/4 {
		return nil
	}
	cl.deadline = want
	return cl.c.SetReadDeadline(cl.u.epoch.Add(time.Duration(want)))
}

// fail counts an error that ends the client, unless the run is over.
func (cl *udpClient) fail(what string, err error) {
	if cl.u.loadPhase() == finished {
		return
	}
	cl.u.report("socket", cl.id, what, err)
	cl.u.failed.Add(1)
}

func (u *udpRun) result() UDPResult {
	w := u.window()
	c := u.cfg
	wr := w.result(c, u.errors)
	r := UDPResult{
		Server: c.Server, Network: c.Network, Addr: c.Addr,
		Conns: c.Conns, Size: c.Size, Depth: c.Depth, LossTimeout: c.LossTimeout,
		Duration:        wr.Duration,
		Datagrams:       wr.Msgs,
		DatagramsPerSec: wr.MsgsPerSec,
		P50:             wr.P50, P99: wr.P99, P999: wr.P999, Max: wr.Max, Mean: wr.Mean,
		ServerMeasured:       wr.ServerMeasured,
		ServerCPU:            wr.ServerCPU,
		ServerCPUPerDatagram: wr.ServerCPUPerMsg,
		ClientCPUPerDatagram: wr.ClientCPUPerMsg,
		Errors:               u.errors,
	}
	for _, cl := range u.clients {
		r.Lost += cl.lost
		r.Late += cl.late
	}
	return r
}

// UDPResult is what RunUDP measured. Counts and latencies cover the
// measured window; Errors covers the whole run.
type UDPResult struct {
	Server      string
	Network     string
	Addr        string
	Conns       int // client sockets
	Size        int // bytes per datagram
	Depth       int // datagrams in flight per socket
	LossTimeout time.Duration

	Duration        time.Duration // the measured window, as it was
	Datagrams       uint64        // echoes that came in the window for a datagram in flight
	DatagramsPerSec float64
	Lost            uint64 // datagrams given up on in the window, after LossTimeout without an echo
	Late            uint64 // echoes that came in the window for a datagram given up on (or twice)

	// Latencies: from a datagram's send to its echo's arrival.
	P50, P99, P999, Max, Mean time.Duration

	ServerMeasured       bool          // Config.ServerPID was given and read
	ServerCPU            time.Duration // the server's user+system time in the window
	ServerCPUPerDatagram time.Duration // per datagram echoed
	ClientCPUPerDatagram time.Duration

	Errors uint64 // sockets ended by an error: a bad echo, an error from the system
}

// udpJSON is the form the benchmark scripts read; the server's figures are
// null when they were not measured.
type udpJSON struct {
	Server                 string   `json:"server"`
	Conns                  int      `json:"conns"`
	Size                   int      `json:"size"`
	Depth                  int      `json:"depth"`
	LossTimeoutNS          int64    `json:"loss_timeout_ns"`
	DurationS              float64  `json:"duration_s"`
	Datagrams              uint64   `json:"datagrams"`
	DatagramsPerS          float64  `json:"datagrams_per_s"`
	Lost                   uint64   `json:"lost"`
	Late                   uint64   `json:"late"`
	P50                    int64    `json:"p50_ns"`
	P99                    int64    `json:"p99_ns"`
	P999                   int64    `json:"p999_ns"`
	Max                    int64    `json:"max_ns"`
	ServerCPUS             *float64 `json:"server_cpu_s"`
	ServerCPUPerDatagramNS *int64   `json:"server_cpu_per_datagram_ns"`
	ClientCPUPerDatagramNS int64    `json:"client_cpu_per_datagram_ns"`
	Errors                 uint64   `json:"errors"`
}

// MarshalJSON writes the result with the field names of the benchmark
// scripts: server, conns, size, depth, loss_timeout_ns, duration_s,
// datagrams, datagrams_per_s, lost, late, p50_ns, p99_ns, p999_ns, max_ns,
// server_cpu_s, server_cpu_per_datagram_ns, client_cpu_per_datagram_ns
// and errors.
func (r UDPResult) MarshalJSON() ([]byte, error) {
	j := udpJSON{
		Server: r.Server, Conns: r.Conns, Size: r.Size, Depth: r.Depth, LossTimeoutNS: int64(r.LossTimeout),
		DurationS: r.Duration.Seconds(), Datagrams: r.Datagrams, DatagramsPerS: r.DatagramsPerSec,
		Lost: r.Lost, Late: r.Late,
		P50: int64(r.P50), P99: int64(r.P99), P999: int64(r.P999), Max: int64(r.Max),
		ClientCPUPerDatagramNS: int64(r.ClientCPUPerDatagram),
		Errors:                 r.Errors,
	}
	if r.ServerMeasured {
		s, ns := r.ServerCPU.Seconds(), int64(r.ServerCPUPerDatagram)
		j.ServerCPUS, j.ServerCPUPerDatagramNS = &s, &ns
	}
	return json.Marshal(j)
}

// WriteSummary writes the result as one readable block.
func (r UDPResult) WriteSummary(w io.Writer) error {
	server := "not measured (no -pid)"
	if r.ServerMeasured {
		server = fmt.Sprintf("%v per datagram (%.2f s in the window)", r.ServerCPUPerDatagram, r.ServerCPU.Seconds())
	}
	label := ""
	if r.Server != "" {
		label = r.Server + " at "
	}
	share := 0.0
	if r.Lost > 0 {
		share = 100 * float64(r.Lost) / float64(r.Lost+r.Datagrams)
	}
	_, err := fmt.Fprintf(w, `%s%s %s: %d sockets, %d B datagrams, depth %d, closed loop, %.2f s measured
  datagrams/s   %.0f  (%d echoed)
  lost          %d  (%.3f%%: no echo within %v; %d echoes came late)
  latency       p50 %v  p99 %v  p99.9 %v  max %v  (mean %v)
  server CPU    %s
  client CPU    %v per datagram
  errors        %d
`, label, r.Network, r.Addr, r.Conns, r.Size, r.Depth, r.Duration.Seconds(),
		r.DatagramsPerSec, r.Datagrams,
		r.Lost, share, r.LossTimeout, r.Late,
		round(r.P50), round(r.P99), round(r.P999), round(r.Max), round(r.Mean),
		server, r.ClientCPUPerDatagram, r.Errors)
	return err
}
