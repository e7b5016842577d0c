// Package app wires the kiosk's parts to its flow: the screens' machine
// over the flow engine, the fingerprint scanners, the finger image records
// and the submitter that writes requests into the outbox. Each adapter is
// small and owns no policy: the flow decides, the parts do.
package app

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math/rand"
	"strings"
	"sync"

	"github.com/absher-kiosk/kiosk/devices/fingerprint"
	"github.com/absher-kiosk/kiosk/devices/fingerprint/synth"
	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/flow"
)

// USBScanner is what the kiosk needs of the USB scanner manager; the
// *fingerprint.Manager satisfies it.
type USBScanner interface {
	Capture(ctx context.Context) (*fingerprint.Capture, error)
	Status() fingerprint.Status
}

// ManagerScanner is the flow's scanner over the USB scanner manager.
type ManagerScanner struct{ M USBScanner }

// Usable says whether a capture can be tried now. A missing or offline
// scanner is not usable, so the flow offers the password and SMS code.
func (s ManagerScanner) Usable() bool {
	switch s.M.Status().State {
	case fingerprint.NoDevice, fingerprint.Offline, "":
		return false
	}
	return true
}

// Capture reads one finger.
func (s ManagerScanner) Capture(ctx context.Context) (flow.ScanImage, error) {
	c, err := s.M.Capture(ctx)
	if err != nil {
		return flow.ScanImage{}, fmt.Errorf("fingerprint capture: %w", err)
	}
	return flow.ScanImage{Image: c.Image, DPI: c.DPI}, nil
}

// SynthScanner is the demo scanner: it presents a synthetic finger chosen
// for the person whose identification started last, so typing a showcase
// ID at the kiosk gives that person's story. Demo only.
type SynthScanner struct {
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

// NewSynthScanner makes a demo scanner; rnd varies each impression.
func NewSynthScanner(seed func(id string) int64, rnd *rand.Rand) *SynthScanner {
	return &SynthScanner{Seed: seed, rnd: rnd}
}

// Present chooses the finger for id; only the seed is kept, never the ID.
func (s *SynthScanner) Present(id string) {
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
func (s *SynthScanner) Usable() bool { return true }

// Capture draws one impression of the presented finger at 500 dpi.
func (s *SynthScanner) Capture(ctx context.Context) (flow.ScanImage, error) {
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

// Either uses the first scanner that is usable: in demo mode a real USB
// scanner wins over the simulator when one is plugged in.
type Either struct{ First, Second flow.Scanner }

func (e Either) pick() flow.Scanner {
	if e.First != nil && e.First.Usable() {
		return e.First
	}
	return e.Second
}

// Usable says whether either scanner is usable.
func (e Either) Usable() bool { return e.pick() != nil && e.pick().Usable() }

// Capture reads from the scanner in use.
func (e Either) Capture(ctx context.Context) (flow.ScanImage, error) {
	s := e.pick()
	if s == nil {
		return flow.ScanImage{}, fingerprint.ErrNoDevice
	}
	return s.Capture(ctx)
}

// PresentingCentre tells the demo scanner whose identification started,
// then passes every call on to the real centre.
type PresentingCentre struct {
	flow.Centre
	Scanner *SynthScanner
}

// StartVerification presents the person's finger and starts verifying.
func (p PresentingCentre) StartVerification(ctx context.Context, id string) (domain.Verification, error) {
	p.Scanner.Present(id)
	return p.Centre.StartVerification(ctx, id)
}

// EncodeRecord runs the quality gate and wraps a capture as an ISO/IEC
// 19794-4 record; a refused capture becomes a *flow.QualityError whose hint
// is the quality reason's short code (press_harder, centre_finger, ...).
func EncodeRecord(img *image.Gray, dpi, position int) ([]byte, error) {
	rec, _, err := fingerprint.Record(&fingerprint.Capture{Image: img, DPI: dpi}, position)
	var refused *fingerprint.RefusedError
	if errors.As(err, &refused) {
		return nil, &flow.QualityError{Hint: strings.TrimPrefix(refused.Quality.Reason.Hint(), "fingerprint.hint.")}
	}
	return rec, err
}
