package reactor

import "github.com/goreactor/reactor/buffer"

// ringPool keeps a few emptied rings, with their arrays, for the next
// connection that needs one: in steady state no buffer is allocated per
// message, and an idle connection holds none.
type ringPool struct {
	free  []*buffer.Ring
	bytes int
}

// Pool bounds: rings larger than maxPooledRing lose their array before they
// are pooled; the pool holds at most maxPooledBytes of arrays and at most
// maxPooledRings rings.
const (
	maxPooledRing  = 1 << 20
	maxPooledBytes = 8 << 20
	maxPooledRings = 1024
)

func (rp *ringPool) get(max int) *buffer.Ring {
	if n := len(rp.free); n > 0 {
		r := rp.free[n-1]
		rp.free[n-1] = nil
		rp.free = rp.free[:n-1]
		rp.bytes -= r.Cap()
		r.SetMax(max)
		return r
	}
	return buffer.New(max)
}

func (rp *ringPool) put(r *buffer.Ring) {
	r.Reset()
	if r.Cap() > maxPooledRing || rp.bytes+r.Cap() > maxPooledBytes {
		r.Release()
	}
	if len(rp.free) < maxPooledRings {
		rp.bytes += r.Cap()
		rp.free = append(rp.free, r)
	}
}

// addHeld adds n (possibly negative) to the bytes the loop holds in
// connection buffers, and keeps the peak for Stats.
func (l *Loop) addHeld(n int) {
	l.held += n
	if l.held > l.peakHeld {
		l.peakHeld = l.held
	}
}
