package match

import (
	"image"
	"math/rand"
	"testing"

	"github.com/absher-kiosk/kiosk/devices/fingerprint/synth"
)

// FuzzTemplate feeds arbitrary pixels (as a scanner might deliver after a
// fault) to extraction: it may refuse them, never panic.
func FuzzTemplate(f *testing.F) {
	small := synth.NewFinger(1).Capture(rand.New(rand.NewSource(1))).SubImage(image.Rect(40, 40, 104, 104)).(*image.Gray)
	seed := make([]byte, 0, 64*64)
	for y := 0; y < 64; y++ {
		seed = append(seed, small.Pix[y*small.Stride:y*small.Stride+64]...)
	}
	f.Add(uint8(64), seed)
	f.Add(uint8(40), make([]byte, 40*40))
	f.Add(uint8(33), []byte{0, 255, 0, 255})
	f.Fuzz(func(t *testing.T, w uint8, pix []byte) {
		width := int(w)%96 + 1
		if len(pix) < width || len(pix) > 96*96 {
			return
		}
		h := len(pix) / width
		img := &image.Gray{Pix: pix[:width*h], Stride: width, Rect: image.Rect(0, 0, width, h)}
		tp, err := New().Template(img, 500)
		if err == nil && tp.Minutiae() == 0 {
			t.Fatal("template without minutiae returned without an error")
		}
	})
}
