package main

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/resp"
	"github.com/stretchr/testify/require"
)

// largeValues stores n values of size bytes under keys of the loop that
// does not serve c (two loops), each value of one repeated letter so that
// a reply out of order shows, and returns the keys and the replies a GET
// of each must get.
func largeValues(t *testing.T, srv *server, c *testConn, n, size int) (keys, replies []string) {
	keys = keysOn(srv, n)[1-homeLoop(t, srv)]
	for i, k := range keys {
		value := strings.Repeat(string(rune('a'+i)), size)
		require.Equal(t, "+OK\r\n", c.do(t, "SET", k, value))
		replies = append(replies, bulk(value))
	}
	return keys, replies
}

// pipelineGETs sends n GETs of keys, in turn, in one write from a
// goroutine of its own (the server may stop reading before the last
// one), and returns the write's outcome.
func pipelineGETs(c *testConn, keys []string, n int) <-chan error {
	var req strings.Builder
	for i := range n {
		req.WriteString(command("GET", keys[i%len(keys)]))
	}
	sent := make(chan error, 1)
	go func() {
		_, err := io.WriteString(c, req.String())
		sent <- err
	}()
	return sent
}

// readGETs reads the n replies of pipelineGETs, which must come whole and
// in order. (It reads them into one buffer, rather than with readReply,
// which makes strings of them: the race detector makes every copy of a
// large reply cost.)
func readGETs(t *testing.T, c *testConn, replies []string, n int) {
	t.Helper()
	var buf []byte
	for i := range n {
		want := replies[i%len(replies)]
		if cap(buf) < len(want) {
			buf = make([]byte, len(want))
		}
		buf = buf[:len(want)]
		_, err := io.ReadFull(c.r, buf)
		if err != nil || string(buf) != want {
			t.Fatalf("reply %d of %d: %.20q, error %v; want %d bytes starting %.20q", i, n, buf, err, len(want), want)
		}
	}
}

// TestLoopsForwardedLargeReplies: with two loops, pipelined GETs of keys
// of the loop that does not serve the connection, whose replies pass the
// output cap many times over, are all answered, whole and in order, to a
// client that reads as fast as it can; and the connection goes on.
func TestLoopsForwardedLargeReplies(t *testing.T) {
	for _, c := range []struct{ size, n int }{
		{1 << 20, 200},
		{100 << 10, 200},
		{10 << 10, 2000},
	} {
		t.Run(fmt.Sprintf("%d GETs of %d bytes", c.n, c.size), func(t *testing.T) {
			srv, addr := startServerOf(t, defaults(2))
			conn := dial(t, addr)
			keys, replies := largeValues(t, srv, conn, 4, c.size)
			sent := pipelineGETs(conn, keys, c.n)
			readGETs(t, conn, replies, c.n)
			require.NoError(t, <-sent)
			require.Equal(t, "+PONG\r\n", conn.do(t, "PING"))
			now, _ := srv.queued(t)
			require.Zero(t, now, "nothing is left in the queue")
		})
	}
}

// TestLoopsForwardedRepliesBounded: a client that pipelines GETs of 1 MiB
// values of the other loop and reads nothing makes the server hold at most
// what one connection may: its input and output at their caps, and its
// queue, which holds less than the high watermark when a batch of
// maxForwarded requests leaves, and their replies when it comes back. That
// is a small multiple of the output cap, however many requests the client
// sent. Then the client reads every reply, in order, and what the server
// held stays within the bound.
func TestLoopsForwardedRepliesBounded(t *testing.T) {
	srv, addr := startServerOf(t, defaults(2))
	conn := dial(t, addr)
	keys, replies := largeValues(t, srv, conn, 4, 1<<20)
	const n = 100 // four times the bound below: enough to show it holds, quick under -race on a busy machine
	sent := pipelineGETs(conn, keys, n)
	bound := resp.DefaultMaxRequest + srv.maxOutput + srv.highWater + maxForwarded*len(replies[0])
	held := func() int {
		_, queued := srv.queued(t)
		sum, _ := srv.g.Stats()
		return sum.PeakBuffered + queued
	}

	// Replies wait in the queue once the output is full.
	testkit.WaitUntil(t, "replies waiting in the queue", func() bool {
		now, _ := srv.queued(t)
		return now > 0
	})
	require.LessOrEqual(t, held(), bound, "held while the client reads nothing")
	readGETs(t, conn, replies, n)
	require.NoError(t, <-sent)
	require.LessOrEqual(t, held(), bound, "held at most, as the client read")
	_, each := srv.g.Stats()
	require.NotZero(t, each[homeLoop(t, srv)].ReadPauses, "the output reached the high watermark")
	now, _ := srv.queued(t)
	require.Zero(t, now, "nothing is left in the queue")
}

// TestLoopsForwardedBeforeFIN: a client that sends its requests and then
// FIN still gets every reply, those coming from the other loop included,
// before the connection closes.
func TestLoopsForwardedBeforeFIN(t *testing.T) {
	srv, addr := startServerOf(t, defaults(2))
	conn := dial(t, addr)
	keys, replies := largeValues(t, srv, conn, 2, 100)
	const n = 100
	var req strings.Builder
	for i := range n {
		req.WriteString(command("GET", keys[i%len(keys)]))
	}
	conn.send(t, req.String())
	require.NoError(t, conn.Conn.(*net.TCPConn).CloseWrite())
	readGETs(t, conn, replies, n)
	conn.eof(t)
}
