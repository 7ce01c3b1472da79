package reactor

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testPKI is a certificate authority with a server certificate for
// 127.0.0.1 and localhost and a client certificate, made once per test
// binary.
type testPKI struct {
	pool   *x509.CertPool
	server tls.Certificate
	client tls.Certificate
}

var (
	pkiOnce sync.Once
	pki     testPKI
)

func testCerts(t testing.TB) testPKI {
	t.Helper()
	pkiOnce.Do(func() {
		caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		ca := &x509.Certificate{
			SerialNumber:          big.NewInt(1),
			Subject:               pkix.Name{CommonName: "reactor test CA"},
			NotBefore:             time.Now().Add(-time.Hour),
			NotAfter:              time.Now().Add(24 * time.Hour),
			IsCA:                  true,
			BasicConstraintsValid: true,
			KeyUsage:              x509.KeyUsageCertSign,
		}
		caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
		require.NoError(t, err)
		caCert, err := x509.ParseCertificate(caDER)
		require.NoError(t, err)
		pki.pool = x509.NewCertPool()
		pki.pool.AddCert(caCert)
		leaf := func(serial int64, name string, usage x509.ExtKeyUsage) tls.Certificate {
			key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			require.NoError(t, err)
			tmpl := &x509.Certificate{
				SerialNumber: big.NewInt(serial),
				Subject:      pkix.Name{CommonName: name},
				NotBefore:    time.Now().Add(-time.Hour),
				NotAfter:     time.Now().Add(24 * time.Hour),
				KeyUsage:     x509.KeyUsageDigitalSignature,
				ExtKeyUsage:  []x509.ExtKeyUsage{usage},
				DNSNames:     []string{"localhost"},
				IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
			}
			der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
			require.NoError(t, err)
			return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
		}
		pki.server = leaf(2, "reactor test server", x509.ExtKeyUsageServerAuth)
		pki.client = leaf(3, "reactor test client", x509.ExtKeyUsageClientAuth)
	})
	return pki
}

// serverTLS returns a server config with the test server certificate.
func serverTLS(t testing.TB) *tls.Config {
	p := testCerts(t)
	return &tls.Config{Certificates: []tls.Certificate{p.server}}
}

// clientTLS returns a client config that trusts the test CA.
func clientTLS(t testing.TB) *tls.Config {
	p := testCerts(t)
	return &tls.Config{RootCAs: p.pool, ServerName: "127.0.0.1"}
}

// serveTLS starts a loop serving TLS with cfg on 127.0.0.1:0, as serve does
// for plain TCP.
func serveTLS(t *testing.T, h Handler, cfg *tls.Config, opts ...Option) (*Loop, string) {
	t.Helper()
	checkLeaks(t)
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
