package fptest

import (
	"image"
	"strings"
	"testing"
)

func TestDiffReportsFirstDifference(t *testing.T) {
	a := image.NewGray(image.Rect(0, 0, 4, 3))
	b := image.NewGray(image.Rect(0, 0, 4, 3))
	if err := Diff(a, b); err != nil {
		t.Fatalf("equal images differ: %v", err)
	}
	b.Pix[2*4+1] = 9
	b.Pix[2*4+3] = 9
	err := Diff(a, b)
	if err == nil || !strings.Contains(err.Error(), "2 pixels differ") || !strings.Contains(err.Error(), "x=1 y=2") {
		t.Fatalf("Diff = %v", err)
	}
	if err := Diff(image.NewGray(image.Rect(0, 0, 3, 4)), b); err == nil {
		t.Fatal("different sizes accepted")
	}
	if err := Diff(nil, b); err == nil {
		t.Fatal("nil image accepted")
	}
}
