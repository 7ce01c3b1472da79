package testkit

import (
	"crypto/tls"
	"crypto/x509"
	"sync"
	"testing"

	"github.com/goreactor/reactor/internal/certs"
)

// PKI is a certificate authority with a server certificate and a client
// certificate it issued, for 127.0.0.1, ::1 and localhost.
type PKI struct {
	CA     *certs.Authority // issued the two below; its Pool is what clients trust
	Server tls.Certificate  // for 127.0.0.1, ::1 and localhost
	Client tls.Certificate  // for client authentication
}

var (
	pkiOnce sync.Once
	pki     PKI
	pkiErr  error
)

// Certs returns the test binary's PKI, made on first use.
func Certs(t testing.TB) *PKI {
	t.Helper()
	pkiOnce.Do(func() {
		var p PKI
		if p.CA, pkiErr = certs.NewAuthority("goreactor test CA"); pkiErr != nil {
			return
		}
		if p.Server, pkiErr = p.CA.Issue("goreactor test server", x509.ExtKeyUsageServerAuth); pkiErr != nil {
			return
		}
		p.Client, pkiErr = p.CA.Issue("goreactor test client", x509.ExtKeyUsageClientAuth)
		pki = p
	})
	if pkiErr != nil {
		t.Fatalf("making the test certificates: %v", pkiErr)
	}
	return &pki
}

// ServerTLS returns a server config with the test server certificate.
func ServerTLS(t testing.TB) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{Certs(t).Server}}
}

// ClientTLS returns a client config that trusts the test CA, for a server
// at 127.0.0.1.
func ClientTLS(t testing.TB) *tls.Config {
	return &tls.Config{RootCAs: Certs(t).CA.Pool, ServerName: "127.0.0.1"}
}
