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
