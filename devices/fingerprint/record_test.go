package fingerprint

import (
	"errors"
	"image"
	"testing"

	"github.com/absher-kiosk/kiosk/devices/fingerprint/fir"
	"github.com/absher-kiosk/kiosk/devices/fingerprint/internal/fptest"
	"github.com/absher-kiosk/kiosk/devices/usb/usbtest"
)

func TestRecordRoundTrip(t *testing.T) {
	synthetic := ridges(256, 180, 225, 40, image.Rect(40, 20, 216, 160), 1)
	tests := []struct {
		name string
		img  func(t *testing.T) *image.Gray
		pos  int
	}{
		{"synthetic right index", func(*testing.T) *image.Gray { return synthetic }, RightIndex},
		{"recorded nb1010 left index", func(t *testing.T) *image.Gray { return recorded(t, "nb1010") }, LeftIndex},
		{"recorded upektc_img right index", func(t *testing.T) *image.Gray { return recorded(t, "upektc_img") }, RightIndex},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img := tc.img(t)
			c := &Capture{Image: img, DPI: DefaultDPI, Device: "test"}
			b, q, err := Record(c, tc.pos)
			if err != nil {
				t.Fatal(err)
			}
			if string(b[:4]) != "FIR\x00" {
				t.Fatalf("record starts % x, want the FIR format identifier", b[:4])
			}
			r, err := fir.Decode(b)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if r.FingerPosition != tc.pos || r.ResolutionDPI != DefaultDPI || r.Quality != q.Score {
				t.Fatalf("decoded position %d dpi %d quality %d; want %d %d %d", r.FingerPosition, r.ResolutionDPI, r.Quality, tc.pos, DefaultDPI, q.Score)
			}
			if err := fptest.Diff(r.Image, img); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestRecordRefusesBadCaptures(t *testing.T) {
	bare := &Capture{Image: ridges(256, 180, 228, 228, image.Rect(0, 0, 256, 180), 3), DPI: 500}
	b, q, err := Record(bare, RightIndex)
	var refused *RefusedError
	if !errors.As(err, &refused) || b != nil || q.Reason != ReasonEmpty {
		t.Fatalf("Record of a bare sensor = %d bytes, %+v, %v", len(b), q, err)
	}
	good := &Capture{Image: ridges(256, 180, 225, 40, image.Rect(40, 20, 216, 160), 1), DPI: 500}
	if _, _, err := Record(good, 11); err == nil {
		t.Fatal("finger position 11 accepted")
	}
}

func recorded(t *testing.T, name string) *image.Gray {
	rec := usbtest.Fixture(t, name)
	img, err := fptest.LoadGrey(rec.File("capture.png"))
	if err != nil {
		t.Fatal(err)
	}
	return img
}
