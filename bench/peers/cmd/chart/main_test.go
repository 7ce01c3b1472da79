package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestChart draws a small results file, with one figure missing, and
// checks that every PNG is written.
func TestChart(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "results.json")
	body := `{"servers":["net","gnet"],"workloads":[{"name":"pp","conns":50,"size":64,"depth":1},{"name":"bulk","conns":10,"size":65536,"depth":1}],
	"medians":[{"server":"net","workload":"pp","runs":1,"msgs_per_s":1000,"p99_ns":5000,"server_cpu_per_msg_ns":6000},
	           {"server":"gnet","workload":"bulk","runs":1,"msgs_per_s":20,"p99_ns":90000}]}`
	if err := os.WriteFile(in, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(in, dir); err != nil {
		t.Fatal(err)
	}
	for _, m := range metrics {
		b, err := os.ReadFile(filepath.Join(dir, m.file))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte("\x89PNG")) {
			t.Errorf("%s is not a PNG", m.file)
		}
	}
}
