package printer_test

import (
	"bytes"
	"image/png"
	"path/filepath"
	"testing"

	"github.com/absher-kiosk/kiosk/devices/printer/emulator"
	"github.com/absher-kiosk/kiosk/internal/golden"
)

// checkGolden compares a printed page with testdata/<name>.png and .txt.
func checkGolden(t *testing.T, name string, pg emulator.Page) {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, pg.Image); err != nil {
		t.Fatal(err)
	}
	pngPath := filepath.Join("testdata", name+".png")
	txtPath := filepath.Join("testdata", name+".txt")
	want, err := png.Decode(bytes.NewReader(golden.Read(t, pngPath, buf.Bytes())))
	if err != nil {
		t.Fatal(err)
	}
	if want.Bounds() != pg.Image.Bounds() {
		t.Fatalf("%s: page is %v, golden is %v", name, pg.Image.Bounds(), want.Bounds())
	}
	b := want.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, _, _, _ := want.At(x, y).RGBA()
			if (r < 0x8000) != (pg.Image.GrayAt(x, y).Y < 0x80) {
				t.Fatalf("%s: dot (%d,%d) differs from the golden page", name, x, y)
			}
		}
	}
	txt := golden.Read(t, txtPath, []byte(pg.Text+"\n"))
	if string(txt) != pg.Text+"\n" {
		t.Errorf("%s: text %q, golden %q", name, pg.Text, txt)
	}
}
