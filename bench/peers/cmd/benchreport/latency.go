package main

import (
	"encoding/json"
	"errors"
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

// The latency report (-latency) gathers what bench/latency.sh left in its
// raw directory:
//
//	cap__GRID__SERVER__ROUND.json       a closed-loop capacity run
//	lat__GRID__SERVER__RATE__ORDER.json an open-loop run at RATE msgs/s,
//	                                    the ORDERth server at that rate
//	fail__GRID__....txt                 why a run left no result
//
// into latency.json and latency.md. GRID is "plain" or "tls"; -grids
// names each grid's servers, in the order to show them, as
// "plain:c-floor,reactor;tls:reactor,net".

// latencySetup is what the report says of the runs besides their results.
type latencySetup struct {
	command            string
	conns, size, depth int
}

func runLatency(raw, out, grids string, setup latencySetup) error {
	if raw == "" {
		return errors.New("-raw is required")
	}
	f := &results.LatencyFile{
		Date:    time.Now().UTC().Format(time.RFC3339),
		Nproc:   runtime.NumCPU(),
		Command: setup.command,
		Conns:   setup.conns,
		Size:    setup.size,
		Depth:   setup.depth,
	}
	var err error
	if f.Grids, err = parseGrids(grids); err != nil {
		return err
	}
	if err := gatherLatency(f, raw); err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "latency.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "latency.md"), []byte(latencyMarkdown(f)), 0o644)
}

// rewriteLatency writes latency.md into out from the latency.json at path.
func rewriteLatency(path, out string) error {
	f, err := results.ReadLatency(path)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "latency.md"), []byte(latencyMarkdown(f)), 0o644)
}

// parseGrids reads "NAME:SERVER,SERVER;NAME:SERVER".
func parseGrids(s string) ([]results.LatencyGrid, error) {
	var grids []results.LatencyGrid
	for _, g := range strings.Split(s, ";") {
		if g = strings.TrimSpace(g); g == "" {
			continue
		}
		name, servers, ok := strings.Cut(g, ":")
		if !ok || name == "" {
			return nil, fmt.Errorf("grid %q: want NAME:SERVER,SERVER", g)
		}
		grids = append(grids, results.LatencyGrid{Name: name, Servers: splitList(servers)})
	}
	if len(grids) == 0 {
		return nil, errors.New("-grids names no grid")
	}
	return grids, nil
}

// gatherLatency reads every file of raw into f's grids.
func gatherLatency(f *results.LatencyFile, raw string) error {
	entries, err := os.ReadDir(raw)
	if err != nil {
		return err
	}
	type capRuns struct {
		rounds map[int]float64
		cpu    []float64
	}
	caps := map[[2]string]*capRuns{}
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(raw, name)
		parts := strings.Split(strings.TrimSuffix(name, filepath.Ext(name)), "__")
		if len(parts) < 2 {
			continue
		}
		g := f.Grid(parts[1])
		if g == nil {
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		switch {
		case parts[0] == "fail":
			g.Failures = append(g.Failures, strings.Join(parts[2:], " ")+": "+strings.TrimSpace(string(b)))
		case parts[0] == "cap" && len(parts) == 4 && filepath.Ext(name) == ".json":
			var l results.Load
			round, err := strconv.Atoi(parts[3])
			if err == nil {
				err = json.Unmarshal(b, &l)
			}
			if err != nil {
				g.Failures = append(g.Failures, fmt.Sprintf("%s: unreadable: %v", name, err))
				continue
			}
			k := [2]string{g.Name, parts[2]}
			if caps[k] == nil {
				caps[k] = &capRuns{rounds: map[int]float64{}}
			}
			caps[k].rounds[round] = l.MsgsPerS
			if l.ServerCPUPerMsgNS != nil {
				caps[k].cpu = append(caps[k].cpu, *l.ServerCPUPerMsgNS)
			}
		case parts[0] == "lat" && len(parts) == 5 && filepath.Ext(name) == ".json":
			p := results.Point{Server: parts[2], Result: json.RawMessage(b)}
			var err error
			if p.Rate, err = strconv.ParseFloat(parts[3], 64); err == nil {
				if p.Order, err = strconv.Atoi(parts[4]); err == nil {
					err = json.Unmarshal(b, &p.Load)
				}
			}
			if err != nil {
				g.Failures = append(g.Failures, fmt.Sprintf("%s: unreadable: %v", name, err))
				continue
			}
			g.Points = append(g.Points, p)
		}
	}
	for i := range f.Grids {
		g := &f.Grids[i]
		for _, s := range g.Servers {
			c := caps[[2]string{g.Name, s}]
			if c == nil {
				continue
			}
			capacity := results.Capacity{Server: s}
			var rounds []int
			for r := range c.rounds {
				rounds = append(rounds, r)
			}
			sort.Ints(rounds)
			for _, r := range rounds {
				capacity.Rounds = append(capacity.Rounds, c.rounds[r])
			}
			capacity.Summarize(c.cpu)
			g.Capacities = append(g.Capacities, capacity)
		}
		seen := map[float64]bool{}
		for _, p := range g.Points {
			if !seen[p.Rate] {
				seen[p.Rate] = true
				g.Rates = append(g.Rates, p.Rate)
			}
		}
		sort.Float64s(g.Rates)
		sort.Slice(g.Points, func(a, b int) bool {
			pa, pb := g.Points[a], g.Points[b]
			if pa.Rate != pb.Rate {
				return pa.Rate < pb.Rate
			}
			return pa.Order < pb.Order
		})
		sort.Strings(g.Failures)
	}
	return nil
}
