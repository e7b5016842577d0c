package upektc

import (
	"bytes"
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

func TestCRC16CheckValue(t *testing.T) {
	if got := CRC16([]byte("123456789")); got != 0x31C3 {
		t.Fatalf("CRC16(123456789) = %04x, want 31c3", got)
	}
}

// TestFrameAckVectors checks all sixteen frame acknowledgements of the
// recording.
func TestFrameAckVectors(t *testing.T) {
	crcs := []string{"6205", "0146", "A483", "C7C0", "CF18", "AC5B", "099E", "6ADD",
		"383E", "5B7D", "FEB8", "9DFB", "9523", "F660", "53A5", "30E6"}
	for seq, crc := range crcs {
		b, err := Message{Type: TypeData, Seq: byte(seq), Payload: frameAck}.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		want := unhex(t, "4369616F00"+hex.EncodeToString([]byte{byte(seq) << 4})+"0130"+crc)
		if !bytes.Equal(b, want) {
			t.Errorf("frame ack seq %X = % x, want % x", seq, b, want)
		}
	}
}

// TestHostMessagesMatchRecording marshals every kind of host message and
// compares it with the bytes of the recorded session.
func TestHostMessagesMatchRecording(t *testing.T) {
	tests := []struct {
		name string
		m    Message
		want string
	}{
		{"init-1", Message{Type: TypeInit, Payload: init1Payload}, "43 69 61 6F 04 00 0D 01 00 46 00 00 00 00 00 01 01 00 00 00 DA C1"},
		{"init-2", Message{Type: TypeDeinit, Payload: deinitPayload}, "43 69 61 6F 07 00 01 01 3D 72"},
		{"init-3", Message{Type: TypeInit, Payload: init3Payload}, "43 69 61 6F 04 00 0D 01 00 BC 02 00 00 00 00 01 01 00 00 00 55 2F"},
		{"get-info", Message{Type: TypeData, Payload: getInfoPayload}, "43 69 61 6F 00 00 07 28 04 00 00 00 06 04 C0 D6"},
		{"capture swipe", Message{Type: TypeData, Seq: 1, Payload: captureRequest(true)}, "43 69 61 6F 00 10 0E 28 0B 00 00 00 0E 02 FE FF FF FF 02 00 02 2F 8A"},
		{"status ack 2", Message{Type: TypeData, Seq: 2, Payload: statusAck}, "43 69 61 6F 00 20 08 28 05 00 00 00 00 30 01 53 19"},
		{"status ack 3", Message{Type: TypeData, Seq: 3, Payload: statusAck}, "43 69 61 6F 00 30 08 28 05 00 00 00 00 30 01 C5 8D"},
		{"notify ack", Message{Type: TypeNotifyAck}, "43 69 61 6F 09 00 00 91 9E"},
		{"deinit F", Message{Type: TypeDeinit, Seq: 0xF, Payload: deinitPayload}, "43 69 61 6F 07 F0 01 01 6F 91"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.m.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if want := unhex(t, tc.want); !bytes.Equal(got, want) {
				t.Fatalf("got  % x\nwant % x", got, want)
			}
		})
	}
}

func TestCaptureRequestAreaSensorWaitsForAnyFinger(t *testing.T) {
	b, err := Message{Type: TypeData, Seq: 1, Payload: captureRequest(false)}.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if b[19] != 0x01 {
		t.Fatalf("wait-mode byte = %02x, want 01 for an area sensor", b[19])
	}
	if _, err := Parse(b); err != nil {
		t.Fatalf("area capture request does not parse back: %v", err)
	}
}

const getInfoReply = "43 69 61 6F 00 00 37 28 34 00 00 00 06 14 25 10 00 05 25 10 00 05 0D 00 00 20 6F 01 07 00 3A 00" +
	"07 00 00 00 00 00 1E 00 00 00 02 00 00 80 43 00 00 E4 C0 00 00 02 00 00 00 00 01 00 03 00 E7 05"

func TestParseDeviceMessagesOfRecording(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		typ     byte
		seq     byte
		payload string
	}{
		{"version", "43 69 61 6F 03 00 05 01 31 30 2E 35 C2 FD", TypeVersion, 0, "01 31 30 2E 35"},
		{"init ok", "43 69 61 6F 05 00 01 00 74 8F", TypeInitOK, 0, "00"},
		{"deinit ok", "43 69 61 6F 01 00 00 30 37", TypeDeinitOK, 0, ""},
		{"notify", "43 69 61 6F 08 00 00 A1 A9", TypeNotify, 0, ""},
		{"status none", "43 69 61 6F 00 10 14 28 11 00 00 00 00 20 01 00 00 00 0C 00 00 00 00 00 00 00 00 D1 BC", TypeData, 1, "28 11 00 00 00 00 20 01 00 00 00 0C 00 00 00 00 00 00 00 00"},
		{"padded to 64", "43 69 61 6F 01 00 00 30 37" + strings.Repeat("00", 55), TypeDeinitOK, 0, ""},
		{"get-info", getInfoReply, TypeData, 0, getInfoReply[7*3 : len(getInfoReply)-6]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse(unhex(t, tc.raw))
			if err != nil {
				t.Fatal(err)
			}
			if m.Type != tc.typ || m.Seq != tc.seq || !bytes.Equal(m.Payload, unhex(t, tc.payload)) {
				t.Fatalf("got type %02x seq %d payload % x", m.Type, m.Seq, m.Payload)
			}
		})
	}
}

