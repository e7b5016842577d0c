package fingerprint

import (
	"errors"
	"image"
	"math/rand/v2"
	"testing"

	"github.com/absher-kiosk/kiosk/devices/fingerprint/internal/fptest"
	"github.com/absher-kiosk/kiosk/devices/usb/usbtest"
)

// ridges draws a synthetic print: bright background, a patch of ridges of
// the given contrast inside rect, a little sensor noise everywhere.
func ridges(w, h int, bg, ridge uint8, rect image.Rectangle, seed uint64) *image.Gray {
	r := rand.New(rand.NewPCG(seed, 1))
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := int(bg) + r.IntN(5) - 2
			if (image.Point{x, y}).In(rect) && (x+y/2)%9 < 4 {
				v = int(ridge) + r.IntN(5) - 2
			}
			img.Pix[y*w+x] = uint8(min(255, max(0, v)))
		}
	}
	return img
}

func TestAssessReasons(t *testing.T) {
	full := image.Rect(0, 0, 256, 180)
	centre := image.Rect(40, 20, 216, 160)
	tests := []struct {
		name string
		img  *image.Gray
		dpi  int
		want Reason
	}{
		{"good press", ridges(256, 180, 225, 40, centre, 1), 500, ReasonNone},
		{"good faint sensor", ridges(144, 384, 232, 195, image.Rect(10, 30, 134, 350), 2), 500, ReasonNone},
		{"bare sensor", ridges(256, 180, 228, 228, full, 3), 500, ReasonEmpty},
		{"smudged dark", ridges(256, 180, 30, 5, full, 4), 500, ReasonTooDark},
		{"too faint", ridges(256, 180, 230, 212, centre, 5), 500, ReasonTooLight},
		{"short swipe", ridges(144, 60, 225, 40, image.Rect(0, 0, 144, 60), 6), 500, ReasonTooSmall},
		{"small at high dpi", ridges(200, 200, 225, 40, centre, 7), 1000, ReasonTooSmall},
		{"fingertip only", ridges(256, 180, 225, 40, image.Rect(100, 60, 140, 100), 8), 500, ReasonTooLittleContact},
		{"in a corner", ridges(256, 180, 225, 40, image.Rect(0, 0, 104, 128), 9), 500, ReasonOffCentre},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Assess(tc.img, tc.dpi)
			if err != nil {
				t.Fatal(err)
			}
			if q.Reason != tc.want {
				t.Fatalf("reason %q (contact %.2f, score %d), want %q", q.Reason, q.Contact, q.Score, tc.want)
			}
			if tc.want != ReasonNone && tc.want.Hint() == "" {
				t.Fatalf("reason %q has no hint", tc.want)
			}
		})
	}
}

func TestAssessRejectsUnusableInput(t *testing.T) {
	if _, err := Assess(nil, 500); err == nil {
		t.Error("nil image accepted")
	}
	if _, err := Assess(image.NewGray(image.Rect(0, 0, 0, 0)), 500); err == nil {
		t.Error("empty image accepted")
	}
	if _, err := Assess(image.NewGray(image.Rect(0, 0, 200, 200)), 0); err == nil {
		t.Error("zero dpi accepted")
	}
}

func TestCheckReturnsRefusal(t *testing.T) {
	_, err := Check(&Capture{Image: ridges(256, 180, 228, 228, image.Rect(0, 0, 256, 180), 3), DPI: 500})
	var refused *RefusedError
	if !errors.As(err, &refused) || refused.Quality.Reason != ReasonEmpty {
		t.Fatalf("Check error %v, want a refusal for empty", err)
	}
	if _, err := Check(nil); err == nil {
		t.Fatal("nil capture accepted")
	}
}

// TestRecordedCapturesPass runs the gate on the images both sensors really
// produced: a good capture from either must not be refused.
func TestRecordedCapturesPass(t *testing.T) {
	for _, name := range []string{"nb1010", "upektc_img"} {
		t.Run(name, func(t *testing.T) {
			rec := usbtest.Fixture(t, name)
			img, err := fptest.LoadGrey(rec.File("capture.png"))
			if err != nil {
				t.Fatal(err)
			}
			q, err := Check(&Capture{Image: img, DPI: DefaultDPI})
			if err != nil {
				t.Fatalf("recorded capture refused: %v (contact %.2f)", err, q.Contact)
			}
			if q.Score < 50 {
				t.Fatalf("score %d for a good recorded capture", q.Score)
			}
		})
	}
}
