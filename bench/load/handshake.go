package load

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// RunHandshakes measures how fast a server takes new connections: each of
// cfg.Conns workers, a goroutine each, dials, completes a full handshake
// (with cfg.TLS; without it, the TCP connect alone), writes one message of
// cfg.Size bytes, reads its echo whole and checks it, and closes; then
// again, through cfg.Warmup and cfg.Duration. The echo makes sure that the
// server has finished its side of the handshake (in TLS 1.3 the client is
// done before the server has read its Finished) and has served the
// connection once. A round counts, timed from the dial to the echo's last
// byte, if it ends in the measured window. Session tickets are turned off
// in a copy of cfg.TLS, so that no round resumes a session: each is a full
// handshake, and one that reports a resumption counts as an error.
//
// Every round closes from the client's side, which leaves the client's
// port in TIME-WAIT; on loopback Linux reuses such ports after a second
// (net.ipv4.tcp_tw_reuse, whose default covers loopback), so a run is not
// limited by the port range.
func RunHandshakes(ctx context.Context, cfg Config) (HandshakeResult, error) {
	cfg, err := cfg.withDefaults()
	if err == nil {
		err = cfg.streamOnly()
	}
	if err == nil && cfg.WebSocket {
		err = errors.New("load: the handshake rate is measured without WebSocket")
	}
	if err != nil {
		return HandshakeResult{}, err
	}
	if cfg.ServerPID > 0 {
		if _, err := ProcessCPU(cfg.ServerPID); err != nil {
			return HandshakeResult{}, fmt.Errorf("load: the server's CPU time: %w", err)
		}
	}
	cfg.Depth, cfg.Rate = 1, 0
	if cfg.TLS != nil {
		cfg.TLS = cfg.TLS.Clone()
		cfg.TLS.SessionTicketsDisabled = true
		cfg.TLS.ClientSessionCache = nil
	}
	h := &handshakes{crowd: newCrowd(cfg), exited: make(chan struct{}, cfg.Conns)}
	h.unitPerSec = "handshakes/s"
	err = h.run(ctx)
	return h.result(), err
}

// handshakes is a run of RunHandshakes.
type handshakes struct {
	crowd
	exited chan struct{} // a value from each worker as it returns
}

// errorPause is how long a worker waits after a failed round, so that a
// server that refuses connections does not make the workers spin.
const errorPause = 10 * time.Millisecond

func (h *handshakes) run(ctx context.Context) error {
	if err := checkFDs(h.cfg.Conns); err != nil {
		return err
	}
	c := h.cfg
	// A round is bounded by the dial timeout (connect and handshake) and
	// as much again for the echo; this bound is for rounds that hang.
	bound := c.Warmup + c.Duration + c.Drain + 2*c.DialTimeout + 10*time.Second
	ctx, cancel := context.WithTimeoutCause(ctx, bound, errors.New("load: the run did not end in time"))
	defer cancel()
	stop, stopAll := context.WithCancel(ctx)
	defer stopAll()
	h.stop = stop

	h.phase.Store(int32(warmup))
	var wg sync.WaitGroup
	for i := range c.Conns {
		wg.Go(func() { h.worker(uint64(i)) })
	}
	err := h.measure(ctx)
	if err == nil {
		// The rounds under way end, or are cut short after Drain.
		err = h.wait(ctx, h.exited, c.Conns, c.Drain)
	}
	h.phase.Store(int32(finished))
	stopAll()
	wg.Wait()
	if err == nil && h.total == 0 {
		err = fmt.Errorf("load: no round with %s %s completed: %w", c.Network, c.Addr, h.firstErr)
	}
	return err
}

// worker runs rounds until the window is over.
func (h *handshakes) worker(id uint64) {
	defer func() { h.exited <- struct{}{} }()
	got := make([]byte, h.cfg.Size)
	lat := make([]int64, 1)
	for seq := uint64(0); ; seq++ {
		if ph := h.loadPhase(); ph != warmup && ph != measuring {
			return
		}
		start := h.now()
		err := h.round(id, seq, got)
		if err != nil {
			if h.loadPhase() == finished {
				return
			}
			h.report("worker", id, "round", err)
			select {
			case <-time.After(errorPause):
			case <-h.stop.Done():
				return
			}
			continue
		}
		if h.loadPhase() == measuring {
			lat[0] = h.now() - start
			h.record(lat, 1)
		} else {
			h.record(nil, 1)
		}
	}
}

// round is one connection of worker id: dial and handshake, message seq
// and its echo, close.
func (h *handshakes) round(id, seq uint64, got []byte) error {
	c, err := dialConn(h.stop, h.cfg)
	if err != nil {
		return fmt.Errorf("dial: %w", err)
	}
	closeAtStop := context.AfterFunc(h.stop, func() { _ = c.Close() })
	defer func() {
		if closeAtStop() {
			_ = c.Close()
		}
	}()
	if tc, ok := c.(*tls.Conn); ok && tc.ConnectionState().DidResume {
		return errors.New("the session was resumed: not a full handshake")
	}
	h.noteTLS(c)
	if err := c.SetDeadline(time.Now().Add(h.cfg.DialTimeout)); err != nil {
		return err
	}
	return echoOnce(c, h.pat.message(id, seq), got, seq)
}

// echoOnce writes want and reads its echo into got, of the same length.
func echoOnce(c net.Conn, want, got []byte, seq uint64) error {
	if _, err := c.Write(want); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if _, err := io.ReadFull(c, got); err != nil {
		return fmt.Errorf("echo: %w", err)
	}
	if err := compare(got, want, seq, 0); err != nil {
		return fmt.Errorf("echo: %w", err)
	}
	return nil
}