func TestParseRejectsBadInput(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want error
	}{
		{"empty", "", ErrShort},
		{"header cut", "43 69 61 6F 00 00", ErrShort},
		{"wrong magic", "43 69 61 70 01 00 00 30 37", ErrMagic},
		{"payload cut", "43 69 61 6F 05 00 01 00 74", ErrShort},
		{"length beyond data", "43 69 61 6F 00 0F FF 00 00", ErrShort},
		{"crc flipped", "43 69 61 6F 01 00 00 30 38", ErrChecksum},
		{"payload changed", "43 69 61 6F 05 00 01 01 74 8F", ErrChecksum},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(unhex(t, tc.raw))
			if !errors.Is(err, tc.want) {
				t.Fatalf("Parse error = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestMarshalRejectsWhatTheFrameCannotHold(t *testing.T) {
	if _, err := (Message{Seq: 16}).Marshal(); err == nil {
		t.Error("sequence 16 accepted")
	}
	if _, err := (Message{Payload: make([]byte, MaxPayload+1)}).Marshal(); err == nil {
		t.Error("payload longer than 4095 accepted")
	}
}

func TestParseInfo(t *testing.T) {
	s, err := ParseInfo(unhex(t, getInfoReply))
	if err != nil {
		t.Fatal(err)
	}
	if !s.Swipe || s.Width != 192 || s.Height != 512 {
		t.Fatalf("info = %+v, want swipe 192×512", s)
	}
	if w, h := s.ImageSize(); w != 144 || h != 384 {
		t.Fatalf("image size %d×%d, want 144×384", w, h)
	}
}

// infoWith rewrites the recorded get-info reply with another sensor type
// and size, recomputing the CRC.
func infoWith(t testing.TB, typ byte, w, h uint16) []byte {
	b := unhex(t, getInfoReply)
	b[49] = typ
	b[50], b[51], b[52], b[53] = byte(w), byte(w>>8), byte(h), byte(h>>8)
	crc := CRC16(b[4:62])
	b[62], b[63] = byte(crc), byte(crc>>8)
	return b
}

func TestParseInfoOtherSensors(t *testing.T) {
	s, err := ParseInfo(infoWith(t, 0x64, 256, 360))
	if err != nil {
		t.Fatal(err)
	}
	if s.Swipe {
		t.Fatal("bit 7 clear should mean an area sensor")
	}
	if w, h := s.ImageSize(); w != 192 || h != 270 {
		t.Fatalf("image size %d×%d, want 192×270", w, h)
	}
}

func TestParseInfoRejectsBadInput(t *testing.T) {
	notInfo := unhex(t, getInfoReply)
	notInfo[13] = 0x15
	crc := CRC16(notInfo[4:62])
	notInfo[62], notInfo[63] = byte(crc), byte(crc>>8)
	tests := []struct {
		name string
		raw  []byte
	}{
		{"not a reply", unhex(t, "43 69 61 6F 05 00 01 00 74 8F")},
		{"no 06 14 marker", notInfo},
		{"zero width", infoWith(t, 0xE4, 0, 512)},
		{"width not divisible", infoWith(t, 0xE4, 190, 512)},
		{"huge", infoWith(t, 0xE4, 0xFFFC, 0xFFFC)},
		{"bad crc", append(unhex(t, getInfoReply)[:63], 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseInfo(tc.raw); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestFramePixels(t *testing.T) {
	first := append([]byte{SubFirstFrame, 0x0C, 0xD8, 0, 0, 0x0E, 0x12, 0, 0xD8, 0, 0}, 1, 2, 3)
	tests := []struct {
		name    string
		payload []byte
		pixels  []byte
		last    bool
		bad     bool
	}{
		{"first", first, []byte{1, 2, 3}, false, false},
		{"middle", []byte{SubFrame, 4, 5}, []byte{4, 5}, false, false},
		{"last", []byte{SubLastFrame, 6, 7, 0, 0, 0, 0}, []byte{6, 7}, true, false},
		{"first too short", []byte{SubFirstFrame, 1}, nil, false, true},
		{"last too short", []byte{SubLastFrame, 0, 0}, nil, false, true},
		{"status is not a frame", []byte{SubCommand}, nil, false, true},
		{"empty", nil, nil, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			px, last, err := FramePixels(Message{Type: TypeData, Payload: tc.payload})
			if tc.bad {
				if err == nil {
					t.Fatal("accepted")
				}
				return
			}
			if err != nil || last != tc.last || !bytes.Equal(px, tc.pixels) {
				t.Fatalf("got % x, %v, %v", px, last, err)
			}
		})
	}
}

func TestAssemblerCounts(t *testing.T) {
	a := NewAssembler(2, 2)
	if err := a.Add([]byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Pixels(); err == nil {
		t.Fatal("incomplete image accepted")
	}
	if err := a.Add([]byte{4, 5}); err == nil {
		t.Fatal("overflowing frame accepted")
	}
	if err := a.Add([]byte{4}); err != nil {
		t.Fatal(err)
	}
	if px, err := a.Pixels(); err != nil || !bytes.Equal(px, []byte{1, 2, 3, 4}) {
		t.Fatalf("Pixels = % x, %v", px, err)
	}
}

func TestStatusParse(t *testing.T) {
	m, err := Parse(unhex(t, "43 69 61 6F 00 20 14 28 11 00 00 00 00 20 01 00 00 00 00 00 00 00 00 00 00 00 00 2A DE"))
	if err != nil {
		t.Fatal(err)
	}
	if code, err := ParseStatus(m); err != nil || code != FingerPresent {
		t.Fatalf("status = %02x, %v", code, err)
	}
	if _, err := ParseStatus(Message{Type: TypeData, Payload: []byte{SubCommand, 1}}); err == nil {
		t.Fatal("short status accepted")
	}
}
