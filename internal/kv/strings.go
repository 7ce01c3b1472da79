package kv

import (
	"math"
	"strconv"
	"time"

	"github.com/goreactor/reactor/proto/resp"
)

// The commands on string values and their expiry.

func (ks *Keyspace) get(dst []byte, args [][]byte) []byte { return ks.appendValue(dst, args[1]) }

// appendValue appends the value of key as a bulk string, or null.
func (ks *Keyspace) appendValue(dst, key []byte) []byte {
	e := ks.lookup(key)
	if e == nil {
		return resp.AppendNull(dst)
	}
	return resp.AppendBulk(dst, e.val)
}

func (ks *Keyspace) strlen(dst []byte, args [][]byte) []byte {
	var n int
	if e := ks.lookup(args[1]); e != nil {
		n = len(e.val)
	}
	return resp.AppendInt(dst, int64(n))
}

// set: SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | KEEPTTL]
func (ks *Keyspace) set(dst []byte, args [][]byte) []byte {
	var nx, xx, get, keep, expiry bool
	var d time.Duration
	for i := 3; i < len(args); i++ {
		a := args[i]
		switch {
		case is(a, "nx") && !xx:
			nx = true
		case is(a, "xx") && !nx:
			xx = true
		case is(a, "get"):
			get = true
		case is(a, "keepttl") && !expiry:
			keep = true
		case (is(a, "ex") || is(a, "px")) && !keep && !expiry && i+1 < len(args):
			unit := time.Second
			if is(a, "px") {
				unit = time.Millisecond
			}
			n, ok := parseInt(args[i+1])
			if !ok {
				return resp.AppendError(dst, errNotInt)
			}
			if d, ok = ks.duration(n, unit); !ok || n <= 0 {
				return resp.AppendError(dst, "ERR invalid expire time in 'set' command")
			}
			expiry = true
			i++
		default:
			return resp.AppendError(dst, errSyntax)
		}
	}
	e := ks.lookup(args[1])
	if get {
		// The old value, appended before the write reuses its bytes.
		if e == nil {
			dst = resp.AppendNull(dst)
		} else {
			dst = resp.AppendBulk(dst, e.val)
		}
	}
	if nx && e != nil || xx && e == nil {
		if get {
			return dst
		}
		return resp.AppendNull(dst)
	}
	e = ks.store(e, args[1], args[2])
	switch {
	case expiry:
		ks.expireIn(e, d)
	case !keep:
		ks.persist(e)
	}
	if get {
		return dst
	}
	return resp.AppendSimple(dst, "OK")
}

// mset: MSET key value [key value ...]; every key loses its expiry, as
// with SET.
func (ks *Keyspace) mset(dst []byte, args [][]byte) []byte {
	if len(args)%2 != 1 {
		return AppendArityError(dst, commands["mset"])
	}
	for i := 1; i < len(args); i += 2 {
		ks.persist(ks.store(ks.lookup(args[i]), args[i], args[i+1]))
	}
	return resp.AppendSimple(dst, "OK")
}

func (ks *Keyspace) mget(dst []byte, args [][]byte) []byte {
	dst = resp.AppendArray(dst, len(args)-1)
	for _, key := range args[1:] {
		dst = ks.appendValue(dst, key)
	}
	return dst
}

// del is DEL and UNLINK: the number of keys removed.
func (ks *Keyspace) del(dst []byte, args [][]byte) []byte {
	var n int64
	for _, key := range args[1:] {
		if e := ks.lookup(key); e != nil {
			ks.remove(e)
			n++
		}
	}
	return resp.AppendInt(dst, n)
}

// exists counts the arguments that are keys (a key named twice counts
// twice).
func (ks *Keyspace) exists(dst []byte, args [][]byte) []byte {
	var n int64
	for _, key := range args[1:] {
		if ks.lookup(key) != nil {
			n++
		}
	}
	return resp.AppendInt(dst, n)
}

func (ks *Keyspace) incr(dst []byte, args [][]byte) []byte { return ks.incrBy(dst, args[1], 1) }
func (ks *Keyspace) decr(dst []byte, args [][]byte) []byte { return ks.incrBy(dst, args[1], -1) }

func (ks *Keyspace) incrby(dst []byte, args [][]byte) []byte {
	n, ok := parseInt(args[2])
	if !ok {
		return resp.AppendError(dst, errNotInt)
	}
	return ks.incrBy(dst, args[1], n)
}

