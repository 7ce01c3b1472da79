package certs

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAuthorityChain: a server certificate verifies against the
// authority's pool for every loopback name, and a client certificate
// verifies as a client's.
func TestAuthorityChain(t *testing.T) {
	ca, err := NewAuthority("test CA")
	require.NoError(t, err)
	server, err := ca.Issue("server", x509.ExtKeyUsageServerAuth)
	require.NoError(t, err)
	for _, name := range []string{"127.0.0.1", "::1", "localhost"} {
		_, err := server.Leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: ca.Pool})
		require.NoError(t, err, name)
	}
	_, err = server.Leaf.Verify(x509.VerifyOptions{DNSName: "example.com", Roots: ca.Pool})
	require.Error(t, err)
	client, err := ca.Issue("client", x509.ExtKeyUsageClientAuth)
	require.NoError(t, err)
	_, err = client.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	require.NoError(t, err)
}

// TestSelfSignedHandshake: a self-signed certificate serves a handshake
// to a client that trusts it, and its PEM form loads back.
func TestSelfSignedHandshake(t *testing.T) {
	cert, err := SelfSigned("test server")
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert.Leaf)
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	done := make(chan error, 1)
	go func() { done <- tls.Server(a, &tls.Config{Certificates: []tls.Certificate{cert}}).Handshake() }()
	require.NoError(t, tls.Client(b, &tls.Config{RootCAs: pool, ServerName: "localhost"}).Handshake())
	require.NoError(t, <-done)

	certPEM, keyPEM, err := PEM(cert)
	require.NoError(t, err)
	back, err := tls.X509KeyPair(certPEM, keyPEM)
	require.NoError(t, err)
	require.Equal(t, cert.Certificate[0], back.Certificate[0])
}
