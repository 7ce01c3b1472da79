package reactor

import (
	"context"
	"crypto/tls"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

// TestSetupErrors: what a loop cannot set up is an error a caller can test
// with errors.Is, and nothing is left open.
func TestSetupErrors(t *testing.T) {
	testkit.CheckLeaks(t)
	l, err := New(newRecorder(t))
	require.NoError(t, err)
	defer func() {
		l.Stop()
		require.NoError(t, l.Run(context.Background()))
	}()
	_, err = l.ListenTLS("tcp", "127.0.0.1:0", &tls.Config{})
	require.ErrorIs(t, err, ErrTLSConfig)
	_, err = l.ListenTLS("tcp", "127.0.0.1:0", nil)
	require.ErrorIs(t, err, ErrTLSConfig)
	_, err = l.ListenPacket("udp", "127.0.0.1:0")
	require.ErrorIs(t, err, ErrNotPacketHandler)
	for _, addr := range []string{"127.0.0.1:0", "[::ffff:127.0.0.1]:0"} {
		_, err = l.Listen("tcp6", addr)
		require.ErrorIs(t, err, ErrAddress, "an IPv4 address for tcp6: %s", addr)
	}
	_, err = l.Listen("tcp", "127.0.0.1")
	require.ErrorIs(t, err, ErrAddress, "no port")
	_, err = l.Listen("unix", "")
	require.ErrorIs(t, err, ErrAddress)
	_, err = l.Listen("sctp", "127.0.0.1:0")
	require.ErrorIs(t, err, ErrNetwork)
}

// TestCloseUnrun: Close releases a loop (and a group) that was set up and
// never run: listeners and packet sockets closed, posted functions run,
// nothing left open; a later Run says the loop has stopped.
func TestCloseUnrun(t *testing.T) {
	testkit.CheckLeaks(t)
	l, err := New(newPacketEcho(t))
	require.NoError(t, err)
	_, err = l.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	_, err = l.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	ran := make(chan bool, 1)
	require.NoError(t, l.Post(func() { ran <- true }))
	require.NoError(t, l.Close())
	require.True(t, <-ran)
	require.NoError(t, l.Close(), "a second Close")
	require.ErrorIs(t, l.Run(context.Background()), ErrStopped)

	g, _ := newTestGroup(t, 2)
	_, err = g.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	require.NoError(t, g.Close())
	require.ErrorIs(t, g.Run(context.Background()), ErrStopped)
}

// TestCloseRunning: Close refuses a loop that runs, and changes nothing.
func TestCloseRunning(t *testing.T) {
	l, addr := serve(t, newRecorder(t))
	c := dial(t, "tcp", addr)
	require.Equal(t, []byte("running"), roundTrip(t, c, []byte("running")))
	require.ErrorIs(t, l.Close(), ErrRunning)
	require.Equal(t, []byte("still serving"), roundTrip(t, c, []byte("still serving")))
}
