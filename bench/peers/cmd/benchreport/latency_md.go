package main

import (
	"fmt"
	"strings"

	"github.com/goreactor/reactor/bench/peers/internal/results"
)

// latencyMarkdown renders latency.md: how the runs were made and how to
// read them, the capacities, then for each grid its charts, its p99 and
// p99.9 by offered rate, and a table per server with every figure.
func latencyMarkdown(f *results.LatencyFile) string {
	var b strings.Builder
	b.WriteString("# Latency under offered load (open loop)\n\n")
	fmt.Fprintf(&b, "- date: %s\n- nproc: %d\n- command: `%s`\n", f.Date, f.Nproc, f.Command)
	fmt.Fprintf(&b, "- %d B messages over %d connections, at most %d in flight on each: a message that comes due while its connection has that many in flight waits in the load generator, and the wait counts in its latency\n", f.Size, f.Conns, f.Depth)
	b.WriteString("- each server alone on CPU 0 (the Go servers with GOMAXPROCS=1), the load generator (`bench/cmd/reactor-load`) on CPU 1; a fresh server for every run; servers in turns, the order rotating from one rate to the next\n")
	b.WriteString("- capacity: closed loop (each connection sends its next message when the echo of the last arrives), msgs/s, median of the rounds\n")
	b.WriteString("- open loop: every server of a grid is offered the same rates, from 10% to past 100% of the slowest one's capacity; every latency counts from the time the schedule had its message due, however late it was sent, so a server that stalls cannot hide the wait (coordinated omission)\n")
	b.WriteString("- generator-bound (⚠): the generator's own send lag p99 was above its limit, or it handed out fewer than 99% of the messages due: such a run measured the generator, not the server; it is marked here and drawn apart (×) in the charts, off the servers' lines\n")
	b.WriteString("- past a server's capacity nothing is steady: messages pile up in the generator for as long as the run lasts, and so does their latency; there the figures say \"saturated\", and their size depends on the run's length (held and backlog count the messages that waited)\n\n")

	b.WriteString("## Capacity (closed loop)\n\n| grid | server | msgs/s | rounds | server CPU/msg |\n|---|---|---:|---|---:|\n")
	for _, g := range f.Grids {
		for _, s := range g.Servers {
			c := g.Capacity(s)
			if c == nil {
				fmt.Fprintf(&b, "| %s | %s | — | | |\n", g.Name, s)
				continue
			}
			var rounds []string
			for _, r := range c.Rounds {
				rounds = append(rounds, fmt.Sprintf("%.0f", r))
			}
			fmt.Fprintf(&b, "| %s | %s | %.0f | %s | %s |\n", g.Name, s, c.MsgsPerS, strings.Join(rounds, ", "), optNS(c.ServerCPUPerMsgNS))
		}
	}
	b.WriteString("\n")
	for i := range f.Grids {
		gridMarkdown(&b, &f.Grids[i])
	}
	return b.String()
}

// slowest returns the smallest capacity in g, or 0.
func slowest(g *results.LatencyGrid) float64 {
	low := 0.0
	for _, c := range g.Capacities {
		if c.MsgsPerS > 0 && (low == 0 || c.MsgsPerS < low) {
			low = c.MsgsPerS
		}
	}
	return low
}

func gridMarkdown(b *strings.Builder, g *results.LatencyGrid) {
	title := map[string]string{"plain": "Plain TCP", "tls": "TLS"}[g.Name]
	if title == "" {
		title = g.Name
	}
	fmt.Fprintf(b, "## %s\n\n", title)
	if len(g.Points) > 0 {
		fmt.Fprintf(b, "![p99 by offered load](%s) ![p99.9 by offered load](%s)\n\n", results.LatencyChart(g.Name, "p99"), results.LatencyChart(g.Name, "p999"))
	}
	low := slowest(g)
	for _, q := range []struct {
		name string
		get  func(results.Load) float64
	}{{"p99", func(l results.Load) float64 { return l.P99NS }}, {"p99.9", func(l results.Load) float64 { return l.P999NS }}} {
		fmt.Fprintf(b, "### %s by offered load\n\n| offered msgs/s | of the slowest's capacity | %s |\n|---:|---:|%s\n",
			q.name, strings.Join(g.Servers, " | "), strings.Repeat("---:|", len(g.Servers)))
		for _, rate := range g.Rates {
			share := "—"
			if low > 0 {
				share = fmt.Sprintf("%.0f%%", 100*rate/low)
			}
			fmt.Fprintf(b, "| %.0f | %s |", rate, share)
			for _, s := range g.Servers {
				p := g.Point(s, rate)
				switch bound, _ := pointBound(p); {
				case p == nil:
					b.WriteString(" — |")
				case bound:
					fmt.Fprintf(b, " ⚠ %s |", ns(q.get(p.Load)))
				default:
					fmt.Fprintf(b, " %s |", ns(q.get(p.Load)))
				}
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	for _, s := range g.Servers {
		ps := g.Of(s)
		if len(ps) == 0 {
			continue
		}
		capacity := ""
		if c := g.Capacity(s); c != nil {
			capacity = fmt.Sprintf(" (capacity %.0f msgs/s)", c.MsgsPerS)
		}
		fmt.Fprintf(b, "### %s, %s%s\n\n", title, s, capacity)
		b.WriteString("| offered | achieved | p50 | p99 | p99.9 | max | server CPU/msg | held | backlog | lag p99 | lag max | errors | generator |\n")
		b.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
		for _, p := range ps {
			l := p.Load
			fmt.Fprintf(b, "| %.0f | %.0f | %s | %s | %s | %s | %s |", p.Rate, l.MsgsPerS, ns(l.P50NS), ns(l.P99NS), ns(l.P999NS), ns(l.MaxNS), optNS(l.ServerCPUPerMsgNS))
			if o := l.Open; o != nil {
				fmt.Fprintf(b, " %.0f | %.0f | %s | %s |", o.Held, o.Backlog, ns(o.LagP99NS), ns(o.LagMaxNS))
			} else {
				b.WriteString(" — | — | — | — |")
			}
			verdict := "kept up"
			if bound, why := pointBound(p); bound {
				verdict = "⚠ bound: " + why
			}
			fmt.Fprintf(b, " %.0f | %s |\n", l.Errors, verdict)
		}
		b.WriteString("\n")
	}
	if len(g.Failures) > 0 {
		fmt.Fprintf(b, "### %s: runs that left no result\n\n", title)
		for _, l := range g.Failures {
			fmt.Fprintf(b, "- %s\n", l)
		}
		b.WriteString("\n")
	}
}

// pointBound is Point.GeneratorBound for a point that may be missing.
func pointBound(p *results.Point) (bool, string) {
	if p == nil {
		return false, ""
	}
	return p.GeneratorBound()
}
