package seal

import (
	"bytes"
	"crypto/cipher"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpenRotate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys")
	k, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	id1, s1, err := k.Seal([]byte("1|tx"), []byte("secret 0551234567"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(s1, []byte("0551234567")) {
		t.Fatal("plaintext visible in sealed record")
	}
	if err := k.Rotate(); err != nil {
		t.Fatal(err)
	}
	id2, s2, _ := k.Seal([]byte("2|tx"), []byte("later"))
	if id1 == id2 {
		t.Fatal("rotate kept the same key id")
	}
	k2, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id, aad string
		sealed  []byte
		want    string
	}{{id1, "1|tx", s1, "secret 0551234567"}, {id2, "2|tx", s2, "later"}} {
		got, err := k2.Open(c.id, []byte(c.aad), c.sealed)
		if err != nil || string(got) != c.want {
			t.Fatalf("Open(%s) = %q, %v; want %q", c.id, got, err, c.want)
		}
	}
}

func TestOpenRefusesTampering(t *testing.T) {
	k, err := LoadOrCreate(filepath.Join(t.TempDir(), "keys"))
	if err != nil {
		t.Fatal(err)
	}
	id, s, _ := k.Seal([]byte("7|tx"), []byte("payload"))
	flipped := append([]byte(nil), s...)
	flipped[len(flipped)-1] ^= 1
	cases := []struct {
		name   string
		id     string
		aad    string
		sealed []byte
		want   error
	}{
		{"ciphertext changed", id, "7|tx", flipped, ErrOpen},
		{"row id changed", id, "8|tx", s, ErrOpen},
		{"kind changed", id, "7|audit", s, ErrOpen},
		{"truncated", id, "7|tx", s[:5], ErrOpen},
		{"unknown key", "deadbeef", "7|tx", s, ErrUnknownKey},
	}
	for _, c := range cases {
		if _, err := k.Open(c.id, []byte(c.aad), c.sealed); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
}

func TestLoadRefusesBadKeyFiles(t *testing.T) {
	dir := t.TempDir()
	for name, c := range map[string]struct {
		body string
		mode os.FileMode
	}{
		"world readable": {"a " + string(bytes.Repeat([]byte("00"), 32)) + "\n", 0o644},
		"short key":      {"a 0011\n", 0o600},
		"no keys":        {"# nothing\n", 0o600},
		"not hex":        {"a zz\n", 0o600},
		"duplicate id":   {"a " + string(bytes.Repeat([]byte("00"), 32)) + "\na " + string(bytes.Repeat([]byte("11"), 32)) + "\n", 0o600},
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(c.body), c.mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, c.mode); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadOrCreate(p); err == nil {
			t.Errorf("%s: key file accepted", name)
		}
	}
}

func FuzzParseKeyFile(f *testing.F) {
	f.Add([]byte("a " + string(bytes.Repeat([]byte("ab"), 32)) + "\n"))
	f.Add([]byte("# c\n\nb 00\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		k := &Keyring{ciphers: map[string]cipher.AEAD{}}
		if err := k.parse(data); err == nil && len(k.ids) == 0 {
			t.Fatal("parse accepted a key file with no keys")
		}
	})
}
