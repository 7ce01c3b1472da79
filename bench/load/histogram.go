package load

import (
	"math/bits"
	"time"
)

// Histogram counts latencies in log-linear buckets, as HdrHistogram does:
// values below 2*subBuckets nanoseconds have a bucket each, and every power
// of two above is split into subBuckets equal buckets, so a bucket is never
// wider than 1/128 (0.8%) of the values it holds. Recording is a few
// instructions on a fixed array: no allocation, no sorting. The zero value
// is empty and ready to use.
type Histogram struct {
	counts [nBuckets]uint64
	n      uint64
	sum    uint64
	min    int64
	max    int64
}

const (
	subBits    = 7
	subBuckets = 1 << subBits // per power of two: 0.8% precision
	// nBuckets covers every non-negative int64: its highest bit is at
	// most bit 62, so its shift is at most 63-subBits-1 and its index
	// below (63-subBits+1)*subBuckets.
	nBuckets = (63 - subBits + 1) * subBuckets
)

// bucket returns the index of v's bucket.
func bucket(v int64) int {
	if v < 2*subBuckets {
		return int(v)
	}
	shift := bits.Len64(uint64(v)) - subBits - 1
	return shift<<subBits + int(v>>shift)
}

// bucketMax returns the largest value that falls into bucket i.
func bucketMax(i int) int64 {
	if i < 2*subBuckets {
		return int64(i)
	}
	shift := i>>subBits - 1
	m := int64(i - shift<<subBits) // the top subBits+1 bits of the value
	return (m+1)<<shift - 1
}

// Record adds one latency; a negative one counts as 0.
func (h *Histogram) Record(d time.Duration) {
	v := max(int64(d), 0)
	h.counts[bucket(v)]++
	if h.n == 0 || v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
	h.n++
	h.sum += uint64(v)
}

// Count returns how many latencies were recorded.
func (h *Histogram) Count() uint64 { return h.n }

// Max returns the largest latency recorded (exact), or 0 if none was.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max) }

// Min returns the smallest latency recorded (exact), or 0 if none was.
func (h *Histogram) Min() time.Duration { return time.Duration(h.min) }

// Mean returns the mean latency, or 0 if none was recorded.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.sum / h.n)
}

// Percentile returns the latency below or at which q percent of the
// recorded ones lie (q in [0, 100]), the nearest-rank definition: the value
// of rank ceil(q/100 * count) in sorted order. It is reported as the top of
// that value's bucket, kept within the exact minimum and maximum, so it is
// never below the true value and at most 0.8% above it. It returns 0 if
// nothing was recorded.
func (h *Histogram) Percentile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q / 100 * float64(h.n))
	if float64(rank) < q/100*float64(h.n) {
		rank++ // ceil
	}
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return time.Duration(min(max(bucketMax(i), h.min), h.max))
		}
	}
	return time.Duration(h.max)
}

// Reset empties the histogram.
func (h *Histogram) Reset() { *h = Histogram{} }
