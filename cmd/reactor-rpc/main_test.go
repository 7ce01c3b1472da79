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
	require.NoError(t, run("127.0.0.1:0", 1000, 1<<10, false, true))
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
