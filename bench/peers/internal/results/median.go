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
