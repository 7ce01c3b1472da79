package main

import (
	"github.com/goreactor/reactor/internal/kv"
	"github.com/goreactor/reactor/proto/resp"
)

// With -loops N the keys are spread over N shards, one per loop, by their
// hash, and a connection lives on the loop that accepted it. A request for
// another shard's key is forwarded to that shard's loop with Post, run
// there, and its reply posted back; the connection's replies must still
// leave in the order of its requests. So each client keeps a queue of the
// replies it waits for (slots, client.go), which also bounds what they
// hold.
//
// A request with keys on several shards (MGET, MSET, DEL, EXISTS) is split
// into one part per key, each run on its key's shard; its slot combines the
// parts' replies once all have come. FLUSHALL and DBSIZE run on every
// shard. Such a request is not atomic, as it is with one loop: another
// client may see some of its keys written and not others.
//
// The requests a round forwards to one shard travel together: one Post
// there, one Post back, whatever their number.

// slot is one awaited reply, or, once complete, replies in the queue
// behind an awaited one.
type slot struct {
	buf   []byte  // the reply, complete once wait is 0; local replies that follow it are appended
	wait  int     // parts still to come from other shards
	how   combine // how the parts make the reply
	parts [][]byte
	sum   int64
	err   []byte // the first error reply of a part, which is then the reply
	size  int    // the bytes of replies it holds, until local replies are appended to it
}

// combine says how the replies of a request's parts make its reply.
type combine uint8

const (
	combineOne   combine = iota // one part, whose reply is the reply
	combineSum                  // integers, added up (DEL, EXISTS, DBSIZE)
	combineArray                // one element per part, in order (MGET)
	combineOK                   // +OK once every part said it (MSET, FLUSHALL)
)

// batch is the requests one round forwards to one shard: their arguments,
// copied (the input they came from is consumed), and, once the owner has
// run them, their replies.
type batch struct {
	home  *shard
	ops   []op
	data  []byte // the arguments of every op, one after the other
	ends  []int  // where each argument ends in data
	reply []byte // the replies of every op, one after the other
	rends []int  // where each reply ends in reply
}

// op is one forwarded request, or part of one.
type op struct {
	cl    *client
	sl    *slot
	part  int
	cmd   *kv.Command
	nargs int
}

// errStopping answers a request whose shard's loop has stopped.
var errStopping = []byte("-ERR server is shutting down\r\n")

// route runs a request on the shards that own its keys, unless that is
// this shard alone: then it reports false, and the caller runs it here.
func (s *shard) route(cl *client, cmd *kv.Command, args [][]byte) bool {
	srv := s.srv
	switch cmd.Keys() {
	case kv.FirstKey:
		return s.runOn(cl, srv.shardOf(args[1]), cmd, args)
	case kv.EveryKey, kv.KeyValuePairs:
		step := 1
		if cmd.Keys() == kv.KeyValuePairs {
			if len(args)%2 == 0 {
				return false // a key without its value: the arity error, from here
			}
			step = 2
		}
		first := srv.shardOf(args[1])
		for i := 1 + step; i < len(args); i += step {
			if srv.shardOf(args[i]) != first {
				s.scatter(cl, cmd, args, step)
				return true
			}
		}
		return s.runOn(cl, first, cmd, args)
	case kv.EveryKeyspace:
		how := combineOK
		if cmd.Name() == "dbsize" {
			how = combineSum
		}
		sl := cl.push(&slot{wait: len(srv.shards), how: how})
		for to := range srv.shards {
			s.runPart(cl, sl, to, to, cmd, args)
		}
		return true
	}
	return false
}

// runOn forwards a request to shard to, unless that is this one.
func (s *shard) runOn(cl *client, to int, cmd *kv.Command, args [][]byte) bool {
	if to == s.id {
		return false
	}
	s.forward(to, cl, cl.push(&slot{wait: 1}), 0, cmd, args)
	return true
}

// scatter splits a request whose keys are on several shards into one part
// per key (MSET: per key and value), each run on its key's shard.
func (s *shard) scatter(cl *client, cmd *kv.Command, args [][]byte, step int) {
	n := (len(args) - 1) / step
	sl := &slot{wait: n, how: combineSum}
	name, partCmd := args[0], cmd
	switch cmd.Name() {
	case "mget":
		sl.how, sl.parts = combineArray, make([][]byte, n)
		name, partCmd = []byte("get"), kv.Lookup([]byte("get"))
	case "mset":
		sl.how = combineOK
	}
	cl.push(sl)
	for i := range n {
		key := 1 + i*step
		s.part = append(append(s.part[:0], name), args[key:key+step]...)
		s.runPart(cl, sl, i, s.srv.shardOf(args[key]), partCmd, s.part)
	}
}

