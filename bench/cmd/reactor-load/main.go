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
//	reactor-load -pid $PID -idle 10000                            # memory per idle connection
//	reactor-load -pid $PID -server gnet -json /tmp/gnet-pp.json   # for the benchmark scripts
//
// Only loopback addresses and unix sockets are accepted. The summary goes to
// stdout, errors and progress lines to stderr. The exit status is 0 for a
// clean run, 1 if the run failed or any connection had an error (a bad
// echo, an unexpected close), 2 for bad flags.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
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
	network := fs.String("network", d.Network, `"tcp", "tcp4", "tcp6" or "unix"`)
	addr := fs.String("addr", "", `the echo server: a loopback host:port or a unix socket path (default "`+d.Addr+`", or "/tmp/reactor-echo.sock" for unix)`)
	conns := fs.Int("conns", d.Conns, "connections, all on one loop")
	size := fs.Int("size", d.Size, "bytes per message")
	depth := fs.Int("depth", d.Depth, "messages in flight per connection (1: ping-pong); in open loop, the most a connection may have in flight")
	duration := fs.Duration("duration", d.Duration, "the measured window")
	warmup := fs.Duration("warmup", d.Warmup, "traffic before the measured window, not measured")
	drain := fs.Duration("drain", d.Drain, "how long to wait for the echoes in flight after the window")
	rate := fs.Float64("rate", 0, "0: closed loop; R > 0: open loop, R messages/s over all connections, latency from each message's scheduled send time")
	pid := fs.Int("pid", 0, "the server's pid: measure its CPU time (and memory, with -idle) from /proc")
	jsonPath := fs.String("json", "", "also write the result as JSON to this file")
	server := fs.String("server", "", "the server's name, for the JSON")
	progress := fs.Duration("progress", time.Second, "a progress line on stderr this often (0: none)")
	idle := fs.Int("idle", 0, "memory mode: open N connections, echo one byte on each, report the server's RSS per connection (needs -pid)")
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
	if err := load.CheckLoopback(*network, *addr); err != nil {
		fmt.Fprintln(stderr, "reactor-load:", err)
		return 2
	}
	cfg := load.Config{
		Network: *network, Addr: *addr, Server: *server,
		Conns: *conns, Size: *size, Depth: *depth, Rate: *rate,
		Warmup: *warmup, Duration: *duration, Drain: *drain,
		ServerPID: *pid, Progress: *progress, Log: stderr,
	}

	var (
		result interface{ WriteSummary(io.Writer) error }
		errors uint64
		err    error
	)
	if *idle > 0 {
		if *pid <= 0 {
			fmt.Fprintln(stderr, "reactor-load: -idle measures the server's memory: it needs -pid")
			return 2
		}
		cfg.Conns = *idle
		var r load.IdleResult
		r, err = load.RunIdle(ctx, cfg)
		result, errors = r, r.Errors
	} else {
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

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}
