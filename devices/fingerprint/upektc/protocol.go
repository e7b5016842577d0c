package upektc

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Message types of the "Ciao" framing.
const (
	TypeData      = 0x00 // commands, replies, statuses and image frames
	TypeDeinitOK  = 0x01
	TypeVersion   = 0x03
	TypeInit      = 0x04
	TypeInitOK    = 0x05
	TypeDeinit    = 0x07
	TypeNotify    = 0x08 // unsolicited; must be answered with TypeNotifyAck
	TypeNotifyAck = 0x09
)

// Subtypes: the first payload byte of a TypeData message.
const (
	SubCommand    = 0x28
	SubFirstFrame = 0x2C
	SubFrame      = 0x24
	SubLastFrame  = 0x20
	SubFrameAck   = 0x30
)

var magic = [4]byte{'C', 'i', 'a', 'o'}

// headerLen is magic, type and the seq/length pair; CRCLen follows the payload.
const (
	headerLen = 7
	crcLen    = 2
	// MaxPayload is what the 12-bit length field can say.
	MaxPayload = 0xFFF
)

// Message is one framed message in either direction.
type Message struct {
	Type    byte
	Seq     byte // 0..15
	Payload []byte
}

// CRC16 is CRC-16/XMODEM: polynomial 0x1021, initial 0, no reflection, no
// final XOR.
func CRC16(b []byte) uint16 {
	var crc uint16
	for _, c := range b {
		crc ^= uint16(c) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// Marshal frames m. The CRC covers type, seq/length and payload and is sent
// low byte first.
func (m Message) Marshal() ([]byte, error) {
	if m.Seq > 0x0F {
		return nil, fmt.Errorf("upektc: sequence %d does not fit in 4 bits", m.Seq)
	}
	if len(m.Payload) > MaxPayload {
		return nil, fmt.Errorf("upektc: payload of %d bytes exceeds the 12-bit length field", len(m.Payload))
	}
	n := len(m.Payload)
	b := make([]byte, 0, headerLen+n+crcLen)
	b = append(b, magic[:]...)
	b = append(b, m.Type, m.Seq<<4|byte(n>>8), byte(n))
	b = append(b, m.Payload...)
	return binary.LittleEndian.AppendUint16(b, CRC16(b[4:])), nil
}

// Errors of Parse, for errors.Is.
var (
	ErrShort    = errors.New("upektc: message shorter than its header says")
	ErrMagic    = errors.New("upektc: message does not start with \"Ciao\"")
	ErrChecksum = errors.New("upektc: message CRC does not match")
)

// Length reads the total size (header, payload and CRC) that a message
// starting at b announces. b must hold at least the header.
func Length(b []byte) (int, error) {
	if len(b) < headerLen {
		return 0, fmt.Errorf("%w: %d bytes, the header alone is %d", ErrShort, len(b), headerLen)
	}
	if [4]byte(b[:4]) != magic {
		return 0, fmt.Errorf("%w: starts % x", ErrMagic, b[:4])
	}
	return headerLen + (int(b[5]&0x0F)<<8 | int(b[6])) + crcLen, nil
}

// Parse reads one message from the start of b; bytes after it (padding of a
// 64-byte transfer) are ignored. The payload aliases b.
func Parse(b []byte) (Message, error) {
	total, err := Length(b)
	if err != nil {
		return Message{}, err
	}
	if len(b) < total {
		return Message{}, fmt.Errorf("%w: announces %d bytes, got %d", ErrShort, total, len(b))
	}
	body := b[4 : total-crcLen]
	want := binary.LittleEndian.Uint16(b[total-crcLen:])
	if got := CRC16(body); got != want {
		return Message{}, fmt.Errorf("%w: computed %04x, message says %04x", ErrChecksum, got, want)
	}
	return Message{Type: b[4], Seq: b[5] >> 4, Payload: b[headerLen : total-crcLen]}, nil
}

// SensorInfo is what the get-info reply says about the sensor.
type SensorInfo struct {
	Swipe         bool // a swipe sensor, rather than an area (press) sensor
	Width, Height int  // as reported by the device
}

// ImageSize is the size of the image the frames carry: three quarters of
// the reported sensor size in each direction, for every known sensor.
func (s SensorInfo) ImageSize() (w, h int) { return s.Width * 3 / 4, s.Height * 3 / 4 }

// Errors of ParseInfo.
var ErrNotInfo = errors.New("upektc: message is not a get-info reply")

// ParseInfo reads a get-info reply (raw message bytes, CRC included).
func ParseInfo(raw []byte) (SensorInfo, error) {
	m, err := Parse(raw)
	if err != nil {
		return SensorInfo{}, fmt.Errorf("get-info reply: %w", err)
	}
	// Offsets below count from the start of the message, as the device
	// documentation does; the payload starts at offset 7.
	if m.Type != TypeData || len(m.Payload) < 54-headerLen || m.Payload[0] != SubCommand ||
		raw[12] != 0x06 || raw[13] != 0x14 {
		return SensorInfo{}, fmt.Errorf("%w: type %02x, %d payload bytes", ErrNotInfo, m.Type, len(m.Payload))
	}
	s := SensorInfo{
		Swipe:  raw[49]&0x80 != 0,
		Width:  int(binary.LittleEndian.Uint16(raw[50:])),
		Height: int(binary.LittleEndian.Uint16(raw[52:])),
	}
	w, h := s.ImageSize()
	if w == 0 || h == 0 || s.Width*3%4 != 0 || s.Height*3%4 != 0 || w*h > MaxImagePixels {
		return SensorInfo{}, fmt.Errorf("upektc: get-info reports an unusable sensor size %d×%d", s.Width, s.Height)
	}
	return s, nil
}

// MaxImagePixels bounds the image a device may announce, well above any
// TouchChip sensor, so a corrupt reply cannot make the host allocate wildly.
const MaxImagePixels = 1 << 20

// Finger statuses (byte 18 of a status message).
const (
	FingerPresent   = 0x00
	FingerRemoved   = 0x01
	FingerNone      = 0x0C
	FingerKeep      = 0x13
	ScanTooShort    = 0x1E
	TooMuchMovement = 0x1D
)

// ParseStatus reads the finger status from a status message.
func ParseStatus(m Message) (byte, error) {
	// Byte 18 of the message is payload byte 11.
	if m.Type != TypeData || len(m.Payload) < 12 || m.Payload[0] != SubCommand {
		return 0, fmt.Errorf("upektc: not a status message (type %02x, %d payload bytes)", m.Type, len(m.Payload))
	}
	return m.Payload[11], nil
}

// FramePixels returns the pixel bytes of an image frame and whether it is
// the last one.
func FramePixels(m Message) (pixels []byte, last bool, err error) {
	if m.Type != TypeData || len(m.Payload) == 0 {
		return nil, false, fmt.Errorf("upektc: not an image frame (type %02x)", m.Type)
	}
	p := m.Payload
	switch p[0] {
	case SubFirstFrame:
		if len(p) < 11 {
			return nil, false, fmt.Errorf("upektc: first frame of %d payload bytes is shorter than its 11-byte header", len(p))
		}
		return p[11:], false, nil
	case SubFrame:
		return p[1:], false, nil
	case SubLastFrame:
		if len(p) < 5 {
			return nil, false, fmt.Errorf("upektc: last frame of %d payload bytes is shorter than its 5 fixed bytes", len(p))
		}
		return p[1 : len(p)-4], true, nil
	}
	return nil, false, fmt.Errorf("upektc: subtype %02x is not an image frame", p[0])
}

// Assembler joins frame pixels into an image of a known size.
type Assembler struct {
	want int
	buf  []byte
}

// NewAssembler expects w×h pixels.
func NewAssembler(w, h int) *Assembler {
	return &Assembler{want: w * h, buf: make([]byte, 0, w*h)}
}

// Add appends one frame's pixels; it refuses more than the image holds.
func (a *Assembler) Add(pixels []byte) error {
	if len(a.buf)+len(pixels) > a.want {
		return fmt.Errorf("upektc: frames carry more than the %d pixels the sensor announced", a.want)
	}
	a.buf = append(a.buf, pixels...)
	return nil
}

// Pixels returns the image once complete.
func (a *Assembler) Pixels() ([]byte, error) {
	if len(a.buf) != a.want {
		return nil, fmt.Errorf("upektc: frames carried %d pixels, the sensor announced %d", len(a.buf), a.want)
	}
	return a.buf, nil
}
