package synth

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image/png"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/absher-kiosk/kiosk/internal/golden"
)

// The golden digest pins the generator: a change to it changes every
// demo person's finger and must be deliberate (rerun with -update and
// re-measure the threshold). The PNG beside it is for looking at.
func TestGoldenCapture(t *testing.T) {
	img := NewFinger(1).Capture(rand.New(rand.NewSource(1)))
	sum := sha256.Sum256(img.Pix)
	got := hex.EncodeToString(sum[:])
	digest := filepath.Join("testdata", "finger1-capture1.sha256")
	if golden.Update() {
		w, err := os.Create(filepath.Join("testdata", "finger1-capture1.png"))
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		if err := png.Encode(w, img); err != nil {
			t.Fatal(err)
		}
	}
	want := golden.Read(t, digest, []byte(got+"\n"))
	if got != strings.TrimSpace(string(want)) {
		t.Fatalf("capture of finger 1 changed: sha256 %s, golden %s", got, want)
	}
}

func TestNilSourceUsesFingerSeed(t *testing.T) {
	a := NewFinger(3).Capture(nil)
	b := NewFinger(3).Capture(rand.New(rand.NewSource(3)))
	if !bytes.Equal(a.Pix, b.Pix) {
		t.Fatal("nil source differs from the finger's own seed")
	}
}

func TestCaptureIsDeterministic(t *testing.T) {
	a := NewFinger(11).Capture(rand.New(rand.NewSource(5)))
	b := NewFinger(11).Capture(rand.New(rand.NewSource(5)))
	if !bytes.Equal(a.Pix, b.Pix) {
		t.Fatal("same seed and source gave different captures")
	}
	if a.Rect.Dx() != CaptureWidth || a.Rect.Dy() != CaptureHeight {
		t.Fatalf("capture is %v, want %dx%d", a.Rect, CaptureWidth, CaptureHeight)
	}
}

func TestCapturesVaryAndFingersDiffer(t *testing.T) {
	f := NewFinger(12)
	r := rand.New(rand.NewSource(1))
	a, b := f.Capture(r), f.Capture(r)
	if bytes.Equal(a.Pix, b.Pix) {
		t.Fatal("two impressions of one finger are identical")
	}
	if bytes.Equal(NewFinger(12).Master().Pix, NewFinger(13).Master().Pix) {
		t.Fatal("two fingers have the same master")
	}
}

// A print must have both ridges and valleys over most of the captured
// area, not a flat or saturated image.
func TestCaptureHasRidges(t *testing.T) {
	for seed := int64(0); seed < 8; seed++ {
		img := NewFinger(seed).Capture(rand.New(rand.NewSource(seed)))
		var dark, light int
		for _, p := range img.Pix {
			switch {
			case p < 110:
				dark++
			case p > 180:
				light++
			}
		}
		n := len(img.Pix)
		if dark < n/6 || light < n/6 {
			t.Errorf("seed %d: %d dark and %d light of %d pixels", seed, dark, light, n)
		}
	}
}

func TestClassesAllOccur(t *testing.T) {
	seen := map[Class]int{}
	for seed := int64(0); seed < 200; seed++ {
		seen[NewFinger(seed).Class()]++
	}
	for c := Arch; c <= Whorl; c++ {
		if seen[c] == 0 {
			t.Errorf("class %v never chosen in 200 seeds", c)
		}
	}
}

func BenchmarkCapture(b *testing.B) {
	f := NewFinger(1)
	f.Master()
	r := rand.New(rand.NewSource(1))
	for b.Loop() {
		f.Capture(r)
	}
}

func BenchmarkMaster(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		NewFinger(int64(i)).master()
	}
}
