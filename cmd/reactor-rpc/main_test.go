package main

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/goreactor/reactor/reactor"
	"github.com/goreactor/reactor/reactor/frame"
	"github.com/stretchr/testify/require"
)

func TestClientAndServerOnOneLoop(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, run(ctx, "127.0.0.1:0", 1000, 1<<10, false, true))
}

// TestClientSendsMoreThanTheOutputHolds: 300,000 requests make more bytes
// of frames than a connection may queue (reactor.DefaultMaxOutput), so a
// client that wrote them all in OnOpen failed with frame.ErrNoRoom. Paced
// by its window, the client sends each request once and run returns nil
// only after every reply arrived, in order, and matched its request.
func TestClientSendsMoreThanTheOutputHolds(t *testing.T) {
	const n = 300_000
	total := 0
	for i := range n {
		total += prefix + len(request(i))
	}
	require.Greater(t, total, reactor.DefaultMaxOutput, "the requests must not fit the output at once")

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, run(ctx, "127.0.0.1:0", n, 1<<10, false, true))
}

// TestClientWithNoRequests: with -n 0 the client has nothing to wait for,
// so it closes at once and run returns without waiting for its context.
func TestClientWithNoRequests(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, run(ctx, "127.0.0.1:0", 0, 1<<10, false, true))
	require.NoError(t, ctx.Err(), "run returned only when its context ended")
}

// serverOnly starts the demo's server and returns its address and the
// reasons its connections closed with.
func serverOnly(t *testing.T) (string, chan error) {
	framer, err := frame.LengthPrefixed(prefix, 1<<10)
	require.NoError(t, err)
	reasons := make(chan error, 10)
	h := &closeReasons{app: &app{framer: framer, quiet: true}, reasons: reasons}
	loop, err := reactor.New(h)
	require.NoError(t, err)
	addr, err := loop.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); loop.Run(context.Background()) }()
	t.Cleanup(func() { loop.Stop(); wg.Wait() })
	return addr.String(), reasons
}

type closeReasons struct {
	*app
	reasons chan error
}

func (h *closeReasons) OnClose(c *reactor.Conn, err error) { h.reasons <- err }

// TestOversizeFrameClosesOnlyThatConnection: a client that declares a
// 4 GiB frame is disconnected with frame.ErrTooLarge, at once (the server
// allocates nothing for it), while another client is served normally.
func TestOversizeFrameClosesOnlyThatConnection(t *testing.T) {
	addr, reasons := serverOnly(t)
	good, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer good.Close()
	bad, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer bad.Close()
	bad.SetDeadline(time.Now().Add(10 * time.Second))
	good.SetDeadline(time.Now().Add(10 * time.Second))

	_, err = bad.Write([]byte{0xff, 0xff, 0xff, 0xff, 'x'})
	require.NoError(t, err)
	_, err = io.ReadAll(bad)
	require.NoError(t, err, "the bad client sees an orderly close")
	bad.Close() // the server waits for this FIN before it reports the close
	select {
	case err := <-reasons:
		require.ErrorIs(t, err, frame.ErrTooLarge)
	case <-time.After(10 * time.Second):
		t.Fatal("the oversize frame did not close its connection")
	}

	req, err := frame.AppendLengthPrefixed(nil, prefix, []byte("abc"))
	require.NoError(t, err)
	_, err = good.Write(append(req, req...)) // two requests in one write
	require.NoError(t, err)
	for range 2 {
		var hdr [prefix]byte
		_, err = io.ReadFull(good, hdr[:])
		require.NoError(t, err)
		require.Equal(t, uint32(3), binary.BigEndian.Uint32(hdr[:]), "network byte order")
		body := make([]byte, 3)
		_, err = io.ReadFull(good, body)
		require.NoError(t, err)
		require.Equal(t, "cba", string(body))
	}
}
