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
	"strings"

	"github.com/absher-kiosk/kiosk/devices/fingerprint"
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

// Either uses the first scanner that is usable: a real USB scanner wins
// over a stand-in (the demo's simulator) when one is plugged in.
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
