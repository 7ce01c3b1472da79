package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goreactor/reactor/bench/peers/internal/results"
)

// openRun is a load generator's JSON for an open-loop run.
func openRun(rate, p99, p999 string, bound bool) string {
	why := ""
	if bound {
		why = `,"generator_bound_why":"lag p99 2ms > 100µs (40 msgs late)"`
	}
	b := "false"
	if bound {
		b = "true"
	}
	return `{"server":"s","rate":` + rate + `,"msgs_per_s":` + rate + `,"p50_ns":50000,"p99_ns":` + p99 + `,"p999_ns":` + p999 +
		`,"max_ns":9000000,"server_cpu_per_msg_ns":12000,"errors":0,"open_loop":{"due":100,"issued":100,"sent":100,` +
		`"held":3,"backlog":0,"lag_p99_ns":2000,"lag_max_ns":7000,"lag_limit_ns":100000,"generator_bound":` + b + why + `}}`
}

// TestLatencyReport feeds the latency report the files of a small session
// of bench/latency.sh and checks the capacities, the tables, the marks on
// a generator-bound run and the failure notes.
func TestLatencyReport(t *testing.T) {
	raw, out, again := t.TempDir(), t.TempDir(), t.TempDir()
	for i, v := range []string{"100000", "80000", "90000"} {
		write(t, raw, "cap__plain__reactor__"+string(rune('1'+i))+".json", `{"msgs_per_s":`+v+`,"server_cpu_per_msg_ns":10000}`)
	}
	write(t, raw, "cap__plain__net__1.json", `{"msgs_per_s":60000}`)
	write(t, raw, "cap__tls__net__1.json", `{"msgs_per_s":40000}`)
	write(t, raw, "lat__plain__reactor__6000__1.json", openRun("6000", "120000", "400000", false))
	write(t, raw, "lat__plain__net__6000__2.json", openRun("6000", "150000", "500000", false))
	write(t, raw, "lat__plain__reactor__72000__2.json", openRun("72000", "2500000", "3000000", true))
	write(t, raw, "lat__plain__net__72000__1.json", `{"rate":72000,"msgs_per_s":60000,"p99_ns":900000000}`) // no account
	write(t, raw, "lat__tls__net__4000__1.json", openRun("4000", "200000", "700000", false))
	write(t, raw, "fail__plain__net__48000__1.txt", "server did not start\n")
	write(t, raw, "lat__other__net__1__1.json", "{}") // a grid not asked for: ignored

	err := runLatency(raw, out, "plain:reactor,net;tls:net", latencySetup{command: "QUICK=1 bash bench/latency.sh", conns: 50, size: 64, depth: 1})
	if err != nil {
		t.Fatal(err)
	}
	f, err := results.ReadLatency(filepath.Join(out, "latency.json"))
	if err != nil {
		t.Fatal(err)
	}
	g := f.Grid("plain")
	if g == nil || len(g.Points) != 4 || len(g.Rates) != 2 || g.Rates[0] != 6000 || len(f.Grid("tls").Points) != 1 {
		t.Fatalf("grids: %+v", f.Grids)
	}
	if c := g.Capacity("reactor"); c == nil || c.MsgsPerS != 90000 || len(c.Rounds) != 3 || c.ServerCPUPerMsgNS == nil || *c.ServerCPUPerMsgNS != 10000 {
		t.Errorf("reactor's capacity: %+v", c)
	}
	if b, why := g.Point("reactor", 72000).GeneratorBound(); !b || !strings.Contains(why, "lag p99") {
		t.Errorf("reactor at 72000: bound %v %q", b, why)
	}
	if b, _ := g.Point("net", 72000).GeneratorBound(); !b {
		t.Error("a run without the generator's account counts as generator-bound")
	}
	b, err := os.ReadFile(filepath.Join(out, "latency.md"))
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	for _, want := range []string{
		"`QUICK=1 bash bench/latency.sh`",
		"64 B messages over 50 connections, at most 1 in flight",
		"| plain | reactor | 90000 | 100000, 80000, 90000 | 10.0 µs |",
		"| tls | net | 40000 | 40000 | — |",
		"![p99 by offered load](latency_p99.png)",
		"![p99 by offered load](latency_tls_p99.png)",
		"| offered msgs/s | of the slowest's capacity | reactor | net |",
		"| 6000 | 10% | 120.0 µs | 150.0 µs |",
		"| 72000 | 120% | ⚠ 2.50 ms | ⚠ 900.00 ms |",
		"| 6000 | 10% | 400.0 µs | 500.0 µs |", // p99.9
		"### Plain TCP, reactor (capacity 90000 msgs/s)",
		"| 6000 | 6000 | 50.0 µs | 120.0 µs | 400.0 µs | 9.00 ms | 12.0 µs | 3 | 0 | 2.00 µs | 7.00 µs | 0 | kept up |",
		"⚠ bound: lag p99 2ms > 100µs (40 msgs late)",
		"⚠ bound: no account of the schedule",
		"- net 48000 1: server did not start",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("latency.md lacks %q:\n%s", want, md)
		}
	}
	if err := rewriteLatency(filepath.Join(out, "latency.json"), again); err != nil {
		t.Fatal(err)
	}
	a, err := os.ReadFile(filepath.Join(again, "latency.md"))
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != md {
		t.Errorf("rewritten latency.md differs:\n%s\n---\n%s", a, md)
	}
}

func TestParseGrids(t *testing.T) {
	g, err := parseGrids("plain: c-floor, reactor ;tls:net")
	if err != nil || len(g) != 2 || g[0].Name != "plain" || len(g[0].Servers) != 2 || g[0].Servers[1] != "reactor" || g[1].Servers[0] != "net" {
		t.Errorf("got %+v, %v", g, err)
	}
	for _, bad := range []string{"", "reactor,net", ":net"} {
		if _, err := parseGrids(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
