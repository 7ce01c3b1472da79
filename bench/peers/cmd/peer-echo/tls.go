package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"sort"
	"strings"
	"time"
)

// keyPair is the server's certificate and private key in PEM. The servers
// take PEM rather than a tls.Certificate because nbio's TLS is a fork of
// crypto/tls with types of its own: each server parses the same bytes
// with its own library.
type keyPair struct {
	cert, key []byte
}

// stdConfig is the crypto/tls server configuration of the net and reactor
// servers: the certificate and the library's defaults.
func (kp *keyPair) stdConfig() (*tls.Config, error) {
	cert, err := tls.X509KeyPair(kp.cert, kp.key)
	if err != nil {
		return nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}}, nil
}

// tlsServeFunc is serveFunc over TLS, with the server's key pair.
type tlsServeFunc func(ctx context.Context, addr string, kp *keyPair, ready func(net.Addr)) error

var tlsServers = map[string]tlsServeFunc{
	"net":     serveNetTLS,
	"reactor": serveReactorTLS,
	"nbio":    serveNbioTLS,
}

func tlsNames() string {
	var s []string
	for n := range tlsServers {
		s = append(s, n)
	}
	sort.Strings(s)
	return strings.Join(s, " | ")
}

// loadKeyPair reads the PEM files certFile and keyFile, or, if both are
// empty, makes a self-signed certificate.
func loadKeyPair(certFile, keyFile string) (*keyPair, error) {
	if certFile == "" && keyFile == "" {
		return selfSigned()
	}
	if certFile == "" || keyFile == "" {
		return nil, errors.New("-tls-cert and -tls-key go together")
	}
	cert, err := os.ReadFile(certFile)
	if err != nil {
		return nil, err
	}
	key, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, err
	}
	kp := &keyPair{cert: cert, key: key}
	if _, err := kp.stdConfig(); err != nil { // a mismatch shows before the server starts
		return nil, err
	}
	return kp, nil
}

// selfSigned makes an ECDSA P-256 certificate for the loopback addresses
// and localhost, signed by its own key. It lives only as long as the
// process, so it is valid for a day; the clients of a benchmark do not
// verify it.
func selfSigned() (*keyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "peer-echo"},
		NotBefore:    time.Now().Add(-time.Minute),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return &keyPair{
		cert: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		key:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}),
	}, nil
}
