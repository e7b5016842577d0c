package maintenance

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// ErrMalformedHash means the technician PIN hash in the central config is
// not an argon2id PHC string this kiosk can check against. Entry is refused
// until the centre sends a good one.
var ErrMalformedHash = errors.New("technician PIN hash in the central config is malformed")

// Limits on what a hash from the config may ask of the kiosk: a corrupted
// or hostile config must not make one check take gigabytes or minutes.
const (
	maxMemoryKiB = 256 * 1024
	maxPasses    = 16
	minSaltLen   = 8
	maxSaltLen   = 64
	minKeyLen    = 16
	maxKeyLen    = 64
)

// pinHash is a parsed $argon2id$v=19$m=..,t=..,p=..$salt$key string.
type pinHash struct {
	memoryKiB uint32
	passes    uint32
	threads   uint8
	salt, key []byte
}

var b64 = base64.RawStdEncoding

// parsePINHash reads an argon2id PHC string.
func parsePINHash(s string) (pinHash, error) {
	bad := func(format string, a ...any) (pinHash, error) {
		return pinHash{}, fmt.Errorf("%w: %s; set a new technician PIN in the central config", ErrMalformedHash, fmt.Sprintf(format, a...))
	}
	if s == "" {
		return bad("it is empty")
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return bad("want $argon2id$v=19$m=..,t=..,p=..$salt$hash, got %d fields", len(parts)-1)
	}
	if parts[1] != "argon2id" {
		return bad("algorithm is not argon2id")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || parts[2] != fmt.Sprintf("v=%d", v) {
		return bad("version field is not v=<number>")
	}
	if v != argon2.Version {
		return bad("version %d, want %d", v, argon2.Version)
	}
	var m, t, p uint64
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil ||
		parts[3] != fmt.Sprintf("m=%d,t=%d,p=%d", m, t, p) {
		return bad("parameters are not m=<KiB>,t=<passes>,p=<threads>")
	}
	if p < 1 || p > 255 || m < 8*p || m > maxMemoryKiB || t < 1 || t > maxPasses {
		return bad("parameters m=%d,t=%d,p=%d are out of range (m ≤ %d KiB, t ≤ %d)", m, t, p, maxMemoryKiB, maxPasses)
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < minSaltLen || len(salt) > maxSaltLen {
		return bad("salt is not %d to %d bytes of unpadded base64", minSaltLen, maxSaltLen)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < minKeyLen || len(key) > maxKeyLen {
		return bad("hash is not %d to %d bytes of unpadded base64", minKeyLen, maxKeyLen)
	}
	return pinHash{memoryKiB: uint32(m), passes: uint32(t), threads: uint8(p), salt: salt, key: key}, nil
}

// matches derives the key for pin and compares it in constant time.
func (h pinHash) matches(pin string) bool {
	got := argon2.IDKey([]byte(pin), h.salt, h.passes, h.memoryKiB, h.threads, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(got, h.key) == 1
}

// HashPIN returns the argon2id PHC string for pin with the given cost, for
// the centre's tools and for tests. salt must be 8 to 64 bytes.
func HashPIN(pin string, salt []byte, memoryKiB, passes uint32, threads uint8) string {
	key := argon2.IDKey([]byte(pin), salt, passes, memoryKiB, threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, memoryKiB, passes, threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// VerifyPIN checks pin against hash. A malformed hash is an error wrapping
// ErrMalformedHash, never a plain mismatch, so a broken config is noticed.
func VerifyPIN(hash, pin string) (bool, error) {
	h, err := parsePINHash(hash)
	if err != nil {
		return false, err
	}
	return h.matches(pin), nil
}
