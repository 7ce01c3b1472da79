package bench

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/goreactor/reactor/bench/load"
)

// benchWindow is the measured window of one op: BENCH_DURATION, default 2s.
func benchWindow() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("BENCH_DURATION")); err == nil && d > 0 {
		return d
	}
	return 2 * time.Second
}

// BenchmarkLoops runs the echo workload against a reactor.Group of 1 and of
// 2 loops (a server process of its own, GOMAXPROCS as the machine has), with
// the load generator (bench/load, one loop) in this process, and reports
// msgs/s and the server's CPU time per message. The ratio of the two msgs/s
// figures is the scaling from one core to two, on a machine where the load
// generator needs a core too. BENCH_DURATION sets the measured window of
// each op (default 2s).
func BenchmarkLoops(b *testing.B) {
	window := benchWindow()
	for _, w := range []struct {
		name         string
		conns, depth int
	}{{"pingpong64", 50, 1}, {"pipelined64", 50, 16}} {
		for _, loops := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/loops=%d", w.name, loops), func(b *testing.B) {
				s := startServer(b, fmt.Sprint("group-", loops))
				for b.Loop() {
					cfg := load.DefaultConfig()
					cfg.Addr, cfg.Conns, cfg.Size, cfg.Depth = s.addr, w.conns, 64, w.depth
					cfg.Warmup, cfg.Duration = window/4, window
					cfg.ServerPID = s.cmd.Process.Pid
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
