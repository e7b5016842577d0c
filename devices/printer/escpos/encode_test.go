package escpos

import (
	"bytes"
	"image"
	"image/color"
	"strings"
	"testing"
)

func white(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	return img
}

func mustProfile(t testing.TB, name string) Profile {
	p, err := LookupProfile(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEncodeCommands(t *testing.T) {
	p := mustProfile(t, "epson-tm-t88")
	tests := []struct {
		name string
		doc  Doc
		want []byte
	}{
		{"init only", nil, []byte{esc, '@'}},
		{"text", Doc{Text{Latin: "Hi", Align: Center, Bold: true, DoubleHeight: true, DoubleWidth: true}},
			[]byte("\x1b@\x1ba\x01\x1bE\x01\x1d!\x11Hi\n\x1bE\x00\x1d!\x00")},
		{"feed lines", Doc{Feed{Lines: 3}}, []byte("\x1b@\x1bd\x03")},
		{"feed dots over 255", Doc{Feed{Dots: 300}}, []byte("\x1b@\x1bJ\xff\x1bJ\x2d")},
		{"full cut", Doc{Cut{}}, []byte("\x1b@\x1dV\x41\x60")},
		{"partial cut", Doc{Cut{Partial: true}}, []byte("\x1b@\x1dVB\x60")},
		{"code128", Doc{Code128{Data: "A{1"}}, []byte("\x1b@\x1ba\x00\x1dh\x50\x1dw\x02\x1dH\x02\x1dkI\x06{BA{{1")},
		{"qr", Doc{QR{Data: "abc", ModuleSize: 4, ECC: ECCQuartile}},
			[]byte("\x1b@\x1ba\x00\x1d(k\x04\x001A2\x00\x1d(k\x03\x001C\x04\x1d(k\x03\x001E2\x1d(k\x06\x001P0abc\x1d(k\x03\x001Q0\n")},
		{"present on a model without presenter", Doc{Present{}, Retract{}}, []byte("\x1b@")},
	}
	for _, tt := range tests {
		got, err := Encode(p, tt.doc)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !bytes.Equal(got.Bytes, tt.want) {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got.Bytes, tt.want)
		}
	}
}

func TestEncodePresenter(t *testing.T) {
	got, err := Encode(mustProfile(t, "custom-vkp80"), Doc{Cut{Partial: true}, Present{}, Retract{}})
	if err != nil {
		t.Fatal(err)
	}
	// No partial cutter: a full cut, then the presenter commands.
	want := []byte("\x1b@\x1dV\x41\x60\x1de\x03\x0c\x1de\x02")
	if !bytes.Equal(got.Bytes, want) {
		t.Fatalf("got %q want %q", got.Bytes, want)
	}
}

// Blank rows become paper feed; bands stay within the profile's limit.
func TestRasterBandsAndBlankRows(t *testing.T) {
	p := mustProfile(t, "basic-58mm-noqr") // 64-row bands
	img := white(16, 200)
	for y := 0; y < 10; y++ {
		img.SetGray(3, y, color.Gray{})
	}
	for y := 110; y < 200; y++ {
		img.SetGray(15, y, color.Gray{})
	}
	got, err := Encode(p, Doc{Image{Img: img}})
	if err != nil {
		t.Fatal(err)
	}
	var want []byte
	want = append(want, esc, '@', esc, 'a', 0)
	band := func(rows int, b0, b1 byte) {
		want = append(want, gs, 'v', '0', 0, 2, 0, byte(rows), 0)
		for i := 0; i < rows; i++ {
			want = append(want, b0, b1)
		}
	}
	band(10, 0x10, 0)
	want = append(want, esc, 'J', 100)
	band(64, 0, 0x01)
	band(26, 0, 0x01)
	if !bytes.Equal(got.Bytes, want) {
		t.Fatalf("got  %x\nwant %x", got.Bytes, want)
	}
	for i, b := range got.Breaks {
		if i > 0 && b <= got.Breaks[i-1] || b > len(got.Bytes) {
			t.Fatalf("breaks %v not rising within %d bytes", got.Breaks, len(got.Bytes))
		}
	}
}

func TestToBits(t *testing.T) {
	img := white(4, 1)
	img.SetGray(0, 0, color.Gray{Y: 0})
	img.SetGray(1, 0, color.Gray{Y: 127})
	img.SetGray(2, 0, color.Gray{Y: 128})
	b := ToBits(img, false)
	if !b.At(0, 0) || !b.At(1, 0) || b.At(2, 0) || b.At(3, 0) {
		t.Fatalf("threshold gave %v", b.Pix)
	}
	// Transparent counts as paper.
	rgba := image.NewNRGBA(image.Rect(0, 0, 1, 1))
	if ToBits(rgba, false).At(0, 0) {
		t.Fatal("transparent pixel printed black")
	}
	// A 50% grey field dithers to about half black.
	grey := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range grey.Pix {
		grey.Pix[i] = 128
	}
	d := ToBits(grey, true)
	n := 0
	for _, v := range d.Pix {
		if v {
			n++
		}
	}
	if n < 64*64*45/100 || n > 64*64*55/100 {
		t.Fatalf("dithered 50%% grey has %d of %d dots black", n, 64*64)
	}
}

func TestEncodeErrors(t *testing.T) {
	p := mustProfile(t, "epson-tm-t88")
	noqr := mustProfile(t, "basic-58mm-noqr")
	tests := []struct {
		name string
		p    Profile
		doc  Doc
		msg  string
	}{
		{"empty profile", Profile{}, nil, "LookupProfile"},
		{"arabic text", p, Doc{Text{Latin: "مرحبا"}}, "render other scripts"},
		{"control char", p, Doc{Text{Latin: "a\x1bb"}}, "printable ASCII"},
		{"bad align", p, Doc{Text{Latin: "a", Align: 7}}, "alignment"},
		{"nil block", p, Doc{nil}, "empty block"},
		{"nil image", p, Doc{Image{}}, "no image"},
		{"wide image", p, Doc{Image{Img: white(577, 2)}}, "577 dots wide"},
		{"negative feed", p, Doc{Feed{Dots: -1}}, "negative"},
		{"empty qr", p, Doc{QR{}}, "no data"},
		{"qr module", p, Doc{QR{Data: "a", ModuleSize: 17}}, "module size"},
		{"qr ecc", p, Doc{QR{Data: "a", ECC: 9}}, "error correction"},
		{"raster qr too wide", noqr, Doc{QR{Data: strings.Repeat("x", 300), ModuleSize: 16}}, "wider than"},
		{"empty code128", p, Doc{Code128{}}, "1..250"},
		{"code128 non-ascii", p, Doc{Code128{Data: "é"}}, "printable ASCII"},
	}
	for _, tt := range tests {
		_, err := Encode(tt.p, tt.doc)
		if err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: err %v, want %q", tt.name, err, tt.msg)
		}
	}
}

func TestLookupProfile(t *testing.T) {
	for _, n := range ProfileNames() {
		p := mustProfile(t, n)
		if p.Name != n || (p.DotsPerLine != 576 && p.DotsPerLine != 512 && p.DotsPerLine != 384) {
			t.Errorf("profile %s: %+v", n, p)
		}
	}
	if p := mustProfile(t, "generic-80mm-180dpi"); p.DotsPerLine != 512 || p.DPI != 180 {
		t.Errorf("180 dpi profile: %+v", p)
	}
	_, err := LookupProfile("nope")
	if err == nil || !strings.Contains(err.Error(), "custom-vkp80") {
		t.Fatalf("unknown profile error %v does not list the known ones", err)
	}
}
