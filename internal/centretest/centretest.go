// Package centretest starts the reference centre for tests: in process,
// over TLS on loopback, in a fresh state folder with a quiet log, and
// gives the kiosk's real client of it and the common walk-up person.
// Only tests import it; no program links it.
package centretest

import (
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"testing"

	"github.com/absher-kiosk/kiosk/central"
	"github.com/absher-kiosk/kiosk/central/demo"
	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/sync/client"
)

// Kiosk is the kiosk certificate of the dev PKI the tests speak as.
const Kiosk = "kiosk-001"

// Quiet is a logger that writes nowhere.
func Quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Start runs the centre with o until the test's cleanup. An empty
// StateDir is a fresh temporary folder, a nil Logger is Quiet.
func Start(t testing.TB, o central.Options) *central.Server {
	t.Helper()
	if o.StateDir == "" {
		o.StateDir = t.TempDir()
	}
	if o.Logger == nil {
		o.Logger = Quiet()
	}
	s, err := central.Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TLS is the mutual-TLS configuration of kiosk Kiosk for s.
func TLS(t testing.TB, s *central.Server) *tls.Config {
	t.Helper()
	tc, err := s.ClientTLS(Kiosk)
	if err != nil {
		t.Fatal(err)
	}
	return tc
}

// Client is the kiosk's client of s with c: an empty BaseURL is s.URL, an
// empty KioskID is Kiosk, and without TLS, HTTP or certificate files the
// kiosk's certificate comes from the centre's PKI.
func Client(t testing.TB, s *central.Server, c client.Config) *client.Client {
	t.Helper()
	if c.BaseURL == "" {
		c.BaseURL = s.URL
	}
	if c.KioskID == "" {
		c.KioskID = Kiosk
	}
	if c.TLS == nil && c.HTTP == nil && c.CAFile == "" {
		tc, err := s.ClientTLS(c.KioskID)
		if err != nil {
			t.Fatal(err)
		}
		c.TLS = tc
	}
	cl, err := client.New(c)
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// The walk-up person's password, registered mobile and the seed of the
// synthetic right index finger enrolled for them.
const (
	Password   = "Demo@2026"
	Mobile     = "+966500001234"
	FingerSeed = 77
)

// Person is the common walk-up person: a citizen with an active account
// (Password), a registered Mobile and the right index enrolled from
// FingerSeed. The ID is valid (check digit included); callers may change
// fields of the copy they get.
func Person() people.Person {
	id, err := pii.WithCheckDigit("100000123")
	if err != nil {
		panic(err)
	}
	return people.Person{ID: id, Kind: people.Citizen, NameEN: "Test Person", Mobile: Mobile, AbsherActive: true,
		PasswordHash: demo.HashPassword(Password, []byte("0123456789abcdef")),
		Fingers:      []people.Finger{{Position: people.RightIndex, Seed: FingerSeed}}}
}
