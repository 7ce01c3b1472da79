package load

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestBucketBounds(t *testing.T) {
	check := func(v int64) { // plain ifs: this runs 200,000 times
		i := bucket(v)
		if i >= nBuckets {
			t.Fatalf("value %d: bucket %d of %d", v, i, nBuckets)
		}
		if bucketMax(i) < v || i > 0 && bucketMax(i-1) >= v {
			t.Fatalf("value %d is not in bucket %d", v, i)
		}
		// The bucket is at most 1/128 of its values wide.
		lo := int64(0)
		if i > 0 {
			lo = bucketMax(i-1) + 1
		}
		if bucketMax(i)-lo > lo/subBuckets {
			t.Fatalf("bucket %d [%d, %d] is too wide", i, lo, bucketMax(i))
		}
	}
	for v := range int64(1 << 16) {
		check(v)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		check(r.Int64N(math.MaxInt64 >> r.IntN(63)))
	}
	for _, v := range []int64{math.MaxInt64, math.MaxInt64 - 1, 1 << 62, 1<<62 - 1, 255, 256, 257} {
		check(v)
	}
	require.Equal(t, nBuckets-1, bucket(math.MaxInt64))
}

// TestPercentilesAgainstModel compares the histogram with the nearest-rank
// percentiles of the sorted values.
func TestPercentilesAgainstModel(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	cases := map[string]func() int64{
		"constant":    func() int64 { return 12345 },
		"small":       func() int64 { return r.Int64N(300) },
		"uniform":     func() int64 { return 10_000 + r.Int64N(90_000) },
		"log-uniform": func() int64 { return int64(math.Exp(r.Float64() * math.Log(1e11))) },
		"long tail":   func() int64 { return int64(20_000 / (1 - r.Float64()*0.9999)) },
	}
	for name, gen := range cases {
		for _, n := range []int{1, 2, 7, 1000, 100_000} {
			var h Histogram
			vals := make([]int64, n)
			for i := range vals {
				vals[i] = gen()
				h.Record(time.Duration(vals[i]))
			}
			slices.Sort(vals)
			require.Equal(t, uint64(n), h.Count())
			require.Equal(t, vals[0], int64(h.Min()))
			require.Equal(t, vals[n-1], int64(h.Max()))
			for _, q := range []float64{0, 1, 10, 50, 90, 99, 99.9, 99.99, 100} {
				rank := int(math.Ceil(q / 100 * float64(n)))
				want := vals[min(max(rank, 1), n)-1]
				got := int64(h.Percentile(q))
				require.GreaterOrEqual(t, got, want, "%s n=%d p%v", name, n, q)
				require.LessOrEqual(t, got, want+want/subBuckets, "%s n=%d p%v", name, n, q)
			}
		}
	}
}

func TestHistogramEmptyAndNegative(t *testing.T) {
	var h Histogram
	require.Zero(t, h.Percentile(50))
	require.Zero(t, h.Mean())
	h.Record(-5)
	require.Equal(t, time.Duration(0), h.Percentile(100))
	h.Reset()
	require.Zero(t, h.Count())
}

func TestHistogramRecordAllocs(t *testing.T) {
	h := new(Histogram)
	allocs := testing.AllocsPerRun(1000, func() { h.Record(123456) })
	require.Zero(t, allocs)
}

func BenchmarkHistogramRecord(b *testing.B) {
	h := new(Histogram)
	b.ReportAllocs()
	v := time.Duration(1)
	for b.Loop() {
		h.Record(v)
		v = v*3 + 7&(1<<30-1)
	}
}
