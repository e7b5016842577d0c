package fingerprint

import (
	"image"
	"testing"
)

// FuzzAssess: whatever a sensor sends as pixels, the gate answers with a
// verdict or an error, never a panic, and refusals always carry a hint.
func FuzzAssess(f *testing.F) {
	f.Add(uint16(256), uint16(180), 500, []byte{0, 255, 128, 3})
	f.Add(uint16(144), uint16(384), 500, []byte{232, 191})
	f.Add(uint16(1), uint16(1), 1, []byte{})
	f.Fuzz(func(t *testing.T, w, h uint16, dpi int, pattern []byte) {
		w, h = w%1024, h%1024
		img := image.NewGray(image.Rect(0, 0, int(w), int(h)))
		if len(pattern) > 0 {
			for i := range img.Pix {
				img.Pix[i] = pattern[i%len(pattern)]
			}
		}
		q, err := Assess(img, dpi)
		if err != nil {
			return
		}
		if q.Score < 0 || q.Score > 100 || q.Contact < 0 || q.Contact > 1 {
			t.Fatalf("verdict out of range: %+v", q)
		}
		if !q.OK() && q.Reason.Hint() == "" {
			t.Fatalf("reason %q without hint", q.Reason)
		}
	})
}
