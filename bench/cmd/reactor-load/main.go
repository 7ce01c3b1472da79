// Command reactor-load is a load generator for echo servers: one goroutine
// runs one reactor loop with every client connection on it, so that it
// costs about as little per message as the server it measures. It checks
// every echoed byte and reports throughput, latency percentiles, and, given
// the server's pid, the server's CPU time per message, the figure that
// tells servers apart when the load generator shares a small machine.
//
//	reactor-load -pid $(pgrep -n reactor-echo)                    # 50 conns ping-pong 64 B, 5 s
//	reactor-load -pid $PID -depth 16                              # pipelined
//	reactor-load -pid $PID -size 65536 -conns 10                  # bulk
//	reactor-load -pid $PID -rate 100000                           # open loop: latency under a fixed load
//	reactor-load -pid $PID -tls -rate 20000                       # open loop over TLS
//	reactor-load -pid $PID -idle 10000                            # memory per idle connection
//	reactor-load -pid $PID -server gnet -json /tmp/gnet-pp.json   # for the benchmark scripts
//	reactor-load -pid $PID -tls                                   # the same over TLS 1.3
//	reactor-load -pid $PID -tls -handshakes -conns 32             # full TLS handshakes per second
//	reactor-load -pid $PID -tls -idle 10000                       # memory per idle TLS connection
//	reactor-load -pid $PID -udp                                   # 50 UDP sockets, 64 B datagrams, one in flight each
//	reactor-load -pid $PID -ws                                    # WebSocket: 50 conns, 64 B binary messages, ping-pong
//	reactor-load -pid $PID -ws -tls -path /echo -size 65536 -conns 10   # wss, 64 KiB messages
//	reactor-load -pid $PID -ws -idle 10000                        # memory per idle WebSocket connection
//
// With -tls the clients are crypto/tls's, a goroutine per connection, not
// the loop's (see package load): they skip verifying the server's
// certificate, which is self-signed, offer one key exchange group
// (-tls-group) and no session resumption, and speak TLS 1.3 unless
// -tls-version says 1.2. Open loop (-rate) over TLS keeps its schedule
// from one more goroutine, which writes each message when it is due (see
// package load).
//
// In open loop the summary also gives the generator's account of its
// schedule: the messages due in the window, handed out, sent and held
// back because their connection had -depth in flight; its send lag (how
// long after it could have left each message was written); and its
// verdict. A run whose lag p99 is above -lag-limit, or that handed out
// less than 99% of the messages due, is GENERATOR-BOUND: its figures
// describe the load generator, not the server. The JSON has the same
// under "open_loop".
//
// With -udp the clients are UDP sockets (-conns of them), each a connected
// net.UDPConn with a goroutine of its own, each keeping -depth datagrams
// of -size bytes in flight. A datagram whose echo has not come within
// -loss-timeout is counted lost and replaced by a new one, so a loss
// stalls a socket that long and no more; the summary gives datagrams/s,
// the losses and, with -pid, the server's CPU per datagram echoed. UDP
// runs are closed loop only, without TLS.
//
// With -ws the connections are WebSocket clients, still on the loop (see
// package load): each upgrades with a GET of -path, then sends every
// message as one binary frame of -size bytes, masked with a fresh key, and
// checks the echoed messages in whatever frames they come; a server's
// ping gets its pong. Messages/s, latencies and the server's CPU per
// message then count WebSocket messages; -idle upgrades every connection
// and echoes one 1-byte message on each. With -tls too (wss) the loop's
// own TLS carries the connections (crypto/tls inside, with the same
// client configuration), so the client stays one goroutine.
//
// Only loopback addresses and unix sockets are accepted. The summary goes to
// stdout, errors and progress lines to stderr. The exit status is 0 for a
// clean run, 1 if the run failed or any connection had an error (a bad
// echo, an unexpected close), 2 for bad flags.
package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/goreactor/reactor/bench/load"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the command, with its arguments and output passed in for the tests.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	d := load.DefaultConfig()
	fs := flag.NewFlagSet("reactor-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	network := fs.String("network", d.Network, `"tcp", "tcp4", "tcp6" or "unix"; with -udp, "udp" (then the default), "udp4" or "udp6"`)
	addr := fs.String("addr", "", `the echo server: a loopback host:port or a unix socket path (default "`+d.Addr+`", or "/tmp/reactor-echo.sock" for unix)`)
	conns := fs.Int("conns", d.Conns, "connections, all on one loop (with -tls: a goroutine each); with -udp, sockets, a goroutine each")
	size := fs.Int("size", d.Size, "bytes per message")
	depth := fs.Int("depth", d.Depth, "messages in flight per connection (1: ping-pong); in open loop, the most a connection may have in flight")
	duration := fs.Duration("duration", d.Duration, "the measured window")
	warmup := fs.Duration("warmup", d.Warmup, "traffic before the measured window, not measured")
	drain := fs.Duration("drain", d.Drain, "how long to wait for the echoes in flight after the window")
	rate := fs.Float64("rate", 0, "0: closed loop; R > 0: open loop, R messages/s over all connections, latency from each message's scheduled send time")
	lagLimit := fs.Duration("lag-limit", d.LagLimit, "with -rate: a run whose send lag p99 is above this is generator-bound")
	pid := fs.Int("pid", 0, "the server's pid: measure its CPU time (and memory, with -idle) from /proc")
	jsonPath := fs.String("json", "", "also write the result as JSON to this file")
	server := fs.String("server", "", "the server's name, for the JSON")
	progress := fs.Duration("progress", time.Second, "a progress line on stderr this often (0: none)")
	idle := fs.Int("idle", 0, "memory mode: open N connections, echo one byte on each, report the server's RSS per connection (needs -pid)")
	useTLS := fs.Bool("tls", false, "speak TLS: crypto/tls clients, a goroutine each (with -ws: on the loop's TLS), certificate not verified, no resumption")
	tlsVersion := fs.String("tls-version", "1.3", `with -tls: "1.3" or "1.2"`)
	tlsGroup := fs.String("tls-group", "x25519", `with -tls: the one key exchange group offered: "x25519", "p256" or "x25519mlkem768"`)
	handshakes := fs.Bool("handshakes", false, "connection-rate mode: each of -conns workers dials, handshakes (with -tls: a full handshake), echoes one -size message and closes, over and over; reports handshakes/s and, with -pid, the server's CPU per handshake")
	useUDP := fs.Bool("udp", false, "datagram mode: -conns connected UDP sockets, a goroutine each, -depth datagrams of -size bytes in flight on each; reports datagrams/s, losses and, with -pid, the server's CPU per datagram")
	lossTimeout := fs.Duration("loss-timeout", d.LossTimeout, "with -udp: how long a datagram may go without its echo before it counts as lost and a new one is sent in its place")
	useWS := fs.Bool("ws", false, "WebSocket mode: each connection upgrades (GET -path), then sends each message as one masked binary frame of -size bytes; with -tls, wss on the loop's TLS")
	path := fs.String("path", "/", "with -ws: the path of the upgrade request")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: reactor-load [flags]\n\nDrives an echo server and checks every echoed byte. Flags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "reactor-load: unexpected arguments %q\n", fs.Args())
		return 2
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *useUDP {
		if err := checkUDPFlags(set, *network, *size, *depth, *rate, *idle, *lossTimeout, *useTLS, *handshakes); err != nil {
			fmt.Fprintln(stderr, "reactor-load:", err)
			return 2
		}
		if !set["network"] {
			*network = "udp"
		}
	} else if load.IsUDP(*network) || set["loss-timeout"] {
		fmt.Fprintln(stderr, "reactor-load: -network udp and -loss-timeout go with -udp")
		return 2
	}
	if *addr == "" {
		*addr = d.Addr
		if *network == "unix" {
			*addr = "/tmp/reactor-echo.sock"
		}
	}
	if *conns <= 0 || *size <= 0 || *depth <= 0 || *duration <= 0 || *idle < 0 {
		fmt.Fprintln(stderr, "reactor-load: -conns, -size, -depth and -duration must be positive")
		return 2
	}
	if *useWS && (*handshakes || *useUDP) {
		fmt.Fprintln(stderr, "reactor-load: -ws goes with neither -handshakes nor -udp")
		return 2
	}
	if set["path"] && !*useWS {
		fmt.Fprintln(stderr, "reactor-load: -path goes with -ws")
		return 2
	}
	if err := load.CheckWebSocketPath(*path); *useWS && err != nil {
		fmt.Fprintln(stderr, "reactor-load:", err)
		return 2
	}
	if *rate < 0 || *lagLimit <= 0 {
		fmt.Fprintln(stderr, "reactor-load: -rate must not be negative, and -lag-limit must be positive")
		return 2
	}
	if set["lag-limit"] && *rate == 0 {
		fmt.Fprintln(stderr, "reactor-load: -lag-limit goes with -rate")
		return 2
	}
	if err := load.CheckLoopback(*network, *addr); err != nil {
		fmt.Fprintln(stderr, "reactor-load:", err)
		return 2
	}
	var tlsCfg *tls.Config
	switch {
	case *useTLS:
		version, group, err := parseTLS(*tlsVersion, *tlsGroup)
		if err != nil {
			fmt.Fprintln(stderr, "reactor-load:", err)
			return 2
		}
		if !*useWS && int64(*size)*int64(*depth) > load.MaxTLSInFlight {
			fmt.Fprintf(stderr, "reactor-load: with -tls, -size × -depth may be at most %d bytes\n", load.MaxTLSInFlight)
			return 2
		}
		tlsCfg = load.TLSClientConfig(version, group)
	case set["tls-version"] || set["tls-group"]:
		fmt.Fprintln(stderr, "reactor-load: -tls-version and -tls-group need -tls")
		return 2
	}
	if *handshakes && (*idle > 0 || *rate != 0) {
		fmt.Fprintln(stderr, "reactor-load: -handshakes goes with neither -idle nor -rate")
		return 2
	}
	cfg := load.Config{
		Network: *network, Addr: *addr, Server: *server,
		Conns: *conns, Size: *size, Depth: *depth, Rate: *rate,
		Warmup: *warmup, Duration: *duration, Drain: *drain,
		ServerPID: *pid, Progress: *progress, Log: stderr,
		TLS: tlsCfg, LossTimeout: *lossTimeout, LagLimit: *lagLimit,
	}
	if *useWS {
		cfg.WebSocket, cfg.Path = true, *path
	}

	var (
		result interface{ WriteSummary(io.Writer) error }
		errors uint64
		err    error
	)
	switch {
	case *useUDP:
		var r load.UDPResult
		r, err = load.RunUDP(ctx, cfg)
		result, errors = r, r.Errors
	case *handshakes:
		var r load.HandshakeResult
		r, err = load.RunHandshakes(ctx, cfg)
		result, errors = r, r.Errors
	case *idle > 0:
		if *pid <= 0 {
			fmt.Fprintln(stderr, "reactor-load: -idle measures the server's memory: it needs -pid")
			return 2
		}
		cfg.Conns = *idle
		var r load.IdleResult
		r, err = load.RunIdle(ctx, cfg)
		result, errors = r, r.Errors
	default:
		var r load.Result
		r, err = load.Run(ctx, cfg)
		result, errors = r, r.Errors
	}
	if err != nil {
		fmt.Fprintln(stderr, "reactor-load:", err)
		return 1
	}
	if err := result.WriteSummary(stdout); err != nil {
		fmt.Fprintln(stderr, "reactor-load:", err)
		return 1
	}
	if *jsonPath != "" {
		if err := writeJSON(*jsonPath, result); err != nil {
			fmt.Fprintln(stderr, "reactor-load:", err)
			return 1
		}
	}
	if errors > 0 {
		return 1
	}
	return 0
}

