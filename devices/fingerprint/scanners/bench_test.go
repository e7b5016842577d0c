package scanners_test

import (
	"context"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/devices/fingerprint"
	"github.com/absher-kiosk/kiosk/devices/fingerprint/scanners"
	"github.com/absher-kiosk/kiosk/devices/usb"
	"github.com/absher-kiosk/kiosk/devices/usb/usbtest"
)

// benchReplay times open, capture, quality gate and ISO/IEC 19794-4 record
// on a recorded session.
// A recording holds one capture, so the child runs one iteration and the
// figure is that single capture's wall time under umockdev.
func benchReplay(b *testing.B, fixture string) {
	rec := usbtest.Fixture(b, fixture)
	if !usbtest.ReplayBench(b, rec) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	bus := usb.Open()
	defer bus.Close()
	for b.Loop() {
		m := scanners.NewManager(bus, nil)
		if err := m.Poll(ctx); err != nil {
			b.Fatal(err)
		}
		c, err := m.Capture(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := fingerprint.Record(c, fingerprint.RightIndex); err != nil {
			b.Fatal(err)
		}
		if err := m.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReplayCaptureToRecordNB1010(b *testing.B)    { benchReplay(b, "nb1010") }
func BenchmarkReplayCaptureToRecordUpektcImg(b *testing.B) { benchReplay(b, "upektc_img") }
