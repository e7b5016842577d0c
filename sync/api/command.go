package api

import (
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"time"
)

// commandDomain separates command signatures from any other use of the key.
const commandDomain = "absher-kiosk/command/v1"

// CanonicalBytes is the exact byte form a command's signature covers: the
// domain, then each field as a length-prefixed string, numbers as decimal
// text, times as Unix nanoseconds, arguments sorted by key. JSON is not
// signed because its encoding is not unique.
func (c *Command) CanonicalBytes() []byte {
	var b []byte
	put := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	put(commandDomain)
	put(c.ID)
	put(c.Kiosk)
	put(fmt.Sprint(c.Seq))
	put(fmt.Sprint(c.IssuedAt.UnixNano()))
	put(fmt.Sprint(c.Expiry.UnixNano()))
	put(string(c.Kind))
	keys := make([]string, 0, len(c.Args))
	for k := range c.Args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		put(k)
		put(c.Args[k])
	}
	return b
}

// Sign sets c.Signature with the centre's key.
func (c *Command) Sign(key ed25519.PrivateKey) {
	c.Signature = ed25519.Sign(key, c.CanonicalBytes())
}

// Reasons a kiosk refuses a command; report them in a command_result event.
var (
	ErrCommandForged     = errors.New("command signature does not verify against the centre's key")
	ErrCommandMistargets = errors.New("command is addressed to another kiosk")
	ErrCommandExpired    = errors.New("command has expired")
	ErrCommandReplayed   = errors.New("command sequence is not after the last applied one")
	ErrCommandKind       = errors.New("command kind is unknown")
)

// VerifyCommand checks a command before a kiosk applies it: the signature
// against the centre's public key, the target, the expiry and that its
// sequence number is after lastSeq (the last applied). The error wraps one
// of the ErrCommand… values.
func VerifyCommand(pub ed25519.PublicKey, c *Command, kiosk string, now time.Time, lastSeq int64) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("verify command %s: centre public key has %d bytes, want %d: %w", c.ID, len(pub), ed25519.PublicKeySize, ErrCommandForged)
	}
	if len(c.Signature) != ed25519.SignatureSize || !ed25519.Verify(pub, c.CanonicalBytes(), c.Signature) {
		return fmt.Errorf("verify command %s: %w", c.ID, ErrCommandForged)
	}
	if c.Kiosk != kiosk {
		return fmt.Errorf("verify command %s: for %q, this is %q: %w", c.ID, c.Kiosk, kiosk, ErrCommandMistargets)
	}
	if !now.Before(c.Expiry) {
		return fmt.Errorf("verify command %s: expired at %s: %w", c.ID, c.Expiry.UTC().Format(time.RFC3339), ErrCommandExpired)
	}
	if c.Seq <= lastSeq {
		return fmt.Errorf("verify command %s: seq %d, last applied %d: %w", c.ID, c.Seq, lastSeq, ErrCommandReplayed)
	}
	if !KnownCommandKind(c.Kind) {
		return fmt.Errorf("verify command %s: kind %q: %w", c.ID, c.Kind, ErrCommandKind)
	}
	return nil
}

// KnownCommandKind reports whether k is one of CommandKinds.
func KnownCommandKind(k CommandKind) bool {
	for _, x := range CommandKinds {
		if x == k {
			return true
		}
	}
	return false
}
