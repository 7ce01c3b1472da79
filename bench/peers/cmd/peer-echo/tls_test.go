package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goreactor/reactor/bench/peers/internal/keypair"
)

// tlsDial returns a dial function for TLS version that accepts only the
// certificate of kp, and checks what the handshake negotiated.
func tlsDial(t *testing.T, kp *keypair.KeyPair, version uint16) func(string) (net.Conn, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(kp.Cert) {
		t.Fatal("the certificate does not parse")
	}
	cfg := &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: version, MaxVersion: version}
	return func(addr string) (net.Conn, error) {
		d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: 5 * time.Second}, Config: cfg}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			return nil, err
		}
		if v := c.(*tls.Conn).ConnectionState().Version; v != version {
			c.Close()
			return nil, fmt.Errorf("negotiated %s, want %s", tls.VersionName(v), tls.VersionName(version))
		}
		return c, nil
	}
}

// TestEchoTLS: each server with -tls echoes a megabyte over TLS 1.3 on two
// connections and over TLS 1.2 on a third, with its self-signed
// certificate, which the client verifies.
func TestEchoTLS(t *testing.T) {
	kp, err := keypair.SelfSigned("peer-echo")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"net", "reactor", "nbio"} {
		t.Run(name, func(t *testing.T) {
			serve := func(ctx context.Context, addr string, ready func(net.Addr)) error {
				return tlsServers[name](ctx, addr, kp, ready)
			}
			checkEcho(t, serve, tlsDial(t, kp, tls.VersionTLS13), tlsDial(t, kp, tls.VersionTLS12))
		})
	}
}

// TestRunTLSRefusals: the flags that cannot work fail before any listen.
func TestRunTLSRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, cert, key string
		tls             bool
		want            string
	}{
		{"gnet", "", "", true, "has no TLS"},
		{"evio", "", "", true, "has no TLS"},
		{"net", "c.pem", "k.pem", false, "need -tls"},
		{"net", "c.pem", "", true, "go together"},
	} {
		err := run(tc.name, "tcp", "127.0.0.1:0", tc.tls, tc.cert, tc.key)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v", tc, err)
		}
	}
	if err := run("net", "tcp", "0.0.0.0:0", true, "", ""); err == nil {
		t.Errorf("a non-loopback address was accepted with -tls: %v", err)
	}
}
