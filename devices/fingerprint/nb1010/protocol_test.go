package nb1010

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func TestCommandsMatchRecording(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"check finger", checkFingerCmd, "80 38 01 00 08 00 00 00"},
		{"pre-capture", preCaptureCmd, "80 0D 03 00 0C 00 00 00 00 04 00 00"},
		{"capture", captureCmd, "80 12 04 00 20 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 20 00 00 00"},
	}
	for _, tc := range tests {
		if want := unhex(t, tc.want); !bytes.Equal(tc.got, want) {
			t.Errorf("%s = % x, want % x", tc.name, tc.got, want)
		}
	}
}

func TestParseReply(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want Reply
	}{
		{"finger level", "80 37 01 00 10 00 00 00 00 00 00 00 F7 00 00 00", Reply{Code: ReplyFinger, Seq: 1, Result: 0xF7}},
		{"ack", "80 20 03 00 10 00 00 00 00 00 00 00 00 00 00 00", Reply{Code: ReplyAck, Seq: 3}},
		{"capture ack", "80 20 04 00 10 00 00 00 00 00 00 00 03 00 00 00", Reply{Code: ReplyAck, Seq: 4, Result: 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseReply(unhex(t, tc.raw))
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestParseReplyRejectsBadInput(t *testing.T) {
	tests := []struct{ name, raw string }{
		{"empty", ""},
		{"short", "80 37 01 00 10 00 00 00"},
		{"long", "80 37 01 00 10 00 00 00 00 00 00 00 F7 00 00 00 00"},
		{"no marker", "00 37 01 00 10 00 00 00 00 00 00 00 F7 00 00 00"},
		{"length field lies", "80 37 01 00 11 00 00 00 00 00 00 00 F7 00 00 00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseReply(unhex(t, tc.raw)); !errors.Is(err, ErrBadReply) {
				t.Fatalf("error %v, want ErrBadReply", err)
			}
		})
	}
}

// partial builds an image transfer as the device sends it.
func partial(k int, more bool, width uint32, fill byte) []byte {
	b := make([]byte, PartialLen)
	b[0], b[1] = marker, ReplyImage
	binary.LittleEndian.PutUint32(b[4:], PartialLen)
	if more {
		b[12] = 1
	}
	rows := pixelLen / int(width)
	binary.LittleEndian.PutUint32(b[16:], uint32(k*rows+rows-1))
	binary.LittleEndian.PutUint32(b[20:], width)
	b[24] = 1
	for i := range pixelLen {
		b[pixelStart+i] = fill + byte(i/int(width))
	}
	return b
}

func TestParsePartialRejectsBadInput(t *testing.T) {
	good := partial(0, true, 256, 0)
	mutate := func(f func(b []byte)) []byte {
		b := bytes.Clone(good)
		f(b)
		return b
	}
	tests := []struct {
		name string
		raw  []byte
	}{
		{"empty", nil},
		{"short transfer", good[:PartialLen-1]},
		{"wrong code", mutate(func(b []byte) { b[1] = ReplyAck })},
		{"no marker", mutate(func(b []byte) { b[0] = 0 })},
		{"length field lies", mutate(func(b []byte) { b[4] = 0x1D })},
		{"zero width", mutate(func(b []byte) { binary.LittleEndian.PutUint32(b[20:], 0) })},
		{"width not dividing", mutate(func(b []byte) { binary.LittleEndian.PutUint32(b[20:], 300) })},
		{"row out of range", mutate(func(b []byte) { binary.LittleEndian.PutUint32(b[16:], MaxRows) })},
		{"negative-looking row", mutate(func(b []byte) { binary.LittleEndian.PutUint32(b[16:], 0xFFFFFFFF) })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParsePartial(tc.raw); !errors.Is(err, ErrBadReply) {
				t.Fatalf("error %v, want ErrBadReply", err)
			}
		})
	}
}

func TestAssemblerTakesGeometryFromPartials(t *testing.T) {
	for _, tc := range []struct {
		width    uint32
		partials int
	}{{256, 90}, {128, 10}, {512, 3}} {
		var a Assembler
		for k := range tc.partials {
			p, err := ParsePartial(partial(k, k < tc.partials-1, tc.width, byte(k)))
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Add(p); err != nil {
				t.Fatalf("width %d partial %d: %v", tc.width, k, err)
			}
		}
		img, err := a.Image()
		if err != nil {
			t.Fatal(err)
		}
		rows := tc.partials * pixelLen / int(tc.width)
		if img.Rect.Dx() != int(tc.width) || img.Rect.Dy() != rows {
			t.Fatalf("image %v, want %d×%d", img.Rect, tc.width, rows)
		}
	}
}

func TestAssemblerRejectsInconsistentPartials(t *testing.T) {
	p0, _ := ParsePartial(partial(0, true, 256, 0))
	skipped, _ := ParsePartial(partial(2, true, 256, 0))
	narrower, _ := ParsePartial(partial(1, true, 128, 0))
	var a Assembler
	if _, err := a.Image(); err == nil {
		t.Fatal("empty image accepted")
	}
	if err := a.Add(p0); err != nil {
		t.Fatal(err)
	}
	if err := a.Add(skipped); err == nil {
		t.Fatal("a partial that skips rows was accepted")
	}
	if err := a.Add(narrower); err == nil {
		t.Fatal("a change of row width was accepted")
	}
}

func FuzzParseReply(f *testing.F) {
	f.Add(unhex(f, "80 37 01 00 10 00 00 00 00 00 00 00 F7 00 00 00"))
	f.Add(unhex(f, "80 20 04 00 10 00 00 00 00 00 00 00 03 00 00 00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseReply(b)
		if err != nil {
			return
		}
		if len(b) != ReplyLen || r.Code != b[1] || r.Seq != b[2] {
			t.Fatalf("accepted % x as %+v", b, r)
		}
	})
}

// FuzzPartials feeds a sequence of image transfers to the parser and the
// assembler, as a capture does.
func FuzzPartials(f *testing.F) {
	f.Add(append(partial(0, true, 256, 0), partial(1, false, 256, 9)...))
	f.Add(partial(0, false, 128, 3))
	f.Fuzz(func(t *testing.T, stream []byte) {
		var a Assembler
		for len(stream) >= PartialLen {
			p, err := ParsePartial(stream[:PartialLen])
			stream = stream[PartialLen:]
			if err != nil {
				return
			}
			if err := a.Add(p); err != nil {
				return
			}
			if !p.More {
				break
			}
		}
		img, err := a.Image()
		if err != nil {
			return
		}
		if len(img.Pix) != img.Rect.Dx()*img.Rect.Dy() || img.Rect.Dy() > MaxRows {
			t.Fatalf("image %v with %d pixels", img.Rect, len(img.Pix))
		}
	})
}
