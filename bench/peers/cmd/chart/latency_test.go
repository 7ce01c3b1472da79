package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestLatencyChart draws a small latency file: a server with a run kept
// and one generator-bound, a server with its only run generator-bound, a
// run with no latency (nothing on a log scale), and a TLS grid; every
// chart is written, and a file with no run is an error.
func TestLatencyChart(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "latency.json")
	run := func(p99 string, bound bool) string {
		b := "false"
		if bound {
			b = "true"
		}
		return `{"p99_ns":` + p99 + `,"p999_ns":` + p99 + `.5,"open_loop":{"generator_bound":` + b + `}}`
	}
	body := `{"conns":50,"size":64,"depth":1,"grids":[
	{"name":"plain","servers":["reactor","net","gnet"],"capacities":[{"server":"reactor","msgs_per_s":90000},{"server":"net","msgs_per_s":60000}],
	 "rates":[6000,72000],"points":[
	   {"server":"reactor","rate":6000,"order":1,"result":` + run("120000", false) + `},
	   {"server":"reactor","rate":72000,"order":2,"result":` + run("2500000", true) + `},
	   {"server":"net","rate":72000,"order":1,"result":` + run("900000000", true) + `},
	   {"server":"gnet","rate":6000,"order":2,"result":` + run("0", false) + `}]},
	{"name":"tls","servers":["net"],"rates":[4000],"points":[{"server":"net","rate":4000,"order":1,"result":` + run("200000", false) + `}]},
	{"name":"empty","servers":["net"]}]}`
	if err := os.WriteFile(in, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := runLatency(in, dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"latency_p99.png", "latency_p999.png", "latency_tls_p99.png", "latency_tls_p999.png"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte("\x89PNG")) {
			t.Errorf("%s is not a PNG", name)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "latency_empty_p99.png")); err == nil {
		t.Error("a grid without runs was drawn")
	}

	if err := os.WriteFile(in, []byte(`{"grids":[{"name":"plain","servers":["net"]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := runLatency(in, dir); err == nil {
		t.Error("a file without runs: no error")
	}
}
