package load

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Result is what a run measured. Counts and latencies cover the measured
// window only: echoes that completed in it. Errors covers the whole run.
type Result struct {
	Server  string // Config.Server, a label
	Network string
	Addr    string
	Conns   int
	Size    int
	Depth   int
	Rate    float64 // 0: closed loop
	// WebSocket is the path of a WebSocket run (Config.WebSocket), empty
	// for plain echoes: then a message is a binary message of Size bytes,
	// and MBPerSec counts payload.
	WebSocket string

	Duration   time.Duration // the measured window, as it was
	Msgs       uint64        // echoes completed in the window
	MsgsPerSec float64
	MBPerSec   float64 // echoed bytes per second, in 10^6 bytes

	// Latencies: from the moment a message was written (closed loop) or
	// was due by the schedule (open loop) to the arrival of its last
	// echoed byte. Percentiles are within 0.8%; Mean and Max are exact.
	P50, P99, P999, Max, Mean time.Duration
	// Open is, in open loop, the generator's account of its schedule in
	// the window and whether it kept it; nil in closed loop.
	Open *OpenLoop

	ServerMeasured     bool          // Config.ServerPID was given and read
	ServerCPU          time.Duration // the server's user+system time in the window
	ServerCPUPerMsg    time.Duration
	ClientCPU          time.Duration // this process's user+system time in the window
	ClientCPUPerMsg    time.Duration
	ClientAllocsPerMsg float64 // heap allocations of this process per message

	Errors uint64 // connections that failed: dial, mismatch, unexpected close

	TLS string // what the first TLS connection negotiated (TLSInfo); empty without TLS
}

// resultJSON is the form the benchmark scripts read; the server's figures
// are null when they were not measured.
type resultJSON struct {
	Server             string    `json:"server"`
	Conns              int       `json:"conns"`
	Size               int       `json:"size"`
	Depth              int       `json:"depth"`
	Rate               float64   `json:"rate"`
	DurationS          float64   `json:"duration_s"`
	Msgs               uint64    `json:"msgs"`
	MsgsPerS           float64   `json:"msgs_per_s"`
	MBPerS             float64   `json:"mb_per_s"`
	P50                int64     `json:"p50_ns"`
	P99                int64     `json:"p99_ns"`
	P999               int64     `json:"p999_ns"`
	Max                int64     `json:"max_ns"`
	ServerCPUS         *float64  `json:"server_cpu_s"`
	ServerCPUPerMsgNS  *int64    `json:"server_cpu_per_msg_ns"`
	ClientCPUPerMsgNS  int64     `json:"client_cpu_per_msg_ns"`
	ClientAllocsPerMsg float64   `json:"client_allocs_per_msg"`
	Errors             uint64    `json:"errors"`
	TLS                string    `json:"tls,omitempty"`
	WebSocket          string    `json:"websocket,omitempty"`
	Open               *openJSON `json:"open_loop,omitempty"`
}

// openJSON is OpenLoop in the benchmark scripts' terms.
type openJSON struct {
	Due            uint64  `json:"due"`
	Issued         uint64  `json:"issued"`
	Sent           uint64  `json:"sent"`
	SentPerS       float64 `json:"sent_per_s"`
	Held           uint64  `json:"held"`
	Backlog        uint64  `json:"backlog"`
	LagP50         int64   `json:"lag_p50_ns"`
	LagP99         int64   `json:"lag_p99_ns"`
	LagMax         int64   `json:"lag_max_ns"`
	LagLimit       int64   `json:"lag_limit_ns"`
	Late           uint64  `json:"late"`
	MaxSendLag     int64   `json:"max_send_lag_ns"`
	GeneratorBound bool    `json:"generator_bound"`
	Why            string  `json:"generator_bound_why,omitempty"`
}

// MarshalJSON writes the result with the field names of the benchmark
// scripts: server, conns, size, depth, rate, duration_s, msgs, msgs_per_s,
// mb_per_s, p50_ns, p99_ns, p999_ns, max_ns, server_cpu_s,
// server_cpu_per_msg_ns, client_cpu_per_msg_ns, client_allocs_per_msg,
// errors, tls for a TLS run, websocket (the path) for a WebSocket run,
// and for an open-loop run open_loop: due,
// issued, sent, sent_per_s, held, backlog, lag_p50_ns, lag_p99_ns,
// lag_max_ns, lag_limit_ns, late, max_send_lag_ns, generator_bound and,
// if it is true, generator_bound_why.
func (r Result) MarshalJSON() ([]byte, error) {
	j := resultJSON{
		Server: r.Server, Conns: r.Conns, Size: r.Size, Depth: r.Depth, Rate: r.Rate,
		DurationS: r.Duration.Seconds(), Msgs: r.Msgs, MsgsPerS: r.MsgsPerSec, MBPerS: r.MBPerSec,
		P50: int64(r.P50), P99: int64(r.P99), P999: int64(r.P999), Max: int64(r.Max),
		ClientCPUPerMsgNS: int64(r.ClientCPUPerMsg), ClientAllocsPerMsg: r.ClientAllocsPerMsg,
		Errors: r.Errors, TLS: r.TLS, WebSocket: r.WebSocket,
	}
	if r.ServerMeasured {
		s, ns := r.ServerCPU.Seconds(), int64(r.ServerCPUPerMsg)
		j.ServerCPUS, j.ServerCPUPerMsgNS = &s, &ns
	}
	if o := r.Open; o != nil {
		j.Open = &openJSON{
			Due: o.Due, Issued: o.Issued, Sent: o.Sent, SentPerS: o.SentPerSec, Held: o.Held, Backlog: o.Backlog,
			LagP50: int64(o.LagP50), LagP99: int64(o.LagP99), LagMax: int64(o.LagMax), LagLimit: int64(o.LagLimit),
			Late: o.Late, MaxSendLag: int64(o.MaxSendLag),
			GeneratorBound: o.GeneratorBound != "", Why: o.GeneratorBound,
		}
	}
	return json.Marshal(j)
}

