package main

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"os"
	"sort"
	"strings"

	"github.com/goreactor/reactor/internal/certs"
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

// selfSigned makes a certificate for the loopback addresses and localhost,
// signed by its own key; the clients of a benchmark do not verify it.
func selfSigned() (*keyPair, error) {
	cert, err := certs.SelfSigned("peer-echo")
	if err != nil {
		return nil, err
	}
	certPEM, keyPEM, err := certs.PEM(cert)
	if err != nil {
		return nil, err
	}
	return &keyPair{cert: certPEM, key: keyPEM}, nil
}