func (h *handshakes) result() HandshakeResult {
	w := h.window()
	c := h.cfg
	r := HandshakeResult{
		Server: c.Server, Network: c.Network, Addr: c.Addr, Conns: c.Conns, Size: c.Size,
		TLS:        h.tlsInfo,
		Handshakes: w.msgs,
		Errors:     h.errors,
		P50:        w.hist.Percentile(50),
		P99:        w.hist.Percentile(99),
		Max:        w.hist.Max(),
	}
	if w.end <= w.start {
		return r // the window did not close
	}
	r.Duration = time.Duration(w.end - w.start)
	r.HandshakesPerSec = float64(w.msgs) / r.Duration.Seconds()
	if w.msgs == 0 {
		return r
	}
	per := func(d time.Duration) time.Duration { return d / time.Duration(w.msgs) }
	if w.before.serverOK && w.after.serverOK {
		r.ServerMeasured = true
		r.ServerCPU = w.after.server - w.before.server
		r.ServerCPUPerHandshake = per(r.ServerCPU)
	}
	r.ClientCPUPerHandshake = per(w.after.client - w.before.client)
	return r
}

// HandshakeResult is what RunHandshakes measured. Counts and latencies
// cover the rounds that ended in the measured window; Errors covers the
// whole run.
type HandshakeResult struct {
	Server  string
	Network string
	Addr    string
	Conns   int    // workers
	Size    int    // bytes of the message echoed in each round
	TLS     string // TLSInfo of the first round; empty for TCP alone

	Duration         time.Duration // the measured window, as it was
	Handshakes       uint64        // rounds completed in the window
	HandshakesPerSec float64

	// Latencies of a round: from the dial to the echo's last byte.
	P50, P99, Max time.Duration

	ServerMeasured        bool          // Config.ServerPID was given and read
	ServerCPU             time.Duration // the server's user+system time in the window
	ServerCPUPerHandshake time.Duration // per round: the accept, handshake, echo and close
	ClientCPUPerHandshake time.Duration

	Errors uint64 // rounds that failed
}

// handshakeJSON is the form the benchmark scripts read; the server's
// figures are null when they were not measured.
type handshakeJSON struct {
	Server                  string   `json:"server"`
	Conns                   int      `json:"conns"`
	Size                    int      `json:"size"`
	TLS                     string   `json:"tls"`
	DurationS               float64  `json:"duration_s"`
	Handshakes              uint64   `json:"handshakes"`
	HandshakesPerS          float64  `json:"handshakes_per_s"`
	P50                     int64    `json:"p50_ns"`
	P99                     int64    `json:"p99_ns"`
	Max                     int64    `json:"max_ns"`
	ServerCPUS              *float64 `json:"server_cpu_s"`
	ServerCPUPerHandshakeNS *int64   `json:"server_cpu_per_handshake_ns"`
	ClientCPUPerHandshakeNS int64    `json:"client_cpu_per_handshake_ns"`
	Errors                  uint64   `json:"errors"`
}

// MarshalJSON writes the result with the field names of the benchmark
// scripts: server, conns, size, tls, duration_s, handshakes,
// handshakes_per_s, p50_ns, p99_ns, max_ns, server_cpu_s,
// server_cpu_per_handshake_ns, client_cpu_per_handshake_ns and errors.
func (r HandshakeResult) MarshalJSON() ([]byte, error) {
	j := handshakeJSON{
		Server: r.Server, Conns: r.Conns, Size: r.Size, TLS: r.TLS,
		DurationS: r.Duration.Seconds(), Handshakes: r.Handshakes, HandshakesPerS: r.HandshakesPerSec,
		P50: int64(r.P50), P99: int64(r.P99), Max: int64(r.Max),
		ClientCPUPerHandshakeNS: int64(r.ClientCPUPerHandshake),
		Errors:                  r.Errors,
	}
	if r.ServerMeasured {
		s, ns := r.ServerCPU.Seconds(), int64(r.ServerCPUPerHandshake)
		j.ServerCPUS, j.ServerCPUPerHandshakeNS = &s, &ns
	}
	return json.Marshal(j)
}

// WriteSummary writes the result as one readable block.
func (r HandshakeResult) WriteSummary(w io.Writer) error {
	kind := "TCP connects (no TLS)"
	if r.TLS != "" {
		kind = "full handshakes, " + r.TLS
	}
	server := "not measured (no -pid)"
	if r.ServerMeasured {
		server = fmt.Sprintf("%v per handshake (%.2f s in the window)", r.ServerCPUPerHandshake, r.ServerCPU.Seconds())
	}
	label := ""
	if r.Server != "" {
		label = r.Server + " at "
	}
	_, err := fmt.Fprintf(w, `%s%s %s: %s, %d workers, %d B echoed each, %.2f s measured
  handshakes/s  %.0f  (%d handshakes)
  latency       p50 %v  p99 %v  max %v  (dial to echo)
  server CPU    %s
  client CPU    %v per handshake
  errors        %d
`, label, r.Network, r.Addr, kind, r.Conns, r.Size, r.Duration.Seconds(),
		r.HandshakesPerSec, r.Handshakes,
		round(r.P50), round(r.P99), round(r.Max),
		server, r.ClientCPUPerHandshake, r.Errors)
	return err
}
