package main

import (
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"

	"github.com/goreactor/reactor/internal/certs"
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
		cert, err := certs.SelfSigned("reactor-echo")
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
