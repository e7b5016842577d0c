package demo

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the cost settings written into a PHC string.
type Argon2Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
	KeyLen    uint32
}

// DefaultParams are the OWASP-recommended argon2id settings (19 MiB, two
// passes) used by HashPassword for real accounts.
var DefaultParams = Argon2Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1, KeyLen: 32}

// DemoParams are deliberately cheap so that a thousand-person population is
// generated in well under a second. They are written into every hash, so
// VerifyPassword needs no configuration, and they are only ever used for the
// generated demo population, whose passwords are published anyway.
var DemoParams = Argon2Params{MemoryKiB: 256, Time: 1, Threads: 1, KeyLen: 32}

// Limits on what VerifyPassword accepts from a stored hash: a corrupted or
// hostile record must not make one verification take gigabytes or minutes.
const (
	maxMemoryKiB = 1 << 20
	maxTime      = 16
	minSaltLen   = 8
	maxSaltLen   = 64
	minKeyLen    = 16
	maxKeyLen    = 64
)

// ErrMalformedHash is returned, wrapped with the detail, for a stored hash
// that is not an argon2id PHC string VerifyPassword can use.
var ErrMalformedHash = errors.New("malformed argon2id password hash")

var b64 = base64.RawStdEncoding

// HashPassword hashes pw with argon2id under DefaultParams and returns the
// PHC string $argon2id$v=19$m=...,t=...,p=...$salt$hash.
func HashPassword(pw string, salt []byte) string {
	return hashWith(DefaultParams, pw, salt)
}

func hashWith(p Argon2Params, pw string, salt []byte) string {
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// VerifyPassword checks password against a PHC argon2id hash in constant
// time. A malformed hash is an error, not a mismatch, so that a broken
// record is noticed and repaired rather than locking its owner out silently.
func VerifyPassword(hash, password string) (bool, error) {
	p, salt, key, err := parseHash(hash)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

func parseHash(hash string) (Argon2Params, []byte, []byte, error) {
	var p Argon2Params
	bad := func(format string, a ...any) (Argon2Params, []byte, []byte, error) {
		return p, nil, nil, fmt.Errorf("%w: %s; re-set the password to write a new hash", ErrMalformedHash, fmt.Sprintf(format, a...))
	}
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" {
		return bad("want 5 fields $argon2id$v=..$m=..,t=..,p=..$salt$hash, got %d", len(parts)-1)
	}
	if parts[1] != "argon2id" {
		return bad("algorithm %q is not argon2id", parts[1])
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || parts[2] != fmt.Sprintf("v=%d", v) {
		return bad("version field %q", parts[2])
	}
	if v != argon2.Version {
		return bad("version %d, want %d", v, argon2.Version)
	}
	var m, t, th uint64
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &th); err != nil ||
		parts[3] != fmt.Sprintf("m=%d,t=%d,p=%d", m, t, th) {
		return bad("parameters %q", parts[3])
	}
	if m < 8*th || m > maxMemoryKiB || t < 1 || t > maxTime || th < 1 || th > 255 {
		return bad("parameters %q out of range", parts[3])
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < minSaltLen || len(salt) > maxSaltLen {
		return bad("salt is not %d to %d bytes of unpadded base64", minSaltLen, maxSaltLen)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < minKeyLen || len(key) > maxKeyLen {
		return bad("hash is not %d to %d bytes of unpadded base64", minKeyLen, maxKeyLen)
	}
	p = Argon2Params{MemoryKiB: uint32(m), Time: uint32(t), Threads: uint8(th), KeyLen: uint32(len(key))}
	return p, salt, key, nil
}
