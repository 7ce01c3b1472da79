package main

import (
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// pipeline returns n rounds of SET, GET and INCR as one stream of
// requests, and the replies they must get, in order.
func pipeline(n int) (string, []string) {
	var req strings.Builder
	var want []string
	for i := range n {
		k, v := "key:"+strconv.Itoa(i), "value "+strconv.Itoa(i)
		req.WriteString(command("SET", k, v) + command("GET", k) + command("INCR", "counter"))
		want = append(want, "+OK\r\n", bulk(v), ":"+strconv.Itoa(i+1)+"\r\n")
	}
	return req.String(), want
}

// TestPipelineInOrder: requests sent together are answered in order, and
// their replies leave together: at most one write per read.
func TestPipelineInOrder(t *testing.T) {
	srv, addr := startServerOf(t, defaults(1))
	c := dial(t, addr)
	require.Equal(t, "+PONG\r\n", c.do(t, "PING"))
	before := srv.shards[0].loop.Stats()
	req, want := pipeline(1000)
	c.send(t, req)
	for i, w := range want {
		require.Equal(t, w, c.reply(t), "reply %d", i)
	}
	after := srv.shards[0].loop.Stats()
	reads, writes := after.Reads-before.Reads, after.Writes-before.Writes
	require.LessOrEqual(t, writes, reads, "the replies of one read leave in one write")
	require.Less(t, writes, uint64(len(want)/10), "replies are not written one by one")
}

// TestPipelineCutAnywhere: a pipeline sent in pieces of 1 to 13 bytes,
// cutting requests anywhere, is answered as if sent whole.
func TestPipelineCutAnywhere(t *testing.T) {
	c := dial(t, startServer(t, defaults(1)))
	req, want := pipeline(100)
	for i, step := 0, 1; i < len(req); i, step = i+step, step%13+1 {
		c.send(t, req[i:min(i+step, len(req))])
	}
	for i, w := range want {
		require.Equal(t, w, c.reply(t), "reply %d", i)
	}
}

// TestPipelineBackpressure: pipelined GETs whose replies (16 MiB) far
// exceed what a connection queues before the loop stops reading from it.
// The server stops taking requests at the watermark and takes them up
// again as the client reads, though the client sends nothing more.
func TestPipelineBackpressure(t *testing.T) {
	c := dial(t, startServer(t, defaults(1)))
	value := strings.Repeat("x", 16<<10)
	require.Equal(t, "+OK\r\n", c.do(t, "SET", "v", value))
	const n = 1024
	sent := make(chan error, 1)
	go func() {
		_, err := io.WriteString(c, strings.Repeat(command("GET", "v"), n)+command("PING"))
		sent <- err
	}()
	want := bulk(value)
	for i := range n {
		got := c.reply(t)
		if got != want {
			require.Equal(t, want, got, "reply %d", i) // only the failure pays for the comparison's text
		}
	}
	require.Equal(t, "+PONG\r\n", c.reply(t))
	require.NoError(t, <-sent)
}
