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
