// Package seal encrypts records at rest with AES-256-GCM under keys kept in a
// key file of mode 0600. Every sealed record names the key that sealed it, so
// keys can be rotated without re-encrypting old records at once.
package seal

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// ErrUnknownKey means a record was sealed with a key that is not in the key file.
var ErrUnknownKey = errors.New("seal: record was sealed with a key that is not in the key file")

// ErrOpen means a record failed authentication: its ciphertext, nonce or
// associated data were changed, or it was sealed under other associated data.
var ErrOpen = errors.New("seal: record does not open: changed on disk or bound to other data")

// Keyring holds the keys of one key file. The last key is the current one;
// older keys stay to open older records.
type Keyring struct {
	mu      sync.RWMutex
	path    string
	ids     []string
	ciphers map[string]cipher.AEAD
	rand    io.Reader
}

// LoadOrCreate reads the key file at path, creating it with one new key and
// mode 0600 when it does not exist. A key file readable by others is refused.
func LoadOrCreate(path string) (*Keyring, error) {
	k := &Keyring{path: path, ciphers: map[string]cipher.AEAD{}, rand: rand.Reader}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := k.Rotate(); err != nil {
			return nil, err
		}
		return k, nil
	case err != nil:
		return nil, fmt.Errorf("seal: read key file %s: %w", path, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("seal: stat key file %s: %w", path, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("seal: key file %s has mode %v; make it 0600 (chmod 600) so only the kiosk's user can read it", path, fi.Mode().Perm())
	}
	if err := k.parse(data); err != nil {
		return nil, fmt.Errorf("seal: key file %s: %w", path, err)
	}
	return k, nil
}

func (k *Keyring) parse(data []byte) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		id, hexKey, ok := strings.Cut(text, " ")
		if !ok {
			return fmt.Errorf("line %d: want \"<key id> <64 hex digits>\"", line)
		}
		raw, err := hex.DecodeString(strings.TrimSpace(hexKey))
		if err != nil || len(raw) != 32 {
			return fmt.Errorf("line %d: key %q is not 32 bytes of hex", line, id)
		}
		if err := k.add(id, raw); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
	}
	if len(k.ids) == 0 {
		return errors.New("no keys")
	}
	return sc.Err()
}

func (k *Keyring) add(id string, raw []byte) error {
	if _, dup := k.ciphers[id]; dup {
		return fmt.Errorf("key id %q appears twice", id)
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return err
	}
	k.ids = append(k.ids, id)
	k.ciphers[id] = aead
	return nil
}

// Rotate adds a new current key and rewrites the key file atomically.
func (k *Keyring) Rotate() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	raw := make([]byte, 32)
	if _, err := io.ReadFull(k.rand, raw); err != nil {
		return fmt.Errorf("seal: new key: %w", err)
	}
	idb := make([]byte, 4)
	if _, err := io.ReadFull(k.rand, idb); err != nil {
		return fmt.Errorf("seal: new key id: %w", err)
	}
	id := hex.EncodeToString(idb)
	var buf bytes.Buffer
	buf.WriteString("# AES-256-GCM keys; the last one seals new records. Keep this file mode 0600.\n")
	if old, err := os.ReadFile(k.path); err == nil {
		for _, l := range strings.Split(string(old), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				buf.WriteString(l + "\n")
			}
		}
	}
	fmt.Fprintf(&buf, "%s %s\n", id, hex.EncodeToString(raw))
	tmp := k.path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("seal: write key file: %w", err)
	}
	if err := os.Rename(tmp, k.path); err != nil {
		return fmt.Errorf("seal: replace key file: %w", err)
	}
	return k.add(id, raw)
}

// Current is the id of the key that seals new records.
func (k *Keyring) Current() string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.ids[len(k.ids)-1]
}

// Seal encrypts plaintext under the current key, binding aad (for example a
// row id and kind). It returns the key id to store beside the record.
func (k *Keyring) Seal(aad, plaintext []byte) (keyID string, sealed []byte, err error) {
	k.mu.RLock()
	id := k.ids[len(k.ids)-1]
	aead := k.ciphers[id]
	k.mu.RUnlock()
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := io.ReadFull(k.rand, nonce); err != nil {
		return "", nil, fmt.Errorf("seal: nonce: %w", err)
	}
	return id, aead.Seal(nonce, nonce, plaintext, aad), nil
}

// Open decrypts a record sealed by Seal under the same aad.
func (k *Keyring) Open(keyID string, aad, sealed []byte) ([]byte, error) {
	k.mu.RLock()
	aead, ok := k.ciphers[keyID]
	k.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w (key id %q)", ErrUnknownKey, keyID)
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, fmt.Errorf("%w: %d bytes is shorter than a nonce and tag", ErrOpen, len(sealed))
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, sealed[:n], sealed[n:], aad)
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}
