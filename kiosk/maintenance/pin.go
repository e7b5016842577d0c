package maintenance

import (
	"errors"
	"fmt"

	"github.com/absher-kiosk/kiosk/kiosk/passhash"
)

// ErrMalformedHash means the technician PIN hash in the central config is
// not an argon2id PHC string this kiosk can check against. Entry is refused
// until the centre sends a good one.
var ErrMalformedHash = errors.New("technician PIN hash in the central config is malformed")

// maxMemoryKiB bounds what a hash from the config may ask of the kiosk: a
// corrupted or hostile config must not make one check take gigabytes.
const maxMemoryKiB = 256 * 1024

// parsePINHash reads the argon2id PHC string of the technician PIN.
func parsePINHash(s string) (passhash.Hash, error) {
	if s == "" {
		return passhash.Hash{}, fmt.Errorf("%w: it is empty; set a technician PIN in the central config", ErrMalformedHash)
	}
	h, err := passhash.Parse(s, maxMemoryKiB)
	if err != nil {
		return passhash.Hash{}, fmt.Errorf("%w: %w; set a new technician PIN in the central config", ErrMalformedHash, err)
	}
	return h, nil
}

// HashPIN returns the argon2id PHC string for pin with the given cost, for
// the centre's tools and for tests. salt must be 8 to 64 bytes.
func HashPIN(pin string, salt []byte, memoryKiB, passes uint32, threads uint8) string {
	return passhash.Encode(passhash.Params{MemoryKiB: memoryKiB, Time: passes, Threads: threads, KeyLen: 32}, pin, salt)
}

// VerifyPIN checks pin against hash. A malformed hash is an error wrapping
// ErrMalformedHash, never a plain mismatch, so a broken config is noticed.
func VerifyPIN(hash, pin string) (bool, error) {
	h, err := parsePINHash(hash)
	if err != nil {
		return false, err
	}
	return h.Matches(pin), nil
}
