package fir

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/absher-kiosk/kiosk/internal/golden"
)

func gradient(w, h int) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			g.Pix[y*g.Stride+x] = uint8((x*7 + y*13) % 256)
		}
	}
	return g
}

func valid(t testing.TB) []byte {
	b, err := Encode(&Record{FingerPosition: RightIndex, ResolutionDPI: 500, Quality: 60, Image: gradient(16, 12)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRoundTrip(t *testing.T) {
	for _, c := range []Record{
		{RightIndex, 500, 60, gradient(256, 320)},
		{LeftIndex, 1000, 100, gradient(1, 1)},
		{0, 100, 0, gradient(MaxSide, 3)},
	} {
		b, err := Encode(&c)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		if got.FingerPosition != c.FingerPosition || got.ResolutionDPI != c.ResolutionDPI || got.Quality != c.Quality {
			t.Fatalf("fields: got %+v want %+v", got, c)
		}
		if got.Image.Rect != c.Image.Rect || !bytes.Equal(got.Image.Pix, c.Image.Pix) {
			t.Fatal("pixels changed in the round trip")
		}
	}
}

// The golden record pins the byte layout of the headers.
func TestGolden(t *testing.T) {
	b := valid(t)
	want := golden.Read(t, filepath.Join("testdata", "right-index-16x12.fir"), b)
	if !bytes.Equal(b[:headerLen], want[:headerLen]) {
		t.Fatalf("headers differ from golden:\n got %x\nwant %x", b[:headerLen], want[:headerLen])
	}
	if _, err := Decode(want); err != nil {
		t.Fatalf("golden record does not decode: %v", err)
	}
	wantHdr := []byte{'F', 'I', 'R', 0, '0', '1', '0', 0}
	if !bytes.Equal(want[:8], wantHdr) || want[29] != 5 || want[generalHeaderLen+4] != RightIndex {
		t.Fatalf("golden header fields wrong: %x", want[:headerLen])
	}
}

func pngOf(img image.Image) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// withImage replaces the image data of a valid record and fixes both
// lengths, so only the image is wrong.
func withImage(b []byte, data []byte, w, h int) []byte {
	out := append(append([]byte{}, b[:headerLen]...), data...)
	putUint48(out[8:14], uint64(len(out)))
	binary.BigEndian.PutUint32(out[32:36], uint32(len(out)-generalHeaderLen))
	binary.BigEndian.PutUint16(out[41:43], uint16(w))
	binary.BigEndian.PutUint16(out[43:45], uint16(h))
	return out
}

func TestDecodeBadInput(t *testing.T) {
	base := valid(t)
	mut := func(f func(b []byte) []byte) []byte {
		return f(append([]byte{}, base...))
	}
	rgba := image.NewRGBA(image.Rect(0, 0, 4, 4))
	rgba.Set(1, 1, color.RGBA{200, 10, 10, 255})
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "shorter than"},
		{"truncated header", base[:40], "shorter than"},
		{"truncated image", base[:len(base)-5], "record length field says"},
		{"wrong magic", mut(func(b []byte) []byte { b[0] = 'X'; return b }), "format identifier"},
		{"wrong version", mut(func(b []byte) []byte { copy(b[4:8], "020\x00"); return b }), "version"},
		{"length mismatch", mut(func(b []byte) []byte { putUint48(b[8:14], uint64(len(b)+1)); return b }), "record length field says"},
		{"length beyond limit", mut(func(b []byte) []byte { putUint48(b[8:14], 1<<40); return b }), "exceeds"},
		{"two fingers", mut(func(b []byte) []byte { b[18] = 2; return b }), "finger images"},
		{"bad scale units", mut(func(b []byte) []byte { b[19] = 9; return b }), "scale units"},
		{"zero scan resolution", mut(func(b []byte) []byte { b[20], b[21] = 0, 0; return b }), "scan resolution"},
		{"non-square resolution", mut(func(b []byte) []byte { b[27]++; return b }), "not square"},
		{"resolution too low", mut(func(b []byte) []byte {
			binary.BigEndian.PutUint16(b[24:], 50)
			binary.BigEndian.PutUint16(b[26:], 50)
			return b
		}), "resolution"},
		{"pixel depth 16", mut(func(b []byte) []byte { b[28] = 16; return b }), "pixel depth"},
		{"WSQ compression", mut(func(b []byte) []byte { b[29] = 2; return b }), "(WSQ) is not supported"},
		{"uncompressed", mut(func(b []byte) []byte { b[29] = 0; return b }), "not supported"},
		{"unknown compression", mut(func(b []byte) []byte { b[29] = 77; return b }), "not in the standard"},
		{"finger block length", mut(func(b []byte) []byte { b[35]++; return b }), "finger block length"},
		{"bad position", mut(func(b []byte) []byte { b[36] = 11; return b }), "finger position"},
		{"two views", mut(func(b []byte) []byte { b[37] = 2; return b }), "exactly one view"},
		{"view zero", mut(func(b []byte) []byte { b[38] = 0; return b }), "exactly one view"},
		{"quality 101", mut(func(b []byte) []byte { b[39] = 101; return b }), "quality"},
		{"bad impression", mut(func(b []byte) []byte { b[40] = 5; return b }), "impression type"},
		{"width zero", mut(func(b []byte) []byte { b[41], b[42] = 0, 0; return b }), "outside 1.."},
		{"too large", mut(func(b []byte) []byte { binary.BigEndian.PutUint16(b[41:], 60000); return b }), "outside 1.."},
		{"header size disagrees with PNG", mut(func(b []byte) []byte { b[42]++; return b }), "header says"},
		{"corrupt PNG", withImage(base, []byte("\x89PNG\r\n\x1a\nnot really"), 16, 12), "not a readable PNG"},
		{"corrupt PNG body", withImage(base, func() []byte { p := pngOf(gradient(16, 12)); p[len(p)-20] ^= 0xff; return p }(), 16, 12), "corrupt"},
		{"colour PNG", withImage(base, pngOf(rgba), 4, 4), "grey image is required"},
		{"PNG claims huge size", withImage(base, pngOf(gradient(5000, 1)), 5000, 1), "outside 1.."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode(c.in)
			if err == nil {
				t.Fatal("want an error")
			}
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

func TestDecodePPCM(t *testing.T) {
	b := valid(t)
	b[19] = scaleUnitsPPCM
	for _, off := range []int{20, 22, 24, 26} {
		binary.BigEndian.PutUint16(b[off:], 197) // 500 ppi
	}
	r, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if r.ResolutionDPI != 500 {
		t.Fatalf("197 ppcm read as %d ppi, want 500", r.ResolutionDPI)
	}
}

func TestEncodeRejects(t *testing.T) {
	for name, r := range map[string]*Record{
		"nil":       nil,
		"no image":  {FingerPosition: 2, ResolutionDPI: 500},
		"position":  {FingerPosition: 12, ResolutionDPI: 500, Image: gradient(2, 2)},
		"dpi":       {FingerPosition: 2, ResolutionDPI: 5, Image: gradient(2, 2)},
		"quality":   {FingerPosition: 2, ResolutionDPI: 500, Quality: -1, Image: gradient(2, 2)},
		"too large": {FingerPosition: 2, ResolutionDPI: 500, Image: gradient(MaxSide+1, 1)},
		"empty":     {FingerPosition: 2, ResolutionDPI: 500, Image: image.NewGray(image.Rect(0, 0, 0, 0))},
	} {
		if _, err := Encode(r); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(valid(f))
	f.Add([]byte("FIR\x00010\x00"))
	f.Add([]byte{})
	if b, err := os.ReadFile(filepath.Join("testdata", "right-index-16x12.fir")); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Decode(b)
		if err != nil {
			if r != nil {
				t.Fatal("record returned with an error")
			}
			return
		}
		// Whatever decodes must encode and decode to the same image.
		out, err := Encode(r)
		if err != nil {
			t.Fatalf("decoded record does not re-encode: %v", err)
		}
		r2, err := Decode(out)
		if err != nil || !bytes.Equal(r2.Image.Pix, r.Image.Pix) {
			t.Fatalf("re-encoded record differs: %v", err)
		}
	})
}

func BenchmarkEncode(b *testing.B) {
	r := &Record{FingerPosition: RightIndex, ResolutionDPI: 500, Quality: 60, Image: gradient(256, 320)}
	for b.Loop() {
		if _, err := Encode(r); err != nil {
			b.Fatal(err)
		}
	}
}
