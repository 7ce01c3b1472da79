package reactor

import (
	"context"
	"crypto/tls"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSetupErrors: what a loop cannot set up is an error a caller can test
// with errors.Is, and nothing is left open.
func TestSetupErrors(t *testing.T) {
	checkLeaks(t)
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
	_, err = l.Listen("tcp6", "127.0.0.1:0")
	require.Error(t, err, "an IPv4 address for tcp6")
	_, err = l.Listen("unix", "")
	require.ErrorIs(t, err, ErrAddress)
	_, err = l.Listen("sctp", "127.0.0.1:0")
	require.ErrorIs(t, err, ErrNetwork)
}
