package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strings"
	"time"
)

// tlsConfig returns the server's TLS config from the flags: nil for plain
// TCP, a certificate and key loaded from files, or a self-signed
// certificate made in memory (then note tells its fingerprint, so that a
// client can check it by hand).
func tlsConfig(certFile, keyFile string, selfSigned bool) (cfg *tls.Config, note string, err error) {
	switch {
	case selfSigned && (certFile != "" || keyFile != ""):
		return nil, "", errors.New("-tls-self-signed and -tls-cert/-tls-key exclude each other")
	case selfSigned:
		cert, err := selfSignedCert()
		if err != nil {
			return nil, "", err
		}
		sum := sha256.Sum256(cert.Certificate[0])
		hexes := make([]string, len(sum))
		for i, b := range sum {
			hexes[i] = fmt.Sprintf("%02X", b)
		}
		note = "self-signed certificate for 127.0.0.1, ::1 and localhost, SHA-256 fingerprint " + strings.Join(hexes, ":")
		return &tls.Config{Certificates: []tls.Certificate{cert}}, note, nil
	case certFile != "" || keyFile != "":
		if certFile == "" || keyFile == "" {
			return nil, "", errors.New("-tls-cert and -tls-key go together")
		}
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, "", err
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}}, "", nil
	}
	return nil, "", nil
}

// selfSignedCert makes an ECDSA P-256 certificate for the loopback
// addresses, valid for a day.
func selfSignedCert() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "reactor-echo"},
		NotBefore:    time.Now().Add(-time.Minute),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
