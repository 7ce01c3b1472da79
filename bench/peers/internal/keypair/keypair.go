// Package keypair is the TLS certificate of the benchmark's peer servers,
// kept as PEM: the servers take PEM rather than a tls.Certificate because
// nbio's TLS is a fork of crypto/tls with types of its own, so each server
// parses the same bytes with its own library.
package keypair

import (
	"crypto/tls"
	"errors"
	"os"

	"github.com/goreactor/reactor/internal/certs"
)

// KeyPair is a certificate and its private key, in PEM.
type KeyPair struct {
	Cert, Key []byte
}

// StdConfig is the crypto/tls server configuration of the servers on the
// standard library: the certificate and the library's defaults.
func (kp *KeyPair) StdConfig() (*tls.Config, error) {
	cert, err := tls.X509KeyPair(kp.Cert, kp.Key)
	if err != nil {
		return nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}}, nil
}

// SelfSigned makes a certificate for the loopback addresses and
// localhost, named for the command, signed by its own key; the clients
// of a benchmark do not verify it.
func SelfSigned(name string) (*KeyPair, error) {
	cert, err := certs.SelfSigned(name)
	if err != nil {
		return nil, err
	}
	certPEM, keyPEM, err := certs.PEM(cert)
	if err != nil {
		return nil, err
	}
	return &KeyPair{Cert: certPEM, Key: keyPEM}, nil
}

// Load reads the PEM files certFile and keyFile, or, if both are empty,
// makes a self-signed certificate named name. A key that does not match
// its certificate is an error here, before any server starts.
func Load(certFile, keyFile, name string) (*KeyPair, error) {
	if certFile == "" && keyFile == "" {
		return SelfSigned(name)
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
	kp := &KeyPair{Cert: cert, Key: key}
	if _, err := kp.StdConfig(); err != nil {
		return nil, err
	}
	return kp, nil
}
