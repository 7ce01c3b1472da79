package bench

import (
	"context"
	"fmt"
	"testing"

	"github.com/goreactor/reactor/bench/load"
)

// workloads are the echo workloads every server is measured on.
var workloads = []struct {
	name               string
	conns, size, depth int
}{
	{"pingpong64-50", 50, 64, 1},
	{"pingpong64-1000", 1000, 64, 1},
	{"pipelined64x16", 50, 64, 16},
	{"bulk64k-10", 10, 64 << 10, 1},
}

// BenchmarkWorkloads runs each workload against the reactor echo server and
// the net baseline (a goroutine per connection), each a process of its own
// with GOMAXPROCS=1, driven by the load generator (bench/load, one loop) in
// this process. One op is one measured window (BENCH_DURATION, default 2s).
// It reports msgs/s, MB/s, latency percentiles, the server's CPU time per
// message, and the load generator's allocations per message (the servers'
// own are shown by BenchmarkEcho in ./reactor: 0). For pinned cores and the
// peer event loops, use bench/run.sh.
func BenchmarkWorkloads(b *testing.B) {
	window := benchWindow()
	for _, w := range workloads {
		for _, kind := range []string{"reactor", "net"} {
			b.Run(fmt.Sprintf("%s/%s", w.name, kind), func(b *testing.B) {
				s := startServer(b, kind, "GOMAXPROCS=1")
				for b.Loop() {
					cfg := load.DefaultConfig()
					cfg.Addr, cfg.Conns, cfg.Size, cfg.Depth = s.addr, w.conns, w.size, w.depth
					cfg.Warmup, cfg.Duration = window/4, window
					cfg.ServerPID = s.cmd.Process.Pid
					cfg.Server = kind
					r, err := load.Run(context.Background(), cfg)
					if err != nil {
						b.Fatal(err)
					}
					report(b, r)
				}
			})
		}
	}
}

// report turns a load result into benchmark metrics, in units benchstat
// reads.
func report(b *testing.B, r load.Result) {
	if r.Errors > 0 {
		b.Fatalf("%d connections failed", r.Errors)
	}
	b.ReportMetric(r.MsgsPerSec, "msgs/s")
	b.ReportMetric(r.MBPerSec, "MB/s")
	b.ReportMetric(float64(r.P50.Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(r.P99.Nanoseconds()), "p99-ns")
	b.ReportMetric(float64(r.P999.Nanoseconds()), "p999-ns")
	if r.ServerMeasured {
		b.ReportMetric(float64(r.ServerCPUPerMsg.Nanoseconds()), "server-ns/msg")
	}
	b.ReportMetric(r.ClientAllocsPerMsg, "client-allocs/msg")
}
