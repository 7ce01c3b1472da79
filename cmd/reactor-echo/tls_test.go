package main

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/certs"
	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

// tlsEcho checks the echo over TLS 1.2 and 1.3 with a client that accepts
// only the certificate check allows.
func tlsEcho(t *testing.T, addr string, check func(der []byte) error) {
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		c, err := tls.Dial("tcp", addr, &tls.Config{
			MinVersion: v, MaxVersion: v,
			InsecureSkipVerify: true, // the certificate is checked by check instead
			VerifyConnection: func(cs tls.ConnectionState) error {
				return check(cs.PeerCertificates[0].Raw)
			},
		})
		require.NoError(t, err, tls.VersionName(v))
		c.SetDeadline(time.Now().Add(testkit.Limit))
		msg := []byte("hello over " + tls.VersionName(v))
		_, err = c.Write(msg)
		require.NoError(t, err)
		got := make([]byte, len(msg))
		_, err = io.ReadFull(c, got)
		require.NoError(t, err)
		require.Equal(t, msg, got)
		require.NoError(t, c.CloseWrite())
		_, err = io.ReadAll(c)
		require.NoError(t, err, "the server answers close_notify with its own")
		c.Close()
	}
}

// TestTLSSelfSigned: -tls-self-signed serves TLS and prints the
// certificate's fingerprint, which is the certificate a client gets.
func TestTLSSelfSigned(t *testing.T) {
	s := startServer(t, "-addr 127.0.0.1:0 -loops 2 -tls-self-signed")
	line := s.next(t)
	fp, ok := strings.CutPrefix(line, "tls: self-signed certificate for 127.0.0.1, ::1 and localhost, SHA-256 fingerprint ")
	require.True(t, ok, "second line %q", line)
	tlsEcho(t, s.addr, func(der []byte) error {
		sum := sha256.Sum256(der)
		if got := strings.ReplaceAll(fmt.Sprintf("% X", sum[:]), " ", ":"); got != fp {
			return fmt.Errorf("fingerprint %s, printed %s", got, fp)
		}
		return nil
	})
}

// TestTLSCertFiles: -tls-cert and -tls-key serve the certificate in the
// files.
func TestTLSCertFiles(t *testing.T) {
	cert := testkit.Certs(t).Server
	certPEM, keyPEM, err := certs.PEM(cert)
	require.NoError(t, err)
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile, certPEM, 0o600))
	require.NoError(t, os.WriteFile(keyFile, keyPEM, 0o600))
	s := startServer(t, fmt.Sprintf("-addr 127.0.0.1:0 -tls-cert %s -tls-key %s", certFile, keyFile))
	tlsEcho(t, s.addr, func(der []byte) error {
		if !bytes.Equal(der, cert.Certificate[0]) {
			return fmt.Errorf("not the certificate in %s", certFile)
		}
		return nil
	})
}

// TestTLSFlagErrors: contradictory or incomplete TLS flags are an error,
// not a plain server.
func TestTLSFlagErrors(t *testing.T) {
	exe, err := os.Executable()
	require.NoError(t, err)
	for _, args := range []string{
		"-addr 127.0.0.1:0 -tls-cert x.pem",
		"-addr 127.0.0.1:0 -tls-self-signed -tls-key x.pem",
		"-addr 127.0.0.1:0 -tls-cert /nonexistent/c.pem -tls-key /nonexistent/k.pem",
	} {
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), beServer+"=1", "REACTOR_ECHO_ARGS="+args)
		out, err := cmd.CombinedOutput()
		require.Error(t, err, "%s: %s", args, out)
		require.Contains(t, string(out), "reactor-echo:", args)
		require.NotContains(t, string(out), "listening", args)
	}
}
