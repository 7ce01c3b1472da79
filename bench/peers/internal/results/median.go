package results

import "sort"

// median returns the middle value of xs (the mean of the two middle values
// for an even count), or 0 for none. It sorts xs.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Float64s(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// Summarize computes the median of each figure over runs, which must all
// be of one server and workload.
func Summarize(server, workload string, runs []Load) Median {
	m := Median{Server: server, Workload: workload, Runs: len(runs)}
	pick := func(get func(Load) float64) float64 {
		xs := make([]float64, 0, len(runs))
		for _, r := range runs {
			xs = append(xs, get(r))
		}
		return median(xs)
	}
	pickOpt := func(get func(Load) *float64) *float64 {
		var xs []float64
		for _, r := range runs {
			if v := get(r); v != nil {
				xs = append(xs, *v)
			}
		}
		if len(xs) == 0 {
			return nil
		}
		v := median(xs)
		return &v
	}
	m.MsgsPerS = pick(func(r Load) float64 { return r.MsgsPerS })
	m.MBPerS = pick(func(r Load) float64 { return r.MBPerS })
	m.P50NS = pick(func(r Load) float64 { return r.P50NS })
	m.P99NS = pick(func(r Load) float64 { return r.P99NS })
	m.P999NS = pick(func(r Load) float64 { return r.P999NS })
	m.ServerCPUPerMsgNS = pickOpt(func(r Load) *float64 { return r.ServerCPUPerMsgNS })
	m.ClientCPUPerMsgNS = pickOpt(func(r Load) *float64 { return r.ClientCPUPerMsgNS })
	for _, r := range runs {
		m.Errors += r.Errors
	}
	return m
}

// Paired returns, over the runs in which both server and base ran
// workload, the median of the per-run ratios get(server) / get(base), and
// how many runs it had. run.sh makes the servers take turns, so runs with
// the same number were made minutes apart at most: on a machine whose
// speed drifts, the ratio within a round is steadier than the ratio of two
// medians. ok is false when no run had both figures.
func (f *File) Paired(server, base, workload string, get func(Load) *float64) (ratio float64, n int, ok bool) {
	byRun := map[int]float64{}
	for _, r := range f.Runs {
		if r.Server == base && r.Workload == workload {
			if v := get(r.Load); v != nil && *v != 0 {
				byRun[r.Run] = *v
			}
		}
	}
	var xs []float64
	for _, r := range f.Runs {
		if r.Server == server && r.Workload == workload {
			b, has := byRun[r.Run]
			if v := get(r.Load); has && v != nil {
				xs = append(xs, *v/b)
			}
		}
	}
	if len(xs) == 0 {
		return 0, 0, false
	}
	return median(xs), len(xs), true
}
