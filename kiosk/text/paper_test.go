package text

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/absher-kiosk/kiosk/internal/golden"
)

func receipt() PaperOptions {
	return PaperOptions{SizePt: 11, DPI: 203, Width: 576, Base: Auto}
}

func TestRenderParagraphGolden(t *testing.T) {
	bold := receipt()
	bold.Bold = true
	centre := receipt()
	centre.Align = AlignCenter
	small := receipt()
	small.SizePt = 10
	large := receipt()
	large.SizePt = 12
	large.Align = AlignEnd
	tests := []struct {
		name string
		text string
		o    PaperOptions
	}{
		{"arabic_mobile", "رقم الجوال: 0551234567", receipt()},
		{"arabic_mixed", "مرحبا Absher كشك", receipt()},
		{"arabic_number", "الرقم 123 هنا", receipt()},
		{"english", "Mobile number updated. Reference K-20261123-0042", receipt()},
		{"arabic_wrapped_bold", "تم تحديث رقم الجوال بنجاح، وسيصلك إشعار برسالة نصية على الرقم الجديد 0551234567 خلال دقائق", bold},
		{"centred", "شكرا لاستخدامك أبشر Thank you", centre},
		{"small_marks_indic", "الرَّقْمُ المَرْجِعِيُّ: ١٢٣٤٥٦ (K-42)", small},
		{"large_end", "الرسوم: 500 ريال", large},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := RenderParagraph(tt.text, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range img.Pix {
				if p != 0 && p != 255 {
					t.Fatalf("pixel value %d: paper images must be pure black and white", p)
				}
			}
			var buf bytes.Buffer
			if err := png.Encode(&buf, img); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tt.name+".png")
			want := golden.Read(t, path, buf.Bytes())
			wimg, err := png.Decode(bytes.NewReader(want))
			if err != nil {
				t.Fatal(err)
			}
			if !sameGray(img, wimg) {
				got := filepath.Join(t.TempDir(), tt.name+".png")
				_ = os.WriteFile(got, buf.Bytes(), 0o644)
				t.Errorf("rendering differs from %s; see %s", path, got)
			}
		})
	}
}

func sameGray(a *image.Gray, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Rect.Min.Y; y < a.Rect.Max.Y; y++ {
		for x := a.Rect.Min.X; x < a.Rect.Max.X; x++ {
			r, _, _, _ := b.At(x, y).RGBA()
			if uint8(r>>8) != a.GrayAt(x, y).Y {
				return false
			}
		}
	}
	return true
}

// Ink must sit where the direction says: an RTL line hugs the right edge,
// an LTR line the left.
func TestRenderAlignment(t *testing.T) {
	inkSpan := func(img *image.Gray) (lo, hi int) {
		lo, hi = img.Rect.Dx(), -1
		for y := 0; y < img.Rect.Dy(); y++ {
			for x := 0; x < img.Rect.Dx(); x++ {
				if img.GrayAt(x, y).Y == 0 {
					lo, hi = min(lo, x), max(hi, x)
				}
			}
		}
		return lo, hi
	}
	ar, err := RenderLine("مرحبا", receipt())
	if err != nil {
		t.Fatal(err)
	}
	if lo, hi := inkSpan(ar); hi < 560 || lo < 300 {
		t.Errorf("Arabic line ink spans %d..%d; want it against the right edge of 576", lo, hi)
	}
	en, err := RenderLine("Hello", receipt())
	if err != nil {
		t.Fatal(err)
	}
	if lo, hi := inkSpan(en); lo > 16 || hi > 300 {
		t.Errorf("English line ink spans %d..%d; want it against the left edge", lo, hi)
	}
}

func TestRenderBadOptions(t *testing.T) {
	tests := []struct {
		name string
		o    PaperOptions
	}{
		{"zero size", PaperOptions{DPI: 203, Width: 576}},
		{"huge size", PaperOptions{SizePt: 1e9, DPI: 203, Width: 576}},
		{"zero dpi", PaperOptions{SizePt: 11, Width: 576}},
		{"no width", PaperOptions{SizePt: 11, DPI: 203}},
		{"negative width", PaperOptions{SizePt: 11, DPI: 203, Width: -5}},
		{"huge width", PaperOptions{SizePt: 11, DPI: 203, Width: 1 << 20}},
		{"bad spacing", PaperOptions{SizePt: 11, DPI: 203, Width: 576, LineSpacing: -1}},
	}
	for _, tt := range tests {
		if _, err := RenderParagraph("x", tt.o); err == nil {
			t.Errorf("%s: RenderParagraph accepted %+v", tt.name, tt.o)
		}
	}
	o := receipt()
	o.Width = 40
	if _, err := RenderLine("a line far too long for forty dots", o); err == nil {
		t.Error("RenderLine accepted a line wider than the paper")
	}
}

func FuzzRenderParagraph(f *testing.F) {
	f.Add("رقم الجوال: 0551234567", 11.0, 200)
	f.Add("\xff\x00\u202e abc", 4.0, 10)
	f.Add("", 12.0, 576)
	f.Fuzz(func(t *testing.T, s string, size float64, width int) {
		if len(s) > 300 {
			s = s[:300]
		}
		o := PaperOptions{SizePt: size, DPI: 203, Width: width % 600}
		img, err := RenderParagraph(s, o)
		if err == nil && img.Rect.Dx() != o.Width {
			t.Fatalf("image width %d, asked for %d", img.Rect.Dx(), o.Width)
		}
	})
}

// BenchmarkRenderReceiptLine measures one wrapped receipt paragraph.
func BenchmarkRenderReceiptLine(b *testing.B) {
	o := receipt()
	for b.Loop() {
		if _, err := RenderParagraph("رقم الجوال الجديد: 0551234567 - Absher", o); err != nil {
			b.Fatal(err)
		}
	}
}

// TestNoMissingGlyphs shapes text mixing Arabic with brackets and digits
// and finds no glyph the fonts lack (glyph 0, drawn as an empty box): a
// bracket beside Arabic letters must go to the font that has it.
func TestNoMissingGlyphs(t *testing.T) {
	sh, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"(ريال)", "الرسوم (ريال)", "ريال (SAR)", "[رقم] 123", "«مرحبا»", "رقم الجوال: 0551234567"} {
		for _, r := range Runs(s, RTL) {
			for _, p := range sh.shapeRun(r, sh.regular, 24) {
				for _, g := range p.glyphs {
					if g.GlyphID == 0 {
						t.Errorf("%q: run %q has a missing glyph", s, r.Text)
					}
				}
			}
		}
	}
}
