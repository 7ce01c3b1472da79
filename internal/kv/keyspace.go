package kv

import (
	"math"
	"time"
)

// Timer is a function scheduled by a Scheduler. *reactor.Timer is one.
type Timer interface {
	// Stop cancels the timer; it reports whether that kept it from
	// running.
	Stop() bool
	// Reset makes the timer run after d from now, whether or not it ran
	// or was stopped; it reports whether it was pending.
	Reset(d time.Duration) bool
}

// Scheduler runs functions later, on the goroutine that owns the
// Keyspace. reactor-kv's adapts reactor.Loop.AfterFunc.
type Scheduler interface {
	AfterFunc(d time.Duration, f func()) Timer
}

// Keyspace maps keys to string values, each with an optional expiry. It
// belongs to one goroutine: the one that runs its Scheduler's functions.
type Keyspace struct {
	m     map[string]*entry
	sched Scheduler
	epoch time.Time            // the keyspace's clock starts here (monotonic)
	clock func() time.Duration // the clock instead, where a test sets one
}

// entry is one key's value. Its timer is made the first time the key gets
// an expiry and reused after that (Reset), until the key is removed.
type entry struct {
	key      string        // the map's key, so that the timer finds the entry
	val      []byte        // reused by later writes when the size suits
	expireAt time.Duration // on the keyspace's clock; 0: never
	timer    Timer         // nil until the entry first has an expiry
}

// NewKeyspace returns an empty keyspace whose keys expire on timers of s,
// and lazily on access; with a nil s, lazily only.
func NewKeyspace(s Scheduler) *Keyspace {
	return &Keyspace{m: make(map[string]*entry), sched: s, epoch: time.Now()}
}

// Len returns the number of keys, counting those that expired but were
// not removed yet.
func (ks *Keyspace) Len() int { return len(ks.m) }

// now reads the keyspace's clock.
func (ks *Keyspace) now() time.Duration {
	if ks.clock != nil {
		return ks.clock()
	}
	return time.Since(ks.epoch)
}

// lookup returns the entry of key, or nil if there is none or it has
// expired (then it is removed: the lazy expiry).
func (ks *Keyspace) lookup(key []byte) *entry {
	e := ks.m[string(key)] // no allocation: the conversion is only a lookup
	if e != nil && e.expireAt != 0 && ks.now() >= e.expireAt {
		ks.remove(e)
		return nil
	}
	return e
}

// store sets the value of e, or of a new entry for key if e is nil, and
// returns the entry. The expiry is left as it was.
func (ks *Keyspace) store(e *entry, key, val []byte) *entry {
	if e == nil {
		e = &entry{key: string(key), val: clone(val)}
		ks.m[e.key] = e
		return e
	}
	if c := cap(e.val); c >= len(val) && c <= 2*len(val)+64 {
		e.val = append(e.val[:0], val...)
	} else {
		e.val = clone(val) // too small, or so large that keeping it wastes memory
	}
	return e
}

func clone(b []byte) []byte { return append(make([]byte, 0, len(b)), b...) }

// remove deletes e and cancels its timer.
func (ks *Keyspace) remove(e *entry) {
	if e.timer != nil {
		e.timer.Stop()
	}
	delete(ks.m, e.key)
}

// expireIn makes e expire after d (> 0).
func (ks *Keyspace) expireIn(e *entry, d time.Duration) {
	e.expireAt = ks.now() + d
	if ks.sched == nil {
		return
	}
	if e.timer == nil {
		e.timer = ks.sched.AfterFunc(d, func() { ks.expired(e) })
		return
	}
	e.timer.Reset(d)
}

// persist takes e's expiry away.
func (ks *Keyspace) persist(e *entry) {
	if e.expireAt == 0 {
		return
	}
	e.expireAt = 0
	if e.timer != nil {
		e.timer.Stop()
	}
}

// expired runs on e's timer: the active expiry.
func (ks *Keyspace) expired(e *entry) {
	if ks.m[e.key] != e || e.expireAt == 0 {
		return // removed or persisted since (and the timer stopped): nothing to do
	}
	if left := e.expireAt - ks.now(); left > 0 {
		e.timer.Reset(left) // the scheduler's clock ran ahead of ours
		return
	}
	ks.remove(e)
}

// flush removes every key.
func (ks *Keyspace) flush() {
	for _, e := range ks.m {
		if e.timer != nil {
			e.timer.Stop()
		}
	}
	ks.m = make(map[string]*entry)
}

// duration returns n units as a duration, or false if a deadline that far
// from now does not fit the keyspace's clock.
func (ks *Keyspace) duration(n int64, unit time.Duration) (time.Duration, bool) {
	if n > (math.MaxInt64-int64(ks.now()))/int64(unit) {
		return 0, false
	}
	return time.Duration(n) * unit, true
}