func (ks *Keyspace) decrby(dst []byte, args [][]byte) []byte {
	n, ok := parseInt(args[2])
	if !ok {
		return resp.AppendError(dst, errNotInt)
	}
	if n == math.MinInt64 {
		return resp.AppendError(dst, "ERR decrement would overflow")
	}
	return ks.incrBy(dst, args[1], -n)
}

// incrBy adds delta to the integer value of key (0 if there is none),
// keeping its expiry.
func (ks *Keyspace) incrBy(dst []byte, key []byte, delta int64) []byte {
	e := ks.lookup(key)
	var n int64
	if e != nil {
		var ok bool
		if n, ok = parseInt(e.val); !ok {
			return resp.AppendError(dst, errNotInt)
		}
	}
	if delta > 0 && n > math.MaxInt64-delta || delta < 0 && n < math.MinInt64-delta {
		return resp.AppendError(dst, errOverflow)
	}
	n += delta
	if e == nil {
		e = ks.store(nil, key, nil)
	}
	e.val = strconv.AppendInt(e.val[:0], n, 10)
	return resp.AppendInt(dst, n)
}

func (ks *Keyspace) expire(dst []byte, args [][]byte) []byte {
	return ks.expireBy(dst, args, time.Second, "ERR invalid expire time in 'expire' command")
}

func (ks *Keyspace) pexpire(dst []byte, args [][]byte) []byte {
	return ks.expireBy(dst, args, time.Millisecond, "ERR invalid expire time in 'pexpire' command")
}

// expireBy: EXPIRE key n [NX | XX | GT | LT], n in unit. An expiry not
// after now removes the key at once. NX: only a key without an expiry;
// XX: only one with; GT: only if the new expiry is later (no expiry counts
// as the latest); LT: only if earlier.
func (ks *Keyspace) expireBy(dst []byte, args [][]byte, unit time.Duration, errInvalid string) []byte {
	n, ok := parseInt(args[2])
	if !ok {
		return resp.AppendError(dst, errNotInt)
	}
	var nx, xx, gt, lt bool
	for _, a := range args[3:] {
		switch {
		case is(a, "nx"):
			nx = true
		case is(a, "xx"):
			xx = true
		case is(a, "gt"):
			gt = true
		case is(a, "lt"):
			lt = true
		default:
			return resp.AppendError(dst, "ERR Unsupported option "+string(a))
		}
	}
	if nx && (xx || gt || lt) {
		return resp.AppendError(dst, "ERR NX and XX, GT or LT options at the same time are not compatible")
	}
	if gt && lt {
		return resp.AppendError(dst, "ERR GT and LT options at the same time are not compatible")
	}
	var d time.Duration
	if n > 0 {
		if d, ok = ks.duration(n, unit); !ok {
			return resp.AppendError(dst, errInvalid)
		}
	}
	e := ks.lookup(args[1])
	if e == nil {
		return resp.AppendInt(dst, 0)
	}
	at, cur := ks.now()+d, e.expireAt
	if nx && cur != 0 || xx && cur == 0 || gt && (cur == 0 || at <= cur) || lt && cur != 0 && at >= cur {
		return resp.AppendInt(dst, 0)
	}
	if d == 0 {
		ks.remove(e)
	} else {
		ks.expireIn(e, d)
	}
	return resp.AppendInt(dst, 1)
}

func (ks *Keyspace) ttl(dst []byte, args [][]byte) []byte {
	return ks.ttlIn(dst, args[1], time.Second)
}

func (ks *Keyspace) pttl(dst []byte, args [][]byte) []byte {
	return ks.ttlIn(dst, args[1], time.Millisecond)
}

// ttlIn replies with the time key has left, rounded to unit: -2 if there
// is no such key, -1 if it does not expire.
func (ks *Keyspace) ttlIn(dst []byte, key []byte, unit time.Duration) []byte {
	e := ks.lookup(key)
	switch {
	case e == nil:
		return resp.AppendInt(dst, -2)
	case e.expireAt == 0:
		return resp.AppendInt(dst, -1)
	}
	left := max(e.expireAt-ks.now(), 0)
	return resp.AppendInt(dst, int64((left+unit/2)/unit))
}

func (ks *Keyspace) persistCmd(dst []byte, args [][]byte) []byte {
	e := ks.lookup(args[1])
	if e == nil || e.expireAt == 0 {
		return resp.AppendInt(dst, 0)
	}
	ks.persist(e)
	return resp.AppendInt(dst, 1)
}
