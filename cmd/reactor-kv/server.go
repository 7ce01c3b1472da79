package main

import (
	"time"

	"github.com/goreactor/reactor/internal/kv"
	"github.com/goreactor/reactor/proto/resp"
	"github.com/goreactor/reactor/reactor"
)

// server is what the loops share, fixed once they run: the shards, one per
// loop, the output watermark at which a connection's requests wait, and
// the most output a connection may queue.
type server struct {
	g         *reactor.Group
	shards    []*shard
	highWater int
	maxOutput int
}

// shard is one loop's part of the server, and the loop's Handler: the
// keyspace of the keys that hash to it, and the connections that the
// kernel gave its listener. Everything in it belongs to the loop's
// goroutine.
type shard struct {
	id     int
	srv    *server
	loop   *reactor.Loop
	ks     *kv.Keyspace
	parser *resp.Parser
	out    []byte   // replies of the connection being served, written once per round
	outbox []*batch // per shard: the requests this round forwards there (nil: none)
	argv   [][]byte // the arguments of a forwarded request being run here
	part   [][]byte // the arguments of one part of a request split over shards

	// The bytes of replies waiting in the queues of the shard's clients
	// (client.go), now and at their most: what the loop's Stats do not
	// count.
	queued, peakQueued int
}

// maxKeptOut is the largest reply buffer a shard keeps between rounds.
const maxKeptOut = 256 << 10

// loopScheduler arms the keyspace's expiry timers on the loop.
type loopScheduler struct{ l *reactor.Loop }

func (s loopScheduler) AfterFunc(d time.Duration, f func()) kv.Timer { return s.l.AfterFunc(d, f) }

func (s *shard) OnOpen(c *reactor.Conn) { c.SetContext(&client{c: c, home: s}) }

func (s *shard) OnData(c *reactor.Conn) { s.serve(c) }

// OnWritable writes the replies that waited in the queue for the output to
// drain, and resumes the requests that waited for it.
func (s *shard) OnWritable(c *reactor.Conn) {
	cl := c.Context().(*client)
	cl.drain()
	if c.Buffered() > 0 || cl.blocked {
		s.serve(c)
	}
}

// OnPeerClose: the client sent FIN after its requests. Those whole in the
// input have been answered or forwarded (while any wait in the input,
// reading is paused, so the FIN is read after them); as after QUIT, the
// connection closes once their replies are written.
func (s *shard) OnPeerClose(c *reactor.Conn) {
	cl := c.Context().(*client)
	cl.quit(nil)
	cl.closeIfDone()
}

// OnClose drops the replies in the client's queue; those still on their
// way from other shards find the client closed and are dropped too.
func (s *shard) OnClose(c *reactor.Conn, _ error) {
	cl := c.Context().(*client)
	cl.closed = true
	cl.drain()
}

// hold adds n bytes (fewer if n < 0) to those waiting in the clients'
// queues.
func (s *shard) hold(n int) {
	s.queued += n
	s.peakQueued = max(s.peakQueued, s.queued)
}

// serve answers the whole requests in c's input, in rounds: a round ends
// at the end of the input, or when the replies, queued in the output and
// in the client's queue, reach the high watermark, or when too many are
// awaited from other shards (client.go). Each round's replies leave with
// one Write; the loop sends them at the end of its pass, with those of
// every earlier round, in one system call. A partial request stays in the
// input for the next OnData.
//
// Requests that wait for the output to drain are taken up by OnWritable
// (the loop reads nothing meanwhile), or by the next round if the Write
// sent enough at once (see reactor.Conn.Write). Requests that wait for the
// client's queue are taken up when replies come back (resume) or leave
// (OnWritable); serve pauses reading meanwhile.
func (s *shard) serve(c *reactor.Conn) {
	cl := c.Context().(*client)
	for !cl.quitting {
		p, _ := c.Peek(0)
		used, paused := s.round(cl, p)
		c.Discard(used)
		s.flush(cl)
		switch {
		case !paused:
			cl.unblock()
			return
		case c.Pending() >= s.srv.highWater:
			return // the loop has paused reading, until OnWritable
		case cl.backlogged():
			cl.block()
			return
		}
	}
	c.Discard(c.Buffered()) // after QUIT or a protocol error nothing more is read
}

// resume goes on with a client some of whose replies came back: those now
// at the head of its queue are written, and the requests that waited for
// the queue are taken up if it has room.
func (s *shard) resume(cl *client) {
	cl.drain()
	if cl.blocked && !cl.closed && !cl.backlogged() {
		s.serve(cl.c)
	}
}

// round answers the requests in p until the replies reach the high
// watermark or too many are awaited (paused), or p has no whole request
// left, and returns how many bytes it used. A protocol error is answered,
// and ends the connection.
func (s *shard) round(cl *client, p []byte) (used int, paused bool) {
	for used < len(p) {
		if cl.c.Pending()+len(s.out)+cl.backlog() >= s.srv.highWater || cl.forwarded >= maxForwarded {
			return used, true
		}
		args, n, err := s.parser.Parse(p[used:])
		if err != nil {
			r := s.replyTo(cl)
			*r = resp.AppendProtocolError(*r, err)
			cl.quit(err)
			return len(p), false
		}
		if n == 0 {
			break // the rest of the request has not arrived
		}
		used += n
		if len(args) > 0 {
			s.dispatch(cl, args)
		}
		if cl.quitting {
			return len(p), false
		}
	}
	return used, false
}

// dispatch answers one request: here if its keys are this shard's or it
// has none, else on the shards that own them (forward.go).
func (s *shard) dispatch(cl *client, args [][]byte) {
	cmd := kv.Lookup(args[0])
	switch {
	case cmd == nil:
		r := s.replyTo(cl)
		*r = kv.AppendUnknown(*r, args)
		return
	case !cmd.Accepts(len(args)):
		r := s.replyTo(cl)
		*r = kv.AppendArityError(*r, cmd)
		return
	case cmd.Quit():
		cl.quit(nil)
	}
	if len(s.srv.shards) > 1 && s.route(cl, cmd, args) {
		return
	}
	r := s.replyTo(cl)
	*r = s.ks.Exec(*r, cmd, args)
}

// replyTo returns where the next local reply of cl goes: the round's
// output if no earlier reply is still awaited from another shard, else the
// client's queue, behind it.
func (s *shard) replyTo(cl *client) *[]byte {
	if cl.waiting() {
		return &cl.tail().buf
	}
	return &s.out
}

// flush ends a round: its replies are written, its forwarded requests
// posted, and a connection that quit is closed once its replies are all
// written.
func (s *shard) flush(cl *client) {
	if len(s.out) > 0 {
		cl.write(s.out)
	}
	s.out = s.out[:0]
	if cap(s.out) > maxKeptOut {
		s.out = nil
	}
	s.post()
	cl.closeIfDone()
}

// shardOf returns the shard that owns key: its 64-bit FNV-1a hash modulo
// the number of shards (written out: hash/fnv's would allocate).
func (srv *server) shardOf(key []byte) int {
	h := uint64(14695981039346656037)
	for _, c := range key {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return int(h % uint64(len(srv.shards)))
}
