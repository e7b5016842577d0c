package upektc

import (
	"context"
	"testing"

	"github.com/absher-kiosk/kiosk/devices/fingerprint"
	"github.com/absher-kiosk/kiosk/devices/fingerprint/internal/fptest"
	"github.com/absher-kiosk/kiosk/devices/usb/usbtest"
)

// BenchmarkCaptureToRecordSimulated times the whole driver session (framing,
// CRCs, sequence numbers, assembly) the quality gate and the ISO record against the
// simulated device serving the recorded image, without USB.
func BenchmarkCaptureToRecordSimulated(b *testing.B) {
	rec := usbtest.Fixture(b, "upektc_img")
	want, err := fptest.LoadGrey(rec.File("capture.png"))
	if err != nil {
		b.Fatal(err)
	}
	t := &testing.T{}
	info := infoWith(b, 0xE4, 192, 512)
	for b.Loop() {
		sim := newSim(t, info, 144, 384)
		sim.pixels = want.Pix
		c, err := New(sim, Name).Capture(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := fingerprint.Record(c, fingerprint.RightIndex); err != nil {
			b.Fatal(err)
		}
	}
}
