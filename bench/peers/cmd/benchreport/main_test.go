package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goreactor/reactor/bench/peers/internal/results"
)

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestReport feeds benchreport the files of a small session and checks the
// medians, the ratios and the failure note it reports.
func TestReport(t *testing.T) {
	raw, out := t.TempDir(), t.TempDir()
	for i, v := range []string{"100", "300", "200"} {
		write(t, raw, "run__gnet__pp__"+string(rune('1'+i))+".json",
			`{"server":"gnet","msgs_per_s":`+v+`,"p99_ns":2000,"server_cpu_per_msg_ns":5000}`)
	}
	write(t, raw, "run__net__pp__1.json", `{"server":"net","msgs_per_s":100,"p99_ns":3000,"server_cpu_per_msg_ns":10000}`)
	write(t, raw, "idle__net.json", `{"server":"net","idle_conns":10,"rss_before":0,"rss_after":20480,"rss_per_conn_bytes":2048}`)
	write(t, raw, "fail__evio__pp__1.txt", "server did not start\n")
	err := run(raw, out, "net,gnet,evio", "pp:50:64:1", "RUNS=3 bash bench/run.sh", "1s", 3)
	if err != nil {
		t.Fatal(err)
	}
	f, err := results.Read(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Runs) != 4 || len(f.Medians) != 2 || len(f.Idle) != 1 {
		t.Fatalf("runs %d medians %d idle %d, want 4 2 1", len(f.Runs), len(f.Medians), len(f.Idle))
	}
	if m := f.Median("gnet", "pp"); m == nil || m.MsgsPerS != 200 || m.Runs != 3 {
		t.Errorf("gnet median: %+v", m)
	}
	b, err := os.ReadFile(filepath.Join(out, "results.md"))
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	for _, want := range []string{
		"| pp | 10.0 µs | 5.00 µs | — |",                // summary row: CPU per message
		"| RSS per idle conn (10) | 2.00 KiB | — | — |", // and the idle row
		"| gnet | 200 | 2.00 | 1.00 | 5.00 µs | 0.50 | 1.00 |",
		"| evio | — |",
		"- evio pp 1: server did not start",
		"`RUNS=3 bash bench/run.sh`",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("results.md lacks %q:\n%s", want, md)
		}
	}
}

func TestParseWorkloads(t *testing.T) {
	w, err := parseWorkloads("a:1:2:3, b:4:5:6")
	if err != nil || len(w) != 2 || w[1] != (results.Workload{Name: "b", Conns: 4, Size: 5, Depth: 6}) {
		t.Errorf("got %v, %v", w, err)
	}
	for _, bad := range []string{"a:1:2", "a:x:2:3"} {
		if _, err := parseWorkloads(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestPairedSection: reactor's figures divided by each other server's in
// the same round, medians over the rounds.
func TestPairedSection(t *testing.T) {
	run := func(s string, n int, cpu, rate float64) results.Run {
		return results.Run{Server: s, Workload: "pp", Run: n, Load: results.Load{ServerCPUPerMsgNS: &cpu, MsgsPerS: rate}}
	}
	f := &results.File{
		Servers:   []string{"gnet", "reactor", "evio"},
		Workloads: []results.Workload{{Name: "pp", Conns: 1, Size: 1, Depth: 1}},
		Runs: []results.Run{
			run("gnet", 1, 10, 100), run("reactor", 1, 8, 150), // 0.8, 1.5
			run("gnet", 2, 20, 100), run("reactor", 2, 18, 110), // 0.9, 1.1
			run("gnet", 3, 10, 100), run("reactor", 3, 7, 120), // 0.7, 1.2
		},
	}
	md := markdown(f, nil)
	for _, want := range []string{
		"## reactor against each server, run by run",
		"| workload | gnet | evio |",
		"| pp | 0.80 / 1.20 (3) | — |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("results.md lacks %q:\n%s", want, md)
		}
	}
}

// TestRewrite: results.md written again from results.json is the same as
// the first one (there were no failures to lose).
func TestRewrite(t *testing.T) {
	raw, out, again := t.TempDir(), t.TempDir(), t.TempDir()
	write(t, raw, "run__gnet__pp__1.json", `{"server":"gnet","msgs_per_s":100,"server_cpu_per_msg_ns":5000}`)
	write(t, raw, "run__reactor__pp__1.json", `{"server":"reactor","msgs_per_s":150,"server_cpu_per_msg_ns":4000}`)
	if err := run(raw, out, "gnet,reactor", "pp:50:64:1", "bash bench/run.sh", "1s", 1); err != nil {
		t.Fatal(err)
	}
	if err := rewrite(filepath.Join(out, "results.json"), again); err != nil {
		t.Fatal(err)
	}
	a, err1 := os.ReadFile(filepath.Join(out, "results.md"))
	b, err2 := os.ReadFile(filepath.Join(again, "results.md"))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if string(a) != string(b) {
		t.Errorf("rewritten results.md differs:\n%s\n---\n%s", a, b)
	}
	if !strings.Contains(string(b), "| pp | 0.80 / 1.50 (1) |") {
		t.Errorf("no paired ratio:\n%s", b)
	}
}
