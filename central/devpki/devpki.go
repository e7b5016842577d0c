// Package devpki makes the throwaway certificate authority of a development
// or demo centre: a CA, a server certificate for loopback, client
// certificates for a few kiosks and for ops, and the centre's Ed25519
// command-signing key. Everything is written once into a state folder
// (private keys 0600) and reused on later runs.
package devpki

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Kiosks are the kiosk identities a dev centre issues; Ops is the operator's.
var Kiosks = []string{"kiosk-001", "kiosk-002", "kiosk-003"}

const Ops = "ops"

// Pair names a certificate file and its key file.
type Pair struct {
	Cert string
	Key  string
}

// TLS loads the pair for use as a client or server certificate.
func (p Pair) TLS() (tls.Certificate, error) {
	c, err := tls.LoadX509KeyPair(p.Cert, p.Key)
	if err != nil {
		return c, fmt.Errorf("devpki: load %s: %w", p.Cert, err)
	}
	return c, nil
}

// Files are the paths of everything Ensure wrote.
type Files struct {
	Dir     string
	CA      string // CA certificate, PEM
	Server  Pair
	Clients map[string]Pair // by common name: kiosk-001…, ops
	// CommandKey is the centre's Ed25519 private key (PKCS#8 PEM, 0600);
	// CommandPub its public key (PKIX PEM) that kiosks verify commands with.
	CommandKey string
	CommandPub string
}

// Ensure creates what is missing in dir and returns the paths.
func Ensure(dir string) (*Files, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("devpki: create %s: %w", dir, err)
	}
	f := &Files{
		Dir:        dir,
		CA:         filepath.Join(dir, "ca.pem"),
		Server:     Pair{filepath.Join(dir, "server.pem"), filepath.Join(dir, "server-key.pem")},
		Clients:    map[string]Pair{},
		CommandKey: filepath.Join(dir, "command-signing-key.pem"),
		CommandPub: filepath.Join(dir, "command-signing-pub.pem"),
	}
	caKeyPath := filepath.Join(dir, "ca-key.pem")
	caCert, caKey, err := loadOrCreateCA(f.CA, caKeyPath)
	if err != nil {
		return nil, err
	}
	if err := ensureLeaf(f.Server, "central", true, caCert, caKey); err != nil {
		return nil, err
	}
	for _, n := range append(append([]string{}, Kiosks...), Ops) {
		p := Pair{filepath.Join(dir, n+".pem"), filepath.Join(dir, n+"-key.pem")}
		if err := ensureLeaf(p, n, false, caCert, caKey); err != nil {
			return nil, err
		}
		f.Clients[n] = p
	}
	if err := ensureCommandKey(f.CommandKey, f.CommandPub); err != nil {
		return nil, err
	}
	return f, nil
}

// CAPool returns a pool holding only the CA certificate.
func (f *Files) CAPool() (*x509.CertPool, error) {
	b, err := os.ReadFile(f.CA)
	if err != nil {
		return nil, fmt.Errorf("devpki: read CA: %w", err)
	}
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("devpki: %s holds no certificate", f.CA)
	}
	return p, nil
}

// ClientTLS is a ready TLS config for a client named cn (a kiosk or ops)
// that trusts only the dev CA.
func (f *Files) ClientTLS(cn string) (*tls.Config, error) {
	pool, err := f.CAPool()
	if err != nil {
		return nil, err
	}
	p, ok := f.Clients[cn]
	if !ok {
		return nil, fmt.Errorf("devpki: no client certificate named %q", cn)
	}
	c, err := p.TLS()
	if err != nil {
		return nil, err
	}
	return &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{c}, MinVersion: tls.VersionTLS13}, nil
}

// LoadCommandKey reads the centre's signing key.
func LoadCommandKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("devpki: read signing key: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("devpki: %s is not PEM", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("devpki: parse signing key %s: %w", path, err)
	}
	ek, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("devpki: %s is not an Ed25519 key", path)
	}
	return ek, nil
}

// LoadCommandPub reads the public key kiosks verify commands with.
func LoadCommandPub(path string) (ed25519.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("devpki: read command public key: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("devpki: %s is not PEM", path)
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("devpki: parse %s: %w", path, err)
	}
	pk, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("devpki: %s is not an Ed25519 public key", path)
	}
	return pk, nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func writePEM(path, typ string, der []byte, mode os.FileMode) error {
	b := pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
	if err := os.WriteFile(path, b, mode); err != nil {
		return fmt.Errorf("devpki: write %s: %w", path, err)
	}
	return nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	return n
}

func loadOrCreateCA(certPath, keyPath string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	if exists(certPath) && exists(keyPath) {
		pair, err := tls.LoadX509KeyPair(certPath, keyPath)
		if err != nil {
			return nil, nil, fmt.Errorf("devpki: load CA (delete %s to make a new one): %w", certPath, err)
		}
		cert, err := x509.ParseCertificate(pair.Certificate[0])
		if err != nil {
			return nil, nil, fmt.Errorf("devpki: parse CA: %w", err)
		}
		key, ok := pair.PrivateKey.(*ecdsa.PrivateKey)
		if !ok {
			return nil, nil, errors.New("devpki: CA key is not ECDSA")
		}
		return cert, key, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("devpki: CA key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "Absher kiosk development CA", Organization: []string{"absher-kiosk dev"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(5, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("devpki: sign CA: %w", err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("devpki: encode CA key: %w", err)
	}
	if err := writePEM(keyPath, "EC PRIVATE KEY", kder, 0o600); err != nil {
		return nil, nil, err
	}
	if err := writePEM(certPath, "CERTIFICATE", der, 0o644); err != nil {
		return nil, nil, err
	}
	cert, _ := x509.ParseCertificate(der)
	return cert, key, nil
}

func ensureLeaf(p Pair, cn string, server bool, ca *x509.Certificate, caKey *ecdsa.PrivateKey) error {
	if exists(p.Cert) && exists(p.Key) {
		return nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("devpki: key for %s: %w", cn, err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"absher-kiosk dev"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(2, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.DNSNames = []string{"localhost", "central"}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return fmt.Errorf("devpki: sign %s: %w", cn, err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return fmt.Errorf("devpki: encode key of %s: %w", cn, err)
	}
	if err := writePEM(p.Key, "EC PRIVATE KEY", kder, 0o600); err != nil {
		return err
	}
	return writePEM(p.Cert, "CERTIFICATE", der, 0o644)
}

func ensureCommandKey(keyPath, pubPath string) error {
	if exists(keyPath) && exists(pubPath) {
		return nil
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("devpki: signing key: %w", err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return fmt.Errorf("devpki: encode signing key: %w", err)
	}
	pder, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return fmt.Errorf("devpki: encode public key: %w", err)
	}
	if err := writePEM(keyPath, "PRIVATE KEY", kder, 0o600); err != nil {
		return err
	}
	return writePEM(pubPath, "PUBLIC KEY", pder, 0o644)
}
