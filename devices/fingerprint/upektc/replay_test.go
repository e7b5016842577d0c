package upektc_test

import (
	"context"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/devices/fingerprint"
	"github.com/absher-kiosk/kiosk/devices/fingerprint/internal/fptest"
	"github.com/absher-kiosk/kiosk/devices/fingerprint/upektc"
	"github.com/absher-kiosk/kiosk/devices/usb"
	"github.com/absher-kiosk/kiosk/devices/usb/usbtest"
)

// TestReplayUpektcImg captures through libusb from libfprint's recording of
// a real TouchChip and compares the image with capture.png at every pixel.
func TestReplayUpektcImg(t *testing.T) {
	rec := usbtest.Fixture(t, "upektc_img")
	if !usbtest.Replay(t, rec) {
		return
	}
	want, err := fptest.LoadGrey(rec.File("capture.png"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	bus := usb.Open()
	defer bus.Close()
	s := openFirst(ctx, t, bus)
	defer s.Close()
	c, err := s.Capture(ctx)
	if err != nil {
		t.Fatalf("Capture: %v", err)
	}
	if err := fptest.Diff(c.Image, want); err != nil {
		t.Fatal(err)
	}
	if c.DPI != fingerprint.DefaultDPI || c.Device != upektc.Name {
		t.Fatalf("capture metadata DPI %d device %q", c.DPI, c.Device)
	}
	if st := s.Status(); st.State != fingerprint.Online || !st.FingerPresent {
		t.Fatalf("status after capture = %+v; want online with the finger seen", st)
	}
}

func openFirst(ctx context.Context, t *testing.T, bus *usb.Bus) *upektc.Scanner {
	t.Helper()
	list, err := bus.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range list {
		if upektc.Match.Matches(d) {
			s, err := upektc.Open(bus, d)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	}
	t.Fatalf("no 147e:2016 with bcdDevice 0x0002 among %v", list)
	return nil
}
