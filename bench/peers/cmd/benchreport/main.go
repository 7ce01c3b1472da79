// Command benchreport gathers the load generator's JSON files of one
// benchmark session (bench/run.sh) into results.json (every run plus the
// medians per server and workload) and results.md (tables of the medians).
//
//	benchreport -raw DIR -out bench/results -servers c-floor,net,gnet \
//	    -workloads pingpong64:50:64:1,bulk64k:10:65536:1 -command "bash bench/run.sh"
//
// In DIR, run__SERVER__WORKLOAD__N.json is run N of a workload,
// idle__SERVER.json the idle-memory run, and fail__*.txt says why a run
// left no result.
//
//	benchreport -redo bench/results/results.json -out bench/results
//
// writes results.md again from a results.json (without the failure notes,
// which results.json does not keep), for when the report's tables change.
//
//	benchreport -latency -raw DIR -out bench/results -grids "plain:c-floor,reactor;tls:reactor,net" \
//	    -conns 50 -size 64 -depth 1 -command "bash bench/latency.sh"
//	benchreport -latency -redo bench/results/latency.json -out bench/results
//
// gathers the runs of bench/latency.sh into latency.json and latency.md
// (see latency.go), or writes latency.md again from a latency.json.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goreactor/reactor/bench/peers/internal/results"
)

func main() {
	raw := flag.String("raw", "", "directory of the load generator's JSON files")
	out := flag.String("out", ".", "directory to write results.json and results.md into")
	servers := flag.String("servers", "", "comma-separated servers, in the order to show them")
	workloads := flag.String("workloads", "", "comma-separated NAME:CONNS:SIZE:DEPTH, in the order to show them")
	command := flag.String("command", "", "the command that made the runs, for the report")
	duration := flag.String("duration", "", "the duration of each run, for the report")
	runs := flag.Int("runs", 0, "runs per server and workload, for the report")
	redo := flag.String("redo", "", "a results.json (with -latency: latency.json) to write results.md (latency.md) from again, instead of -raw")
	latency := flag.Bool("latency", false, "gather bench/latency.sh's runs into latency.json and latency.md")
	grids := flag.String("grids", "", `with -latency: each grid's servers, in the order to show them: "plain:c-floor,reactor;tls:reactor,net"`)
	conns := flag.Int("conns", 0, "with -latency: connections per run, for the report")
	size := flag.Int("size", 0, "with -latency: bytes per message, for the report")
	depth := flag.Int("depth", 0, "with -latency: messages in flight per connection at most, for the report")
	flag.Parse()
	if *latency {
		var err error
		if *redo != "" {
			err = rewriteLatency(*redo, *out)
		} else {
			err = runLatency(*raw, *out, *grids, latencySetup{command: *command, conns: *conns, size: *size, depth: *depth})
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchreport:", err)
			os.Exit(1)
		}
		return
	}
	if *redo != "" {
		if err := rewrite(*redo, *out); err != nil {
			fmt.Fprintln(os.Stderr, "benchreport:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*raw, *out, *servers, *workloads, *command, *duration, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func run(raw, out, servers, workloads, command, duration string, runs int) error {
	if raw == "" {
		return errors.New("-raw is required")
	}
	f := &results.File{
		Date:        time.Now().UTC().Format(time.RFC3339),
		Nproc:       runtime.NumCPU(),
		Command:     command,
		Duration:    duration,
		RunsPerCell: runs,
		Servers:     splitList(servers),
	}
	var err error
	if f.Workloads, err = parseWorkloads(workloads); err != nil {
		return err
	}
	failures, err := gather(f, raw)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "results.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "results.md"), []byte(markdown(f, failures)), 0o644)
}

// rewrite writes results.md into out from the results.json at path.
func rewrite(path, out string) error {
	f, err := results.Read(path)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "results.md"), []byte(markdown(f, nil)), 0o644)
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func parseWorkloads(s string) ([]results.Workload, error) {
	var out []results.Workload
	for _, w := range splitList(s) {
		p := strings.Split(w, ":")
		if len(p) != 4 {
			return nil, fmt.Errorf("workload %q: want NAME:CONNS:SIZE:DEPTH", w)
		}
		var n [3]int
		for i := range n {
			v, err := strconv.Atoi(p[i+1])
			if err != nil {
				return nil, fmt.Errorf("workload %q: %v", w, err)
			}
			n[i] = v
		}
		out = append(out, results.Workload{Name: p[0], Conns: n[0], Size: n[1], Depth: n[2]})
	}
	return out, nil
}

// gather reads every file in raw into f, computes the medians, and returns
// the failure notes, one line each.
func gather(f *results.File, raw string) ([]string, error) {
	entries, err := os.ReadDir(raw)
	if err != nil {
		return nil, err
	}
	var failures []string
	cells := map[[2]string][]results.Load{}
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(raw, name)
		base := strings.TrimSuffix(name, filepath.Ext(name))
		parts := strings.Split(base, "__")
		switch {
		case parts[0] == "fail":
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, err
			}
			failures = append(failures, strings.Join(parts[1:], " ")+": "+strings.TrimSpace(string(b)))
		case parts[0] == "run" && len(parts) == 4 && filepath.Ext(name) == ".json":
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, err
			}
			r := results.Run{Server: parts[1], Workload: parts[2], Result: json.RawMessage(b)}
			r.Run, _ = strconv.Atoi(parts[3])
			if err := json.Unmarshal(b, &r.Load); err != nil {
				failures = append(failures, fmt.Sprintf("%s: unreadable: %v", name, err))
				continue
			}
			f.Runs = append(f.Runs, r)
			k := [2]string{r.Server, r.Workload}
			cells[k] = append(cells[k], r.Load)
		case parts[0] == "idle" && len(parts) == 2 && filepath.Ext(name) == ".json":
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, err
			}
			var id results.Idle
			if err := json.Unmarshal(b, &id); err != nil {
				failures = append(failures, fmt.Sprintf("%s: unreadable: %v", name, err))
				continue
			}
			id.Server = parts[1]
			f.Idle = append(f.Idle, id)
		}
	}
	sort.Slice(f.Runs, func(i, j int) bool {
		a, b := f.Runs[i], f.Runs[j]
		if a.Server != b.Server {
			return a.Server < b.Server
		}
		if a.Workload != b.Workload {
			return a.Workload < b.Workload
		}
		return a.Run < b.Run
	})
	var keys [][2]string
	for k := range cells {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i][0] < keys[j][0] || keys[i][0] == keys[j][0] && keys[i][1] < keys[j][1]
	})
	for _, k := range keys {
		f.Medians = append(f.Medians, results.Summarize(k[0], k[1], cells[k]))
	}
	sort.Slice(f.Idle, func(i, j int) bool { return f.Idle[i].Server < f.Idle[j].Server })
	sort.Strings(failures)
	return failures, nil
}
