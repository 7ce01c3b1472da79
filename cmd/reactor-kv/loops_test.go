package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// keysOn returns n keys owned by each of srv's shards.
func keysOn(srv *server, n int) [][]string {
	keys := make([][]string, len(srv.shards))
	for i := 0; ; i++ {
		k := "k" + strconv.Itoa(i)
		if s := srv.shardOf([]byte(k)); len(keys[s]) < n {
			keys[s] = append(keys[s], k)
		}
		done := true
		for _, ks := range keys {
			done = done && len(ks) == n
		}
		if done {
			return keys
		}
	}
}

// requests builds a pipeline and the replies it must get.
type requests struct {
	req  strings.Builder
	want []string
}

func (r *requests) add(reply string, args ...string) {
	r.req.WriteString(command(args...))
	r.want = append(r.want, reply)
}

// check sends the pipeline on c in one write and requires its replies.
func (r *requests) check(t *testing.T, c *testConn) {
	t.Helper()
	c.send(t, r.req.String())
	for i, w := range r.want {
		require.Equal(t, w, c.reply(t), "reply %d", i)
	}
}

// TestLoopsForwardInOrder: with two loops each connection has keys on
// both shards, so about half of its requests are forwarded to the other
// loop; its replies still come in the order of its requests, those of
// requests split over both shards included. Several connections, so that
// both loops accept some.
func TestLoopsForwardInOrder(t *testing.T) {
	srv, addr := startServerOf(t, defaults(2))
	keys := keysOn(srv, 50)
	for range 4 {
		c := dial(t, addr)
		var r requests
		for i := range 50 {
			a, b := keys[0][i], keys[1][i]
			r.add("+OK\r\n", "SET", a, "1")
			r.add("+OK\r\n", "SET", b, "2")
			r.add("-ERR unknown command 'NOSUCH', with args beginning with:\r\n", "NOSUCH")
			r.add(":2\r\n", "INCR", a)
			r.add(":3\r\n", "INCR", b)
			r.add("+PONG\r\n", "PING")
			r.add("*3\r\n"+bulk("2")+"$-1\r\n"+bulk("3"), "MGET", a, "nokey", b)
			r.add(":3\r\n", "EXISTS", a, b, b, "nokey")
			r.add("+OK\r\n", "MSET", a, "x", b, "y")
			r.add("-ERR value is not an integer or out of range\r\n", "INCR", b)
			r.add(bulk("x"), "GET", a)
			r.add(":2\r\n", "DEL", a, b, "nokey")
			r.add("$-1\r\n", "GET", b)
		}
		r.check(t, c)
	}
	var posts uint64
	for _, s := range srv.shards {
		posts += s.loop.Stats().Posts
	}
	require.NotZero(t, posts, "requests were forwarded")
}

// TestLoopsEveryShard: DBSIZE adds up the shards, FLUSHALL empties them
// all.
func TestLoopsEveryShard(t *testing.T) {
	srv, addr := startServerOf(t, defaults(2))
	keys := keysOn(srv, 3)
	var r requests
	args := []string{"MSET"}
	for _, k := range append(keys[0], keys[1]...) {
		args = append(args, k, "v")
	}
	r.add("+OK\r\n", args...)
	r.add(":6\r\n", "DBSIZE")
	r.add("+OK\r\n", "FLUSHALL")
	r.add(":0\r\n", "DBSIZE")
	r.add("-ERR syntax error\r\n", "FLUSHALL", "LATER")
	r.check(t, dial(t, addr))
}

// TestLoopsCloseAfterForwarded: QUIT, or a protocol error, after
// forwarded requests closes the connection only once their replies are
// written.
func TestLoopsCloseAfterForwarded(t *testing.T) {
	srv, addr := startServerOf(t, defaults(2))
	keys := keysOn(srv, 4)
	for _, last := range []struct{ in, reply string }{
		{"QUIT\r\n", "+OK\r\n"},
		{"*1\r\n$x\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
	} {
		c := dial(t, addr)
		var req strings.Builder
		for _, ks := range keys {
			for _, k := range ks {
				req.WriteString(command("SET", k, "v") + command("GET", k))
			}
		}
		c.send(t, req.String()+last.in+command("PING"))
		for range keys[0] {
			for range keys {
				require.Equal(t, "+OK\r\n", c.reply(t))
				require.Equal(t, bulk("v"), c.reply(t))
			}
		}
		require.Equal(t, last.reply, c.reply(t))
		c.eof(t)
	}
}
