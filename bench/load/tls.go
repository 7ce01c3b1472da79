package load

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"fmt"
	"net"
	"strings"
)

// TLSClientConfig returns the client configuration of the TLS runs: TLS
// version (tls.VersionTLS13 or tls.VersionTLS12) only, key exchange group
// only, no certificate verification and no resumption.
//
// The servers under test present a certificate they made for themselves at
// start, which nothing could verify; and verifying costs the client, not
// the server. A single group, rather than the client's default list, makes
// every server do the same key exchange whatever its own preferences, so
// that handshake costs compare; for the same reason TLS 1.2 offers
// AES-128-GCM alone. (TLS 1.3's cipher suites cannot be chosen in
// crypto/tls: a server picks among all three, and TLSInfo tells which.)
// Session tickets are off so that every connection is a full handshake and
// no run depends on what an earlier one left behind.
func TLSClientConfig(version uint16, group tls.CurveID) *tls.Config {
	cfg := &tls.Config{
		InsecureSkipVerify:     true,
		MinVersion:             version,
		MaxVersion:             version,
		CurvePreferences:       []tls.CurveID{group},
		SessionTicketsDisabled: true,
	}
	if version < tls.VersionTLS13 {
		cfg.CipherSuites = []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		}
	}
	return cfg
}

// TLSInfo describes what a handshake negotiated, in one line for the
// results: version, cipher suite, key exchange group and the server's key,
// such as "TLS 1.3 TLS_AES_128_GCM_SHA256 X25519 ECDSA-P-256".
func TLSInfo(cs tls.ConnectionState) string {
	f := []string{tls.VersionName(cs.Version), tls.CipherSuiteName(cs.CipherSuite)}
	if cs.CurveID != 0 {
		f = append(f, cs.CurveID.String())
	}
	if len(cs.PeerCertificates) > 0 {
		switch k := cs.PeerCertificates[0].PublicKey.(type) {
		case *ecdsa.PublicKey:
			f = append(f, "ECDSA-"+k.Curve.Params().Name)
		case *rsa.PublicKey:
			f = append(f, fmt.Sprintf("RSA-%d", k.N.BitLen()))
		case ed25519.PublicKey:
			f = append(f, "Ed25519")
		}
	}
	return strings.Join(f, " ")
}

// dialConn opens one connection of a goroutine run: the connect and, with
// c.TLS, the whole handshake, within c.DialTimeout.
func dialConn(ctx context.Context, c Config) (net.Conn, error) {
	d := &net.Dialer{Timeout: c.DialTimeout}
	if c.TLS == nil {
		return d.DialContext(ctx, c.Network, c.Addr)
	}
	td := &tls.Dialer{NetDialer: d, Config: c.TLS}
	return td.DialContext(ctx, c.Network, c.Addr)
}