// checkUDPFlags refuses, with -udp, the flags that a UDP run cannot honour;
// set holds the names of the flags given.
func checkUDPFlags(set map[string]bool, network string, size, depth int, rate float64, idle int, lossTimeout time.Duration, useTLS, handshakes bool) error {
	switch {
	case set["network"] && !load.IsUDP(network):
		return fmt.Errorf(`-udp goes with -network "udp", "udp4" or "udp6", not %q`, network)
	case useTLS || handshakes || idle > 0 || rate != 0:
		return errors.New("-udp goes with none of -tls, -handshakes, -idle and -rate")
	case size < load.MinUDPSize || size > load.MaxUDPSize:
		return fmt.Errorf("with -udp, -size is in [%d, %d] (a datagram starts with its sequence number)", load.MinUDPSize, load.MaxUDPSize)
	case depth > load.MaxUDPDepth:
		return fmt.Errorf("with -udp, -depth is at most %d", load.MaxUDPDepth)
	case lossTimeout <= 0:
		return errors.New("-loss-timeout must be positive")
	}
	return nil
}

// parseTLS reads -tls-version and -tls-group.
func parseTLS(version, group string) (uint16, tls.CurveID, error) {
	var v uint16
	switch version {
	case "1.3":
		v = tls.VersionTLS13
	case "1.2":
		v = tls.VersionTLS12
	default:
		return 0, 0, fmt.Errorf(`-tls-version %q: want "1.3" or "1.2"`, version)
	}
	var g tls.CurveID
	switch strings.ToLower(group) {
	case "x25519":
		g = tls.X25519
	case "p256", "p-256":
		g = tls.CurveP256
	case "x25519mlkem768":
		g = tls.X25519MLKEM768
	default:
		return 0, 0, fmt.Errorf(`-tls-group %q: want "x25519", "p256" or "x25519mlkem768"`, group)
	}
	if g == tls.X25519MLKEM768 && v != tls.VersionTLS13 {
		return 0, 0, errors.New("-tls-group x25519mlkem768 needs TLS 1.3")
	}
	return v, g, nil
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}
