package main

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/goreactor/reactor/bench/peers/internal/results"
)

// The latency charts (-latency) draw a latency.json (written by
// benchreport -latency): for each grid, p99 and p99.9 against the offered
// load, a line per server through its runs, the latency on a log scale
// (it spans tens of µs at low load to seconds past a server's capacity).
// A generator-bound run is no measure of its server: it is drawn apart, a
// cross in the server's colour, and the server's line breaks there.

// quantile is a latency figure to chart.
type quantile struct {
	figure, name string
	get          func(results.Load) float64 // ns
}

var quantiles = []quantile{
	{"p99", "p99", func(l results.Load) float64 { return l.P99NS }},
	{"p999", "p99.9", func(l results.Load) float64 { return l.P999NS }},
}

// runLatency draws every grid of the latency file at in into out.
func runLatency(in, out string) error {
	f, err := results.ReadLatency(in)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	drawn := 0
	for i := range f.Grids {
		g := &f.Grids[i]
		if len(g.Points) == 0 {
			continue
		}
		for _, q := range quantiles {
			path := filepath.Join(out, results.LatencyChart(g.Name, q.figure))
			p, err := latencyPlot(f, g, q)
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			if err := p.Save(9*vg.Inch, 5.5*vg.Inch, path); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			fmt.Println("wrote", path)
			drawn++
		}
	}
	if drawn == 0 {
		return fmt.Errorf("%s has no open-loop run to draw", in)
	}
	return nil
}

// latencyPlot is the chart of one quantile of one grid.
func latencyPlot(f *results.LatencyFile, g *results.LatencyGrid, q quantile) (*plot.Plot, error) {
	p := plot.New()
	kind := map[string]string{"plain": "", "tls": " over TLS"}[g.Name]
	p.Title.Text = fmt.Sprintf("%s latency%s from the scheduled send time, %d B × %d conns (lower is better)", q.name, kind, f.Size, f.Conns)
	p.X.Label.Text = "offered load (msgs/s, open loop)"
	p.Y.Label.Text = q.name + " latency (ms, log scale)"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	p.X.Min = 0
	p.X.Tick.Marker = rateTicks{}
	// Top left, inside the axes: at low load every latency is low.
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Inch, -vg.Points(14)
	p.Legend.Padding = vg.Points(1)
	p.Add(plotter.NewGrid())

	lo, hi := 0.0, 0.0
	anyBound := false
	for i, s := range g.Servers {
		// The server's line, broken where a generator-bound run stands
		// for a figure the server has not given.
		var segments []plotter.XYs
		var bound plotter.XYs
		broken := true
		for _, pt := range g.Of(s) {
			v := q.get(pt.Load) / 1e6 // ms
			if v <= 0 {
				continue // no echo timed: nothing to draw on a log scale
			}
			if lo == 0 || v < lo {
				lo = v
			}
			hi = max(hi, v)
			if b, _ := pt.GeneratorBound(); b {
				bound = append(bound, plotter.XY{X: pt.Rate, Y: v})
				broken = true
				continue
			}
			if broken {
				segments = append(segments, nil)
				broken = false
			}
			segments[len(segments)-1] = append(segments[len(segments)-1], plotter.XY{X: pt.Rate, Y: v})
		}
		label := s
		if c := g.Capacity(s); c != nil {
			label = fmt.Sprintf("%s (capacity %s msgs/s)", s, short(c.MsgsPerS))
		}
		col := plotutil.Color(i)
		for k, seg := range segments {
			line, points, err := plotter.NewLinePoints(seg)
			if err != nil {
				return nil, err
			}
			line.Color, line.Width = col, vg.Points(1.5)
			points.Color, points.Shape = col, plotutil.Shape(i)
			p.Add(line, points)
			if k == 0 {
				p.Legend.Add(label, line, points)
			}
		}
		if len(segments) == 0 {
			p.Legend.Add(label+": no run kept", solid(col))
		}
		if len(bound) > 0 {
			sc, err := plotter.NewScatter(bound)
			if err != nil {
				return nil, err
			}
			sc.Color, sc.Shape, sc.Radius = col, draw.CrossGlyph{}, vg.Points(4)
			p.Add(sc)
			anyBound = true
		}
	}
	if hi == 0 {
		lo, hi = 0.01, 1 // nothing to draw: an empty log axis
	}
	// From the power of ten below the lowest, so that the axis has a
	// labelled tick below the curves.
	p.Y.Min, p.Y.Max = math.Pow(10, math.Floor(math.Log10(lo))), hi*1.5
	if anyBound {
		cross := &plotter.Scatter{GlyphStyle: draw.GlyphStyle{Color: color.Gray{Y: 90}, Radius: vg.Points(4), Shape: draw.CrossGlyph{}}}
		p.Legend.Add("generator-bound run (not the server's figure)", cross)
	}
	return p, nil
}

// solid is a legend thumbnail: a line of colour c.
func solid(c color.Color) plot.Thumbnailer {
	l := &plotter.Line{LineStyle: draw.LineStyle{Color: c, Width: vg.Points(1.5)}}
	return l
}

// rateTicks marks the offered load every 10,000 msgs/s or so (a round
// step giving 5 to 12 ticks), labelled in thousands.
type rateTicks struct{}

func (rateTicks) Ticks(lo, hi float64) []plot.Tick {
	step := 1.0
	for (hi-lo)/step > 12 {
		switch {
		case (hi-lo)/(step*2) <= 12:
			step *= 2
		case (hi-lo)/(step*5) <= 12:
			step *= 5
		default:
			step *= 10
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		label := "0"
		if v != 0 {
			label = short(v)
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: label})
	}
	return ticks
}
