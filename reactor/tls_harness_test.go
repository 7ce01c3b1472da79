package reactor

import (
	"crypto/tls"
	"errors"
	"net"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

// serveTLS starts a loop serving TLS with cfg on 127.0.0.1:0, as serve does
// for plain TCP.
func serveTLS(t *testing.T, h Handler, cfg *tls.Config, opts ...Option) (*Loop, string) {
	t.Helper()
	testkit.CheckLeaks(t)
	l, err := New(h, opts...)
	require.NoError(t, err)
	addr, err := l.ListenTLS("tcp", "127.0.0.1:0", cfg)
	require.NoError(t, err)
	run(t, l)
	return l, addr.String()
}

// dialTLS connects to addr with crypto/tls, completing the handshake, with
// a deadline on every operation.
func dialTLS(t testing.TB, addr string, cfg *tls.Config) *tls.Conn {
	t.Helper()
	raw := dial(t, "tcp", addr)
	c := tls.Client(raw, cfg)
	require.NoError(t, c.Handshake())
	return c
}

var tlsVersions = []uint16{tls.VersionTLS12, tls.VersionTLS13}

// tlsClientVersion returns clientTLS pinned to version v.
func tlsClientVersion(t testing.TB, v uint16) *tls.Config {
	cfg := testkit.ClientTLS(t)
	cfg.MinVersion, cfg.MaxVersion = v, v
	return cfg
}

// isTimeout tells whether err is a deadline that expired: a hang, for a
// test that expects an answer.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
