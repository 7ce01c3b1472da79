package results

import (
	"encoding/json"
	"os"
	"sort"
)

// LatencyFile is bench/results/latency.json, what bench/latency.sh
// measured: for each grid (the plain servers, the TLS ones) every server's
// closed-loop capacity, and its open-loop runs at the grid's rates.
// cmd/benchreport -latency writes it and latency.md; cmd/chart -latency
// draws it.
type LatencyFile struct {
	Date    string        `json:"date"`    // RFC 3339, when the report was written
	Nproc   int           `json:"nproc"`   // CPUs online
	Command string        `json:"command"` // how the runs were made
	Conns   int           `json:"conns"`
	Size    int           `json:"size"`
	Depth   int           `json:"depth"`
	Grids   []LatencyGrid `json:"grids"`
}

// LatencyGrid is a set of servers run at the same offered rates.
type LatencyGrid struct {
	Name       string     `json:"name"` // "plain" or "tls"
	Servers    []string   `json:"servers"`
	Capacities []Capacity `json:"capacities"`
	Rates      []float64  `json:"rates"` // offered msgs/s, ascending
	Points     []Point    `json:"points"`
	Failures   []string   `json:"failures,omitempty"` // runs that left no result, one line each
}

// Capacity is a server's closed-loop capacity: msgs/s in each round, and
// their median.
type Capacity struct {
	Server            string    `json:"server"`
	Rounds            []float64 `json:"rounds"`
	MsgsPerS          float64   `json:"msgs_per_s"`
	ServerCPUPerMsgNS *float64  `json:"server_cpu_per_msg_ns"` // median, if measured
}

// Point is one open-loop run of one server at one offered rate.
type Point struct {
	Server string          `json:"server"`
	Rate   float64         `json:"rate"`  // offered msgs/s
	Order  int             `json:"order"` // its turn among the servers at this rate, from 1
	Result json.RawMessage `json:"result"`
	Load   Load            `json:"-"` // Result, read
}

// OpenLoad is the load generator's account of an open-loop run (its
// "open_loop" object; see bench/load's OpenLoop).
type OpenLoad struct {
	Due            float64 `json:"due"`
	Issued         float64 `json:"issued"`
	Sent           float64 `json:"sent"`
	SentPerS       float64 `json:"sent_per_s"`
	Held           float64 `json:"held"`
	Backlog        float64 `json:"backlog"`
	LagP50NS       float64 `json:"lag_p50_ns"`
	LagP99NS       float64 `json:"lag_p99_ns"`
	LagMaxNS       float64 `json:"lag_max_ns"`
	LagLimitNS     float64 `json:"lag_limit_ns"`
	Late           float64 `json:"late"`
	MaxSendLagNS   float64 `json:"max_send_lag_ns"`
	GeneratorBound bool    `json:"generator_bound"`
	Why            string  `json:"generator_bound_why"`
}

// GeneratorBound reports whether the run measured the load generator
// rather than the server, and why; a run without the generator's account
// counts as such, since nothing says it kept up.
func (p *Point) GeneratorBound() (bool, string) {
	if p.Load.Open == nil {
		return true, "no account of the schedule"
	}
	return p.Load.Open.GeneratorBound, p.Load.Open.Why
}

// ReadLatency loads a latency file.
func ReadLatency(path string) (*LatencyFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f LatencyFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	for i := range f.Grids {
		g := &f.Grids[i]
		for j := range g.Points {
			_ = json.Unmarshal(g.Points[j].Result, &g.Points[j].Load)
		}
	}
	return &f, nil
}

// Grid returns the grid of that name, or nil.
func (f *LatencyFile) Grid(name string) *LatencyGrid {
	for i := range f.Grids {
		if f.Grids[i].Name == name {
			return &f.Grids[i]
		}
	}
	return nil
}

// Capacity returns server's capacity, or nil.
func (g *LatencyGrid) Capacity(server string) *Capacity {
	for i := range g.Capacities {
		if g.Capacities[i].Server == server {
			return &g.Capacities[i]
		}
	}
	return nil
}

// Point returns server's run at rate, or nil.
func (g *LatencyGrid) Point(server string, rate float64) *Point {
	for i := range g.Points {
		if g.Points[i].Server == server && g.Points[i].Rate == rate {
			return &g.Points[i]
		}
	}
	return nil
}

// Of returns server's runs, by rate.
func (g *LatencyGrid) Of(server string) []*Point {
	var ps []*Point
	for i := range g.Points {
		if g.Points[i].Server == server {
			ps = append(ps, &g.Points[i])
		}
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].Rate < ps[j].Rate })
	return ps
}

// Summarize sets the capacity's median from its rounds, and the median of
// the server CPU per message of those that had it.
func (c *Capacity) Summarize(cpu []float64) {
	c.MsgsPerS = median(append([]float64(nil), c.Rounds...))
	if len(cpu) > 0 {
		v := median(append([]float64(nil), cpu...))
		c.ServerCPUPerMsgNS = &v
	}
}

// LatencyChart names the chart of figure ("p99" or "p999") for a grid, as
// cmd/chart -latency writes it and latency.md shows it: latency_p99.png
// for the plain grid, latency_tls_p99.png for the TLS one.
func LatencyChart(grid, figure string) string {
	if grid == "plain" {
		return "latency_" + figure + ".png"
	}
	return "latency_" + grid + "_" + figure + ".png"
}
