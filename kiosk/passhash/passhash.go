// Package passhash hashes and checks secrets (the centre's passwords, the
// technician PIN) with argon2id, stored as a PHC string:
//
//	$argon2id$v=19$m=<KiB>,t=<passes>,p=<threads>$<salt>$<key>
//
// with salt and key in unpadded standard base64. The cost is written into
// every hash, so checking needs no configuration; because the hash may come
// from a damaged or hostile record, [Parse] refuses costs beyond a limit
// the caller gives and any field it cannot read exactly.
package passhash

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id cost settings and key length.
type Params struct {
	MemoryKiB uint32
	Time      uint32 // passes over the memory
	Threads   uint8
	KeyLen    uint32
}

// Limits on what Parse accepts whatever the caller's memory limit: a hash
// must not make one check take minutes, and salts and keys outside these
// sizes are not ones this code wrote.
const (
	MaxTime    = 16
	minSaltLen = 8
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 64
)

// ErrMalformed is returned, wrapped with the detail, for a string that is
// not an argon2id PHC hash Parse can use.
var ErrMalformed = errors.New("not a usable argon2id hash")

var b64 = base64.RawStdEncoding

// Encode hashes secret with salt under p and returns the PHC string.
func Encode(p Params, secret string, salt []byte) string {
	key := argon2.IDKey([]byte(secret), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Hash is a parsed PHC string.
type Hash struct {
	Params
	Salt, Key []byte
}

// Parse reads a PHC argon2id string whose memory cost is at most
// maxMemoryKiB. Errors wrap [ErrMalformed] and say which field is wrong;
// they never repeat the salt or key.
func Parse(s string, maxMemoryKiB uint32) (Hash, error) {
	bad := func(format string, a ...any) (Hash, error) {
		return Hash{}, fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, a...))
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return bad("want 5 fields $argon2id$v=..$m=..,t=..,p=..$salt$hash, got %d", len(parts)-1)
	}
	if parts[1] != "argon2id" {
		return bad("algorithm %q is not argon2id", parts[1])
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || parts[2] != fmt.Sprintf("v=%d", v) {
		return bad("version field %q is not v=<number>", parts[2])
	}
	if v != argon2.Version {
		return bad("version %d, want %d", v, argon2.Version)
	}
	var m, t, p uint64
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil ||
		parts[3] != fmt.Sprintf("m=%d,t=%d,p=%d", m, t, p) {
		return bad("parameters %q are not m=<KiB>,t=<passes>,p=<threads>", parts[3])
	}
	if p < 1 || p > 255 || m < 8*p || m > uint64(maxMemoryKiB) || t < 1 || t > MaxTime {
		return bad("parameters %q out of range (m ≤ %d KiB, t ≤ %d)", parts[3], maxMemoryKiB, MaxTime)
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < minSaltLen || len(salt) > maxSaltLen {
		return bad("salt is not %d to %d bytes of unpadded base64", minSaltLen, maxSaltLen)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < minKeyLen || len(key) > maxKeyLen {
		return bad("hash is not %d to %d bytes of unpadded base64", minKeyLen, maxKeyLen)
	}
	return Hash{Params: Params{MemoryKiB: uint32(m), Time: uint32(t), Threads: uint8(p), KeyLen: uint32(len(key))}, Salt: salt, Key: key}, nil
}

// Matches derives the key for secret and compares it in constant time.
func (h Hash) Matches(secret string) bool {
	got := argon2.IDKey([]byte(secret), h.Salt, h.Time, h.MemoryKiB, h.Threads, h.KeyLen)
	return subtle.ConstantTimeCompare(got, h.Key) == 1
}

// Verify parses hash and checks secret against it. A malformed hash is an
// error, never a plain mismatch, so that a broken record is noticed and
// repaired rather than locking its owner out silently.
func Verify(hash, secret string, maxMemoryKiB uint32) (bool, error) {
	h, err := Parse(hash, maxMemoryKiB)
	if err != nil {
		return false, err
	}
	return h.Matches(secret), nil
}
