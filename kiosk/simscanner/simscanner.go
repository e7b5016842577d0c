// Package simscanner is the demo's fingerprint scanner for the flow: a
// synthetic finger (devices/fingerprint/synth), or a recorded real capture,
// chosen for the person whose identification started last. Only the demo
// program and tests link it; the production kiosk never does.
package simscanner

import (
	"context"
	"errors"
	"image"
	"math/rand"
	"sync"

	"github.com/absher-kiosk/kiosk/devices/fingerprint/synth"
	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/flow"
)

// Scanner is the demo scanner: it presents a synthetic finger chosen
// for the person whose identification started last, so typing a showcase
// ID at the kiosk gives that person's story. Demo only.
type Scanner struct {
	// Seed picks the finger presented for an ID.
	Seed func(id string) int64
	// Recorded, when set, gives the recorded real-scanner image a person
	// is enrolled with, presented as it is instead of a synthetic finger
	// (nil for everyone else).
	Recorded func(id string) *image.Gray

	mu       sync.Mutex
	rnd      *rand.Rand
	seed     int64
	recorded *image.Gray
	set      bool
}

// New makes a demo scanner; rnd varies each impression.
func New(seed func(id string) int64, rnd *rand.Rand) *Scanner {
	return &Scanner{Seed: seed, rnd: rnd}
}

// Present chooses the finger for id; only the seed is kept, never the ID.
func (s *Scanner) Present(id string) {
	seed := s.Seed(id)
	var rec *image.Gray
	if s.Recorded != nil {
		rec = s.Recorded(id)
	}
	s.mu.Lock()
	s.seed, s.recorded, s.set = seed, rec, true
	s.mu.Unlock()
}

// Usable is always true: the simulator cannot be unplugged.
func (s *Scanner) Usable() bool { return true }

// Capture draws one impression of the presented finger at 500 dpi.
func (s *Scanner) Capture(ctx context.Context) (flow.ScanImage, error) {
	s.mu.Lock()
	seed, rec, set := s.seed, s.recorded, s.set
	r := rand.New(rand.NewSource(s.rnd.Int63()))
	s.mu.Unlock()
	if !set {
		return flow.ScanImage{}, errors.New("demo scanner: no identification started, so no finger to present")
	}
	if err := ctx.Err(); err != nil {
		return flow.ScanImage{}, err
	}
	if rec != nil {
		// A copy: the flow zeroes the capture when the visit ends.
		c := image.NewGray(rec.Rect)
		copy(c.Pix, rec.Pix)
		return flow.ScanImage{Image: c, DPI: 500}, nil
	}
	return flow.ScanImage{Image: synth.NewFinger(seed).Capture(r), DPI: 500}, nil
}

// Presenting tells the demo scanner whose identification started,
// then passes every call on to the real centre.
type Presenting struct {
	flow.Centre
	Scanner *Scanner
}

// StartVerification presents the person's finger and starts verifying.
func (p Presenting) StartVerification(ctx context.Context, id string) (domain.Verification, error) {
	p.Scanner.Present(id)
	return p.Centre.StartVerification(ctx, id)
}
