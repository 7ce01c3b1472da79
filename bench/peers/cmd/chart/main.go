// Command chart draws the medians of a results.json (written by
// cmd/benchreport) as bar charts, one panel per workload and one bar per
// server in each:
//
//	go run ./cmd/chart -in ../results/results.json -out ../results
//
// It writes msgs_per_s.png, p99.png and server_cpu_per_msg.png into -out.
// Panels, rather than one axis shared by all workloads, because the
// workloads' figures differ by orders of magnitude (64 B ping-pong against
// 64 KiB bulk): on one linear axis the small ones would not show.
//
//	go run ./cmd/chart -latency -in ../results/latency.json -out ../results
//
// draws instead the latency curves of bench/latency.sh (see latency.go):
// latency_p99.png and latency_p999.png, and latency_tls_p99.png and
// latency_tls_p999.png for the TLS grid.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/goreactor/reactor/bench/peers/internal/results"
)

// metric is one figure to chart: its file, its title, and how to take it
// (in the unit shown) from a median; ok is false where it is missing.
type metric struct {
	file, title, unit string
	get               func(*results.Median) (v float64, ok bool)
}

var metrics = []metric{
	{"msgs_per_s.png", "echoed messages per second (higher is better)", "msgs/s",
		func(m *results.Median) (float64, bool) { return m.MsgsPerS, true }},
	{"p99.png", "p99 round-trip latency (lower is better)", "ms",
		func(m *results.Median) (float64, bool) { return m.P99NS / 1e6, true }},
	{"server_cpu_per_msg.png", "server CPU time per message (lower is better)", "µs",
		func(m *results.Median) (float64, bool) {
			if m.ServerCPUPerMsgNS == nil {
				return 0, false
			}
			return *m.ServerCPUPerMsgNS / 1e3, true
		}},
}

func main() {
	in := flag.String("in", "results.json", "results file written by benchreport")
	out := flag.String("out", ".", "directory for the PNG files")
	latency := flag.Bool("latency", false, "-in is a latency.json (benchreport -latency): draw the latency curves")
	flag.Parse()
	chart := run
	if *latency {
		chart = runLatency
	}
	if err := chart(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "chart:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	f, err := results.Read(in)
	if err != nil {
		return err
	}
	if len(f.Workloads) == 0 || len(f.Servers) == 0 {
		return fmt.Errorf("%s names no workloads or no servers", in)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, m := range metrics {
		path := filepath.Join(out, m.file)
		if err := draw1(f, m, path); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		fmt.Println("wrote", path)
	}
	return nil
}

// draw1 draws one metric: a grid of panels, one per workload.
func draw1(f *results.File, m metric, path string) error {
	cols := min(len(f.Workloads), 2)
	rows := (len(f.Workloads) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
	}
	for i, w := range f.Workloads {
		p, err := panel(f, m, w)
		if err != nil {
			return err
		}
		grid[i/cols][i%cols] = p
	}
	const panelW, panelH = 6 * vg.Inch, 3.6 * vg.Inch
	const titleH = 0.5 * vg.Inch
	img := vgimg.New(panelW*vg.Length(cols), panelH*vg.Length(rows)+titleH)
	dc := draw.New(img)

	// The figure's title across the top, the panels below it.
	title := plot.New().Title.TextStyle // the default font and text handler
	title.Font.Size = vg.Points(15)
	title.XAlign, title.YAlign = draw.XCenter, draw.YCenter
	top := dc.Max.Y - titleH/2
	dc.FillText(title, vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: top}, m.title)
	body := dc
	body.Max.Y -= titleH

	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align(grid, tiles, body)
	for r := range grid {
		for c := range grid[r] {
			if grid[r][c] != nil {
				grid[r][c].Draw(canvases[r][c])
			}
		}
	}
	w, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(w); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// panel is the bar chart of one workload: a bar per server, labelled with
// its value; a server without a figure gets no bar and "n/a".
func panel(f *results.File, m metric, w results.Workload) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: %d conns × %d B, depth %d", w.Name, w.Conns, w.Size, w.Depth)
	p.Y.Label.Text = m.unit
	p.Y.Min = 0
	p.Add(plotter.NewGrid()) // first, so the bars are drawn over it
	var top float64
	var xys plotter.XYs
	var labels []string
	for i, s := range f.Servers {
		v, ok := 0.0, false
		if md := f.Median(s, w.Name); md != nil {
			v, ok = m.get(md)
		}
		label := "n/a"
		if ok {
			label = short(v)
			bars, err := plotter.NewBarChart(plotter.Values{v}, vg.Points(28))
			if err != nil {
				return nil, err
			}
			bars.XMin = float64(i)
			bars.Color = plotutil.Color(i)
			bars.LineStyle.Width = 0
			p.Add(bars)
			top = max(top, v)
		}
		xys = append(xys, plotter.XY{X: float64(i), Y: v})
		labels = append(labels, label)
	}
	if top == 0 {
		top = 1
	}
	p.Y.Max = top * 1.18
	l, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
	if err != nil {
		return nil, err
	}
	for i := range l.TextStyle {
		l.TextStyle[i].XAlign = draw.XCenter
		l.TextStyle[i].YAlign = draw.YBottom
	}
	l.Offset = vg.Point{Y: vg.Points(2)}
	p.Add(l)
	p.NominalX(f.Servers...)
	return p, nil
}

// short formats v in three significant digits or so, with k/M for large.
func short(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.0fk", v/1e3)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	case v >= 10:
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2f", v)
}
