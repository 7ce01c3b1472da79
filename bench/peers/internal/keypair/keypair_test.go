package keypair

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
)

func TestSelfSigned(t *testing.T) {
	kp, err := SelfSigned("peer-echo")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := kp.StdConfig()
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(cfg.Certificates[0].Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if leaf.PublicKeyAlgorithm != x509.ECDSA {
		t.Errorf("key %v, want ECDSA", leaf.PublicKeyAlgorithm)
	}
	for _, host := range []string{"127.0.0.1", "::1", "localhost"} {
		if err := leaf.VerifyHostname(host); err != nil {
			t.Error(err)
		}
	}
}

func TestLoadKeyPair(t *testing.T) {
	kp, err := SelfSigned("peer-echo")
	if err != nil {
		t.Fatal(err)
	}
	other, err := SelfSigned("peer-echo")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cert, key, otherKey := write("cert.pem", kp.Cert), write("key.pem", kp.Key), write("other.pem", other.Key)
	got, err := Load(cert, key, "peer-echo")
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Cert) != string(kp.Cert) || string(got.Key) != string(kp.Key) {
		t.Error("the files were not read as they are")
	}
	for _, tc := range [][2]string{{cert, ""}, {"", key}, {cert, otherKey}, {filepath.Join(dir, "none"), key}} {
		if _, err := Load(tc[0], tc[1], "peer-echo"); err == nil {
			t.Errorf("-tls-cert %q -tls-key %q accepted", tc[0], tc[1])
		}
	}
}
