package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/goreactor/reactor/bench/peers/internal/results"
)

// markdown renders the medians: a summary in the shape of the design
// brief's table, then one table per workload with ratios to net and gnet.
func markdown(f *results.File, failures []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Echo servers on one core\n\n")
	fmt.Fprintf(&b, "- date: %s\n- nproc: %d\n- command: `%s`\n", f.Date, f.Nproc, f.Command)
	fmt.Fprintf(&b, "- each figure: the median of %d run(s) of %s; server pinned to CPU 0 with GOMAXPROCS=1, load generator pinned to CPU 1\n", f.RunsPerCell, f.Duration)
	fmt.Fprintf(&b, "- server CPU per message is the server's CPU time (/proc/PID/stat) over the run divided by the messages echoed; it is the figure that tells servers apart when the load generator caps msgs/s\n")
	fmt.Fprintf(&b, "- `net` reads into 64 KiB per connection (not the usual 4 KiB) so that bulk64k compares like with like\n\n")

	fmt.Fprintf(&b, "## Summary: server CPU per message (lower is better)\n\n")
	fmt.Fprintf(&b, "| workload | %s |\n|---|%s\n", strings.Join(f.Servers, " | "), strings.Repeat("---|", len(f.Servers)))
	for _, w := range f.Workloads {
		fmt.Fprintf(&b, "| %s |", w.Name)
		for _, s := range f.Servers {
			m := f.Median(s, w.Name)
			if m == nil || m.ServerCPUPerMsgNS == nil {
				b.WriteString(" — |")
				continue
			}
			fmt.Fprintf(&b, " %s |", ns(*m.ServerCPUPerMsgNS))
		}
		b.WriteString("\n")
	}
	if len(f.Idle) > 0 {
		n := 0
		for _, id := range f.Idle {
			n = max(n, id.IdleConns)
		}
		fmt.Fprintf(&b, "| RSS per idle conn (%d) |", n)
		for _, s := range f.Servers {
			id := f.IdleOf(s)
			if id == nil {
				b.WriteString(" — |")
				continue
			}
			fmt.Fprintf(&b, " %s |", bytes(id.RSSPerConnBytes))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")

	paired(&b, f, "reactor")

	for _, w := range f.Workloads {
		fmt.Fprintf(&b, "## %s: %d conns, %d B messages, depth %d\n\n", w.Name, w.Conns, w.Size, w.Depth)
		b.WriteString("| server | msgs/s | ÷ net | ÷ gnet | server CPU/msg | ÷ net | ÷ gnet | p50 | p99 | p99.9 | errors |\n")
		b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		netM, gnetM := f.Median("net", w.Name), f.Median("gnet", w.Name)
		for _, s := range f.Servers {
			m := f.Median(s, w.Name)
			if m == nil {
				fmt.Fprintf(&b, "| %s | — | | | | | | | | | |\n", s)
				continue
			}
			fmt.Fprintf(&b, "| %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %.0f |\n", s,
				m.MsgsPerS, ratio(m.MsgsPerS, netM, msgs), ratio(m.MsgsPerS, gnetM, msgs),
				optNS(m.ServerCPUPerMsgNS), optRatio(m.ServerCPUPerMsgNS, netM), optRatio(m.ServerCPUPerMsgNS, gnetM),
				ns(m.P50NS), ns(m.P99NS), ns(m.P999NS), m.Errors)
		}
		b.WriteString("\n")
	}

	if len(f.Idle) > 0 {
		b.WriteString("## Idle connections\n\n| server | conns | RSS before | RSS after | RSS per conn |\n|---|---:|---:|---:|---:|\n")
		for _, s := range f.Servers {
			if id := f.IdleOf(s); id != nil {
				fmt.Fprintf(&b, "| %s | %d | %s | %s | %s |\n", s, id.IdleConns,
					bytes(id.RSSBefore), bytes(id.RSSAfter), bytes(id.RSSPerConnBytes))
			}
		}
		b.WriteString("\n")
	}
	if len(failures) > 0 {
		b.WriteString("## Runs that left no result\n\n")
		for _, l := range failures {
			fmt.Fprintf(&b, "- %s\n", l)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// paired writes, for server against each other server, the median of the
// run-by-run ratios of server CPU per message and of msgs/s.
func paired(b *strings.Builder, f *results.File, server string) {
	if !slices.Contains(f.Servers, server) || len(f.Servers) < 2 {
		return
	}
	var others []string
	for _, s := range f.Servers {
		if s != server {
			others = append(others, s)
		}
	}
	cpu := func(l results.Load) *float64 { return l.ServerCPUPerMsgNS }
	rate := func(l results.Load) *float64 { return &l.MsgsPerS }
	fmt.Fprintf(b, "## %s against each server, run by run\n\n", server)
	fmt.Fprintf(b, "Each cell: the median, over the rounds, of %s's figure divided by the other server's in the same round (servers take turns, so a round spans minutes at most): server CPU per message (below 1: %s uses less), then msgs/s (above 1: %s echoes more).\n\n", server, server, server)
	fmt.Fprintf(b, "| workload | %s |\n|---|%s\n", strings.Join(others, " | "), strings.Repeat("---|", len(others)))
	for _, w := range f.Workloads {
		fmt.Fprintf(b, "| %s |", w.Name)
		for _, o := range others {
			c, n, ok1 := f.Paired(server, o, w.Name, cpu)
			r, _, ok2 := f.Paired(server, o, w.Name, rate)
			if !ok1 || !ok2 {
				b.WriteString(" — |")
				continue
			}
			fmt.Fprintf(b, " %.2f / %.2f (%d) |", c, r, n)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
}

func msgs(m *results.Median) float64 { return m.MsgsPerS }

func ratio(v float64, base *results.Median, get func(*results.Median) float64) string {
	if base == nil || get(base) == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", v/get(base))
}

func optRatio(v *float64, base *results.Median) string {
	if v == nil || base == nil || base.ServerCPUPerMsgNS == nil || *base.ServerCPUPerMsgNS == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", *v / *base.ServerCPUPerMsgNS)
}

func optNS(v *float64) string {
	if v == nil {
		return "—"
	}
	return ns(*v)
}

// ns formats nanoseconds with a unit that keeps three digits or so.
func ns(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.2f s", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.2f ms", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.1f µs", v/1e3)
	case v >= 1e3:
		return fmt.Sprintf("%.2f µs", v/1e3)
	}
	return fmt.Sprintf("%.0f ns", v)
}

func bytes(v float64) string {
	switch {
	case v >= 1<<30:
		return fmt.Sprintf("%.2f GiB", v/(1<<30))
	case v >= 1<<20:
		return fmt.Sprintf("%.1f MiB", v/(1<<20))
	case v >= 1<<10:
		return fmt.Sprintf("%.2f KiB", v/(1<<10))
	}
	return fmt.Sprintf("%.0f B", v)
}
