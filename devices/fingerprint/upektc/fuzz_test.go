package upektc

import (
	"bytes"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{"43 69 61 6F 03 00 05 01 31 30 2E 35 C2 FD", "43 69 61 6F 08 00 00 A1 A9", getInfoReply, "43 69 61 6F 00 0F FF"} {
		f.Add(unhex(f, s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			return
		}
		// Whatever parses must marshal back to the same bytes.
		again, err := m.Marshal()
		if err != nil {
			t.Fatalf("parsed message does not marshal: %v", err)
		}
		if !bytes.Equal(again, b[:len(again)]) {
			t.Fatalf("round trip changed % x into % x", b[:len(again)], again)
		}
	})
}

func FuzzParseInfo(f *testing.F) {
	f.Add(unhex(f, getInfoReply))
	f.Add(infoWith(f, 0x64, 256, 360))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseInfo(b)
		if err != nil {
			return
		}
		if w, h := s.ImageSize(); w <= 0 || h <= 0 || w*h > MaxImagePixels {
			t.Fatalf("accepted size %d×%d", w, h)
		}
	})
}

// FuzzFrames feeds a stream of framed messages through frame parsing and
// assembly, as the driver does during a capture.
func FuzzFrames(f *testing.F) {
	var stream []byte
	for _, p := range [][]byte{
		append([]byte{SubFirstFrame, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 1, 2, 3),
		{SubFrame, 4, 5, 6},
		{SubLastFrame, 7, 8, 9, 0, 0, 0, 0},
	} {
		b, _ := Message{Type: TypeData, Payload: p}.Marshal()
		stream = append(stream, b...)
	}
	f.Add(stream, uint8(3), uint8(3))
	f.Fuzz(func(t *testing.T, stream []byte, w, h uint8) {
		a := NewAssembler(int(w), int(h))
		for len(stream) > 0 {
			n, err := Length(stream)
			if err != nil || n > len(stream) {
				return
			}
			m, err := Parse(stream[:n])
			stream = stream[n:]
			if err != nil {
				continue
			}
			px, last, err := FramePixels(m)
			if err != nil {
				continue
			}
			if err := a.Add(px); err != nil {
				return
			}
			if last {
				if px, err := a.Pixels(); err == nil && len(px) != int(w)*int(h) {
					t.Fatalf("image of %d pixels for %d×%d", len(px), w, h)
				}
				return
			}
		}
	})
}
