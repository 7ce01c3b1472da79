package main

import (
	"crypto/tls"

	"github.com/goreactor/reactor/internal/certs"
)

// keyPair is the server's certificate and private key in PEM. The servers
// take PEM rather than a tls.Certificate because nbio's TLS is a fork of
// crypto/tls with types of its own: each server parses the same bytes
// with its own library.
type keyPair struct {
	cert, key []byte
}

// stdConfig is the crypto/tls server configuration of the reactor and
// gorilla servers: the certificate and the library's defaults.
func (kp *keyPair) stdConfig() (*tls.Config, error) {
	cert, err := tls.X509KeyPair(kp.cert, kp.key)
	if err != nil {
		return nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}}, nil
}

// selfSigned makes a certificate for the loopback addresses and localhost,
// signed by its own key; the clients of a benchmark do not verify it.
func selfSigned() (*keyPair, error) {
	cert, err := certs.SelfSigned("peer-ws")
	if err != nil {
		return nil, err
	}
	certPEM, keyPEM, err := certs.PEM(cert)
	if err != nil {
		return nil, err
	}
	return &keyPair{cert: certPEM, key: keyPEM}, nil
}
