package biometric

import (
	"fmt"
	"image"
	"image/png"
	"math/rand"
	"os"

	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/devices/fingerprint/fir"
	"github.com/absher-kiosk/kiosk/devices/fingerprint/synth"
)

// EnrolDPI is the resolution of synthetic captures and of the recorded
// scanner fixture.
const EnrolDPI = 500

// Enrol renders an enrolled finger the way the register holds it: the
// fixture image when one is named, otherwise the synthetic finger of its
// seed captured with a source of the same seed.
func Enrol(f people.Finger) (image.Image, int, error) {
	if f.Fixture != "" {
		fh, err := os.Open(f.Fixture)
		if err != nil {
			return nil, 0, fmt.Errorf("biometric: open enrolled fixture: %w", err)
		}
		defer fh.Close()
		img, err := png.Decode(fh)
		if err != nil {
			return nil, 0, fmt.Errorf("biometric: decode enrolled fixture %s: %w", f.Fixture, err)
		}
		return img, EnrolDPI, nil
	}
	return synth.NewFinger(f.Seed).Capture(rand.New(rand.NewSource(f.Seed))), EnrolDPI, nil
}

// DecodeFIR reads a posted ISO/IEC 19794-4 record.
func DecodeFIR(b []byte) (image.Image, int, error) {
	r, err := fir.Decode(b)
	if err != nil {
		return nil, 0, err
	}
	return r.Image, r.ResolutionDPI, nil
}
