package results

import "testing"

func TestSummarize(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	runs := []Load{
		{MsgsPerS: 300, P99NS: 9, ServerCPUPerMsgNS: f(5), Errors: 1},
		{MsgsPerS: 100, P99NS: 7},
		{MsgsPerS: 200, P99NS: 8, ServerCPUPerMsgNS: f(3)},
	}
	m := Summarize("s", "w", runs)
	if m.MsgsPerS != 200 || m.P99NS != 8 || m.Runs != 3 || m.Errors != 1 {
		t.Errorf("got %+v", m)
	}
	if m.ServerCPUPerMsgNS == nil || *m.ServerCPUPerMsgNS != 4 {
		t.Errorf("cpu/msg: got %v, want 4 (median of the two runs that had it)", m.ServerCPUPerMsgNS)
	}
	if m.ClientCPUPerMsgNS != nil {
		t.Errorf("client cpu: got %v, want nil", *m.ClientCPUPerMsgNS)
	}
	if got := median(nil); got != 0 {
		t.Errorf("median(nil) = %v", got)
	}
}

func TestPaired(t *testing.T) {
	cpu := func(v float64) Load { return Load{ServerCPUPerMsgNS: &v} }
	f := &File{Runs: []Run{
		{Server: "a", Workload: "w", Run: 1, Load: cpu(10)},
		{Server: "b", Workload: "w", Run: 1, Load: cpu(20)}, // 0.5
		{Server: "a", Workload: "w", Run: 2, Load: cpu(30)},
		{Server: "b", Workload: "w", Run: 2, Load: cpu(40)}, // 0.75
		{Server: "a", Workload: "w", Run: 3, Load: cpu(11)},
		{Server: "b", Workload: "w", Run: 3, Load: cpu(11)}, // 1
		{Server: "a", Workload: "w", Run: 4, Load: cpu(99)}, // b has no run 4
		{Server: "b", Workload: "x", Run: 4, Load: cpu(1)},
	}}
	get := func(l Load) *float64 { return l.ServerCPUPerMsgNS }
	r, n, ok := f.Paired("a", "b", "w", get)
	if !ok || n != 3 || r != 0.75 {
		t.Errorf("Paired = %v, %d, %v; want 0.75, 3, true", r, n, ok)
	}
	if _, _, ok := f.Paired("a", "c", "w", get); ok {
		t.Error("Paired with a server that never ran: ok")
	}
}

func TestLatencyHelpers(t *testing.T) {
	c := Capacity{Rounds: []float64{300, 100, 200}}
	c.Summarize([]float64{5, 3})
	if c.MsgsPerS != 200 || c.ServerCPUPerMsgNS == nil || *c.ServerCPUPerMsgNS != 4 || c.Rounds[0] != 300 {
		t.Errorf("got %+v (rounds must stay in their order)", c)
	}
	if got := LatencyChart("plain", "p99"); got != "latency_p99.png" {
		t.Errorf("plain: %s", got)
	}
	if got := LatencyChart("tls", "p999"); got != "latency_tls_p999.png" {
		t.Errorf("tls: %s", got)
	}
	g := LatencyGrid{Points: []Point{{Server: "a", Rate: 20}, {Server: "b", Rate: 10}, {Server: "a", Rate: 10}}}
	if ps := g.Of("a"); len(ps) != 2 || ps[0].Rate != 10 || g.Point("b", 10) == nil || g.Point("b", 20) != nil {
		t.Errorf("Of, Point: %+v", ps)
	}
	if b, why := (&Point{}).GeneratorBound(); !b || why == "" {
		t.Error("a run without the generator's account is not to be trusted")
	}
}