// WriteSummary writes the result as one readable block.
func (r Result) WriteSummary(w io.Writer) error {
	mode, lag := "closed loop", ""
	if r.Rate > 0 {
		mode = fmt.Sprintf("open loop at %.0f msgs/s", r.Rate)
	}
	if o := r.Open; o != nil {
		verdict := "kept its schedule"
		if o.GeneratorBound != "" {
			verdict = "GENERATOR-BOUND: " + o.GeneratorBound + ": these figures are the generator's"
		}
		lag = fmt.Sprintf(`
  schedule      %d msgs due, %d handed out, %d sent (%.0f/s), %d held back by Depth, %d still held at the end
  send lag      p50 %v  p99 %v  max %v  (%d over %v; latest after schedule %v)
  generator     %s`,
			o.Due, o.Issued, o.Sent, o.SentPerSec, o.Held, o.Backlog,
			round(o.LagP50), round(o.LagP99), round(o.LagMax), o.Late, o.LagLimit, round(o.MaxSendLag), verdict)
	}
	server := "not measured (no -pid)"
	if r.ServerMeasured {
		server = fmt.Sprintf("%v per msg (%.2f s in the window)", r.ServerCPUPerMsg, r.ServerCPU.Seconds())
	}
	if r.WebSocket != "" {
		mode += ", WebSocket " + r.WebSocket
	}
	if r.TLS != "" {
		mode += ", " + r.TLS
	}
	label := ""
	if r.Server != "" {
		label = r.Server + " at "
	}
	_, err := fmt.Fprintf(w, `%s%s %s: %d conns, %d B messages, depth %d, %s, %.2f s measured
  msgs/s        %.0f  (%d msgs)
  MB/s          %.2f  (each way)
  latency       p50 %v  p99 %v  p99.9 %v  max %v  (mean %v)%s
  server CPU    %s
  client CPU    %v per msg, %.3f allocs per msg
  errors        %d
`, label, r.Network, r.Addr, r.Conns, r.Size, r.Depth, mode, r.Duration.Seconds(),
		r.MsgsPerSec, r.Msgs, r.MBPerSec,
		round(r.P50), round(r.P99), round(r.P999), round(r.Max), round(r.Mean), lag,
		server, r.ClientCPUPerMsg, r.ClientAllocsPerMsg, r.Errors)
	return err
}

// round keeps three or four significant digits of a latency for reading.
func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(time.Microsecond)
	case d >= 10*time.Microsecond:
		return d.Round(100 * time.Nanosecond)
	}
	return d
}

// IdleResult is what RunIdle measured: the server's resident set size
// before the connections were opened and with them all open and idle.
type IdleResult struct {
	Server     string  `json:"server"`
	IdleConns  int     `json:"idle_conns"` // connections open, each having echoed one byte
	RSSBefore  int64   `json:"rss_before"` // bytes
	RSSAfter   int64   `json:"rss_after"`  // bytes
	RSSPerConn float64 `json:"rss_per_conn_bytes"`
	Errors     uint64  `json:"errors"`
	TLS        string  `json:"tls,omitempty"`       // TLSInfo of the first connection; empty without TLS
	WebSocket  string  `json:"websocket,omitempty"` // the path of a WebSocket run: connections upgraded, one 1-byte message echoed on each
}

// WriteSummary writes the result as one readable block.
func (r IdleResult) WriteSummary(w io.Writer) error {
	label := r.Server
	if label == "" {
		label = "server"
	}
	kind := ""
	if r.WebSocket != "" {
		kind = " WebSocket (" + r.WebSocket + ")"
	}
	if r.TLS != "" {
		kind += " TLS (" + r.TLS + ")"
	}
	_, err := fmt.Fprintf(w, `%s memory with %d idle%s connections
  RSS before    %d KiB
  RSS after     %d KiB
  per conn      %.0f B  (%.2f KiB)
  errors        %d
`, label, r.IdleConns, kind, r.RSSBefore>>10, r.RSSAfter>>10, r.RSSPerConn, r.RSSPerConn/1024, r.Errors)
	return err
}
