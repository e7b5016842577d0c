package devpki

import (
	"crypto/ed25519"
	"crypto/x509"
	"os"
	"testing"
)

func TestEnsureCreatesOnceAndVerifies(t *testing.T) {
	dir := t.TempDir()
	f, err := Ensure(dir)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(f.Clients["kiosk-001"].Cert)
	f2, err := Ensure(dir)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(f2.Clients["kiosk-001"].Cert)
	if string(before) != string(after) {
		t.Fatal("second Ensure replaced an existing certificate")
	}
	pool, err := f.CAPool()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range append(append([]string{}, Kiosks...), Ops) {
		c, err := f.Clients[n].TLS()
		if err != nil {
			t.Fatal(err)
		}
		leaf, _ := x509.ParseCertificate(c.Certificate[0])
		if leaf.Subject.CommonName != n {
			t.Errorf("cert %s has CN %q", n, leaf.Subject.CommonName)
		}
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
			t.Errorf("client cert %s does not verify: %v", n, err)
		}
		st, _ := os.Stat(f.Clients[n].Key)
		if st.Mode().Perm() != 0o600 {
			t.Errorf("key of %s has mode %v", n, st.Mode().Perm())
		}
	}
	s, _ := f.Server.TLS()
	leaf, _ := x509.ParseCertificate(s.Certificate[0])
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "127.0.0.1"}); err != nil {
		t.Errorf("server cert does not verify for 127.0.0.1: %v", err)
	}
	priv, err := LoadCommandKey(f.CommandKey)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := LoadCommandPub(f.CommandPub)
	if err != nil {
		t.Fatal(err)
	}
	if !ed25519.Verify(pub, []byte("m"), ed25519.Sign(priv, []byte("m"))) {
		t.Fatal("signing key and public key do not belong together")
	}
	for _, p := range []string{f.CommandKey, dir + "/ca-key.pem", f.Server.Key} {
		st, _ := os.Stat(p)
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v", p, st.Mode().Perm())
		}
	}
	if _, err := LoadCommandPub(f.CA); err == nil {
		t.Error("a certificate was accepted as a command public key")
	}
}
