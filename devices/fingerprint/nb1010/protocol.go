package nb1010

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
)

// Command and reply codes.
const (
	CmdCheckFinger = 0x38
	CmdPreCapture  = 0x0D
	CmdCapture     = 0x12

	ReplyFinger = 0x37
	ReplyAck    = 0x20
	ReplyImage  = 0x21
)

// Sequence bytes. The device only echoes them, and a replay compares them
// byte for byte, so they are the fixed values the device was recorded with.
const (
	seqCheckFinger = 0x01
	seqPreCapture  = 0x03
	seqCapture     = 0x04
)

const marker = 0x80

// command frames a command: marker, code, sequence, 0, LE total length,
// parameters.
func command(code, seq byte, params []byte) []byte {
	b := make([]byte, 8, 8+len(params))
	b[0], b[1], b[2] = marker, code, seq
	binary.LittleEndian.PutUint32(b[4:], uint32(8+len(params)))
	return append(b, params...)
}

var (
	checkFingerCmd = command(CmdCheckFinger, seqCheckFinger, nil)
	preCaptureCmd  = command(CmdPreCapture, seqPreCapture, []byte{0x00, 0x04, 0x00, 0x00})
	captureCmd     = func() []byte {
		p := make([]byte, 24)
		p[0], p[20] = 0x02, 0x20
		return command(CmdCapture, seqCapture, p)
	}()
)

// ReplyLen is the size of every short reply.
const ReplyLen = 16

// Reply is a short reply.
type Reply struct {
	Code   byte
	Seq    byte
	Result uint32 // bytes 12-15; byte 12 is the finger level of ReplyFinger
}

// ErrBadReply marks a reply that does not follow the framing.
var ErrBadReply = errors.New("nb1010: malformed reply")

// ParseReply reads a 16-byte reply.
func ParseReply(b []byte) (Reply, error) {
	if len(b) != ReplyLen {
		return Reply{}, fmt.Errorf("%w: %d bytes, want %d", ErrBadReply, len(b), ReplyLen)
	}
	if b[0] != marker {
		return Reply{}, fmt.Errorf("%w: starts %02x, want %02x", ErrBadReply, b[0], marker)
	}
	if n := binary.LittleEndian.Uint32(b[4:]); n != ReplyLen {
		return Reply{}, fmt.Errorf("%w: length field says %d, want %d", ErrBadReply, n, ReplyLen)
	}
	return Reply{Code: b[1], Seq: b[2], Result: binary.LittleEndian.Uint32(b[12:])}, nil
}

// PartialLen is the size of each image transfer.
const PartialLen = 540

// Layout of an image partial.
const (
	pixelStart = 25
	pixelLen   = 512
)

// Partial is one image transfer: two (or, for another row width, more or
// fewer) rows of pixels.
type Partial struct {
	More    bool // the device has more partials to send
	LastRow int  // index of the last row this partial carries
	Width   int  // row width the device reports
	Pixels  []byte
}

// ParsePartial reads one 540-byte image transfer. The pixel slice aliases b.
func ParsePartial(b []byte) (Partial, error) {
	if len(b) != PartialLen {
		return Partial{}, fmt.Errorf("%w: image partial of %d bytes, want %d", ErrBadReply, len(b), PartialLen)
	}
	if b[0] != marker || b[1] != ReplyImage {
		return Partial{}, fmt.Errorf("%w: image partial starts % x, want %02x %02x", ErrBadReply, b[:2], marker, ReplyImage)
	}
	if n := binary.LittleEndian.Uint32(b[4:]); n != PartialLen {
		return Partial{}, fmt.Errorf("%w: image partial length field says %d, want %d", ErrBadReply, n, PartialLen)
	}
	p := Partial{
		More:    binary.LittleEndian.Uint32(b[12:]) != 0,
		LastRow: int(binary.LittleEndian.Uint32(b[16:])),
		Width:   int(binary.LittleEndian.Uint32(b[20:])),
		Pixels:  b[pixelStart : pixelStart+pixelLen],
	}
	if p.Width == 0 || pixelLen%p.Width != 0 {
		return Partial{}, fmt.Errorf("%w: row width %d does not divide the %d pixel bytes of a partial", ErrBadReply, p.Width, pixelLen)
	}
	if p.LastRow < 0 || p.LastRow >= MaxRows {
		return Partial{}, fmt.Errorf("%w: last row %d is out of range", ErrBadReply, p.LastRow)
	}
	return p, nil
}

// MaxRows bounds the image height a device may announce.
const MaxRows = 4096

// Assembler joins partials into an image whose width and height come from
// the partials themselves.
type Assembler struct {
	width int
	rows  int
	pix   []byte
}

// Add appends one partial. It checks that the row width stays the same and
// that the partial's last-row index follows on from the rows so far.
func (a *Assembler) Add(p Partial) error {
	if a.width == 0 {
		a.width = p.Width
	}
	if p.Width != a.width {
		return fmt.Errorf("%w: row width changed from %d to %d mid-image", ErrBadReply, a.width, p.Width)
	}
	rows := len(p.Pixels) / p.Width
	if p.LastRow != a.rows+rows-1 {
		return fmt.Errorf("%w: partial ends at row %d, expected %d", ErrBadReply, p.LastRow, a.rows+rows-1)
	}
	if a.rows+rows > MaxRows {
		return fmt.Errorf("%w: image exceeds %d rows", ErrBadReply, MaxRows)
	}
	a.pix = append(a.pix, p.Pixels...)
	a.rows += rows
	return nil
}

// Image returns the assembled image.
func (a *Assembler) Image() (*image.Gray, error) {
	if a.rows == 0 {
		return nil, fmt.Errorf("%w: no image rows received", ErrBadReply)
	}
	return &image.Gray{Pix: a.pix, Stride: a.width, Rect: image.Rect(0, 0, a.width, a.rows)}, nil
}
