package demo

import (
	"errors"
	"fmt"

	"github.com/absher-kiosk/kiosk/kiosk/passhash"
)

// DefaultParams are the OWASP-recommended argon2id settings (19 MiB, two
// passes) used by HashPassword for real accounts.
var DefaultParams = passhash.Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1, KeyLen: 32}

// DemoParams are deliberately cheap so that a thousand-person population is
// generated in well under a second. They are written into every hash, so
// VerifyPassword needs no configuration, and they are only ever used for the
// generated demo population, whose passwords are published anyway.
var DemoParams = passhash.Params{MemoryKiB: 256, Time: 1, Threads: 1, KeyLen: 32}

// maxMemoryKiB bounds what VerifyPassword accepts from a stored hash: a
// corrupted or hostile record must not make one verification take
// gigabytes.
const maxMemoryKiB = 1 << 20

// ErrMalformedHash is returned, wrapped with the detail, for a stored hash
// that is not an argon2id PHC string VerifyPassword can use.
var ErrMalformedHash = errors.New("malformed argon2id password hash")

// HashPassword hashes pw with argon2id under DefaultParams and returns the
// PHC string $argon2id$v=19$m=...,t=...,p=...$salt$hash.
func HashPassword(pw string, salt []byte) string {
	return passhash.Encode(DefaultParams, pw, salt)
}

// VerifyPassword checks password against a PHC argon2id hash in constant
// time. A malformed hash is an error, not a mismatch, so that a broken
// record is noticed and repaired rather than locking its owner out silently.
func VerifyPassword(hash, password string) (bool, error) {
	ok, err := passhash.Verify(hash, password, maxMemoryKiB)
	if err != nil {
		return false, fmt.Errorf("%w: %w; re-set the password to write a new hash", ErrMalformedHash, err)
	}
	return ok, nil
}