// runPart runs part i of the request of slot sl on shard to: here at once,
// or forwarded.
func (s *shard) runPart(cl *client, sl *slot, i, to int, cmd *kv.Command, args [][]byte) {
	if to != s.id {
		s.forward(to, cl, sl, i, cmd, args)
		return
	}
	r := s.ks.Exec(nil, cmd, args)
	cl.hold(sl.complete(i, r[:len(r):len(r)]))
}

// forward adds a request to the round's batch for shard to.
func (s *shard) forward(to int, cl *client, sl *slot, part int, cmd *kv.Command, args [][]byte) {
	b := s.outbox[to]
	if b == nil {
		b = &batch{home: s}
		s.outbox[to] = b
	}
	b.ops = append(b.ops, op{cl: cl, sl: sl, part: part, cmd: cmd, nargs: len(args)})
	cl.forwarded++
	for _, a := range args {
		b.data = append(b.data, a...)
		b.ends = append(b.ends, len(b.data))
	}
}

// post sends the round's batches to their shards. If a shard's loop has
// stopped, its requests are answered with an error.
func (s *shard) post() {
	for to, b := range s.outbox {
		if b == nil {
			continue
		}
		s.outbox[to] = nil
		owner := s.srv.shards[to]
		if err := owner.loop.Post(func() { owner.run(b) }); err != nil {
			for _, o := range b.ops {
				o.cl.hold(o.sl.complete(o.part, errStopping[:len(errStopping):len(errStopping)]))
				o.cl.forwarded--
				o.cl.drain()
			}
		}
	}
}

// run runs a batch from another shard, on this shard's loop, and posts the
// replies back.
func (s *shard) run(b *batch) {
	at, k := 0, 0
	for _, o := range b.ops {
		argv := s.argv[:0]
		for range o.nargs {
			end := b.ends[k]
			argv = append(argv, b.data[at:end:end])
			at, k = end, k+1
		}
		b.reply = s.ks.Exec(b.reply, o.cmd, argv)
		b.rends = append(b.rends, len(b.reply))
		clear(argv) // keep no reference to the batch
		s.argv = argv[:0]
	}
	home := b.home
	_ = home.loop.Post(func() { home.finish(b) }) // an error: that loop stopped, its clients are gone
}

// finish takes a batch's replies back to their slots, on the loop of the
// connection that sent them, and goes on with it (resume).
func (s *shard) finish(b *batch) {
	at := 0
	for i, o := range b.ops {
		end := b.rends[i]
		o.cl.hold(o.sl.complete(o.part, b.reply[at:end:end])) // capped: appending to it copies
		o.cl.forwarded--
		at = end
	}
	var last *client
	for _, o := range b.ops {
		if o.cl != last {
			s.resume(o.cl)
			last = o.cl
		}
	}
}

// complete records the reply of part i; with the last part, the slot's
// reply is made. It returns how many bytes that adds to what the slot
// holds (fewer, for a reply made of its parts, if some were errors).
func (sl *slot) complete(i int, reply []byte) int {
	before := sl.size
	switch {
	case sl.how == combineOne:
		sl.buf, sl.size = reply, len(reply)
	case reply[0] == '-':
		if sl.err == nil {
			sl.err, sl.size = reply, sl.size+len(reply)
		}
	case sl.how == combineSum:
		sl.sum += integer(reply)
	case sl.how == combineArray:
		sl.parts[i], sl.size = reply, sl.size+len(reply)
	}
	if sl.wait--; sl.wait > 0 || sl.how == combineOne {
		return sl.size - before
	}
	switch {
	case sl.err != nil:
		sl.buf = sl.err
	case sl.how == combineSum:
		sl.buf = resp.AppendInt(nil, sl.sum)
	case sl.how == combineOK:
		sl.buf = resp.AppendSimple(nil, "OK")
	case sl.how == combineArray:
		sl.buf = resp.AppendArray(nil, len(sl.parts))
		for _, p := range sl.parts {
			sl.buf = append(sl.buf, p...)
		}
	}
	sl.parts, sl.size = nil, len(sl.buf)
	return sl.size - before
}

// integer reads an integer reply, ":<n>\r\n", as the keyspace writes it.
func integer(reply []byte) int64 {
	var n int64
	neg := reply[1] == '-'
	for _, c := range reply[1:] {
		if '0' <= c && c <= '9' {
			n = n*10 + int64(c-'0')
		}
	}
	if neg {
		return -n
	}
	return n
}
