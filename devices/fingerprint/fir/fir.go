// Package fir writes and reads ISO/IEC 19794-4:2005 finger image records
// holding one PNG-compressed grey-scale impression of one finger. It is
// how a kiosk hands a captured print to the central server; Decode reads
// bytes from the network and trusts nothing in them.
package fir

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/png"
)

// Header sizes and limits.
const (
	generalHeaderLen = 32
	fingerHeaderLen  = 14
	headerLen        = generalHeaderLen + fingerHeaderLen

	// MaxSide bounds the image so a hostile record cannot make Decode
	// allocate more than a few megabytes: no single-finger sensor comes
	// near it.
	MaxSide = 2000
	// MaxRecordLen bounds the whole record. A PNG of MaxSide×MaxSide
	// grey noise is about this size.
	MaxRecordLen = 4_200_000
)

// Values from the 2005 tables.
const (
	scaleUnitsPPI  = 1
	scaleUnitsPPCM = 2
	pixelDepth8    = 8
	compressionPNG = 5
	impressionLive = 0 // live-scan plain
	// Acquisition level 31 is 500 ppi, 8-bit grey; 41 is 1000 ppi.
	levelUnknown = 0
)

var (
	magic   = [4]byte{'F', 'I', 'R', 0}
	version = [4]byte{'0', '1', '0', 0}
)

var compressionNames = map[byte]string{
	0: "uncompressed (no bit packing)",
	1: "uncompressed (bit packed)",
	2: "WSQ",
	3: "JPEG",
	4: "JPEG 2000",
	5: "PNG",
}

// Record is one finger image.
type Record struct {
	// FingerPosition is the ISO finger code: 0 unknown, 1 right thumb,
	// 2 right index … 6 left thumb, 7 left index … 10 left little.
	FingerPosition int
	ResolutionDPI  int
	// Quality is 0 (worst) to 100 (best).
	Quality int
	Image   *image.Gray
}

// Finger positions used by the kiosk.
const (
	RightIndex = 2
	LeftIndex  = 7
)

// ErrMalformed is wrapped by every Decode error about the bytes
// themselves, so callers can answer "bad request" without string matching.
var ErrMalformed = errors.New("malformed finger image record")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

func checkFields(pos, dpi, quality int) error {
	if pos < 0 || pos > 10 {
		return fmt.Errorf("finger position %d is not a single finger (0..10)", pos)
	}
	if dpi < 100 || dpi > 2000 {
		return fmt.Errorf("resolution %d ppi is outside 100..2000", dpi)
	}
	if quality < 0 || quality > 100 {
		return fmt.Errorf("quality %d is outside 0..100", quality)
	}
	return nil
}

func acquisitionLevel(dpi int) uint16 {
	switch dpi {
	case 500:
		return 31
	case 1000:
		return 41
	}
	return levelUnknown
}

// Encode writes r as a PNG-compressed record.
func Encode(r *Record) ([]byte, error) {
	if r == nil || r.Image == nil {
		return nil, errors.New("fir: encode: record or image is nil")
	}
	if err := checkFields(r.FingerPosition, r.ResolutionDPI, r.Quality); err != nil {
		return nil, fmt.Errorf("fir: encode: %w", err)
	}
	w, h := r.Image.Rect.Dx(), r.Image.Rect.Dy()
	if w < 1 || h < 1 || w > MaxSide || h > MaxSide {
		return nil, fmt.Errorf("fir: encode: image %dx%d is outside 1..%d per side", w, h, MaxSide)
	}
	var img bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&img, r.Image); err != nil {
		return nil, fmt.Errorf("fir: encode: compress image: %w", err)
	}
	total := headerLen + img.Len()
	if total > MaxRecordLen {
		return nil, fmt.Errorf("fir: encode: record of %d bytes exceeds %d", total, MaxRecordLen)
	}
	b := make([]byte, headerLen, total)
	copy(b[0:4], magic[:])
	copy(b[4:8], version[:])
	putUint48(b[8:14], uint64(total))
	binary.BigEndian.PutUint16(b[14:16], 0) // capture device: unreported
	binary.BigEndian.PutUint16(b[16:18], acquisitionLevel(r.ResolutionDPI))
	b[18] = 1 // fingers in this record
	b[19] = scaleUnitsPPI
	for _, off := range []int{20, 22, 24, 26} { // scan h/v, image h/v
		binary.BigEndian.PutUint16(b[off:], uint16(r.ResolutionDPI))
	}
	b[28] = pixelDepth8
	b[29] = compressionPNG
	// b[30:32] reserved, zero.
	f := b[generalHeaderLen:]
	binary.BigEndian.PutUint32(f[0:4], uint32(total-generalHeaderLen))
	f[4] = byte(r.FingerPosition)
	f[5] = 1 // views
	f[6] = 1 // this view
	f[7] = byte(r.Quality)
	f[8] = impressionLive
	binary.BigEndian.PutUint16(f[9:11], uint16(w))
	binary.BigEndian.PutUint16(f[11:13], uint16(h))
	// f[13] reserved, zero.
	return append(b, img.Bytes()...), nil
}

// Decode reads a record made of one view of one finger, checking every
// header field against the 2005 standard and against the image itself.
func Decode(b []byte) (*Record, error) {
	if len(b) < headerLen {
		return nil, malformed("%d bytes is shorter than the %d-byte headers", len(b), headerLen)
	}
	if !bytes.Equal(b[0:4], magic[:]) {
		return nil, malformed("format identifier %q is not \"FIR\\x00\"", b[0:4])
	}
	if !bytes.Equal(b[4:8], version[:]) {
		return nil, malformed("version %q is not \"010\\x00\" (ISO/IEC 19794-4:2005)", b[4:8])
	}
	recLen := getUint48(b[8:14])
	if recLen > MaxRecordLen {
		return nil, malformed("record length %d exceeds the %d-byte limit", recLen, MaxRecordLen)
	}
	if recLen != uint64(len(b)) {
		return nil, malformed("record length field says %d bytes but %d arrived", recLen, len(b))
	}
	if n := b[18]; n != 1 {
		return nil, malformed("record holds %d finger images; exactly 1 is accepted", n)
	}
	hs, vs := binary.BigEndian.Uint16(b[20:22]), binary.BigEndian.Uint16(b[22:24])
	hi, vi := binary.BigEndian.Uint16(b[24:26]), binary.BigEndian.Uint16(b[26:28])
	if hs == 0 || vs == 0 {
		return nil, malformed("scan resolution %dx%d has a zero", hs, vs)
	}
	if hi != vi {
		return nil, malformed("image resolution %dx%d is not square", hi, vi)
	}
	dpi := int(hi)
	switch b[19] {
	case scaleUnitsPPI:
	case scaleUnitsPPCM:
		dpi = int(float64(hi)*2.54 + 0.5)
	default:
		return nil, malformed("scale units %d is neither 1 (ppi) nor 2 (ppcm)", b[19])
	}
	if d := b[28]; d != pixelDepth8 {
		return nil, malformed("pixel depth %d bits; only 8-bit grey is accepted", d)
	}
	if c := b[29]; c != compressionPNG {
		name, ok := compressionNames[c]
		if !ok {
			return nil, malformed("compression algorithm %d is not in the standard's table", c)
		}
		return nil, malformed("compression %d (%s) is not supported; send PNG (5)", c, name)
	}
	f := b[generalHeaderLen:]
	if bl := binary.BigEndian.Uint32(f[0:4]); uint64(bl) != recLen-generalHeaderLen {
		return nil, malformed("finger block length %d does not match the %d bytes after the general header", bl, recLen-generalHeaderLen)
	}
	pos, views, view, quality, imp := int(f[4]), f[5], f[6], int(f[7]), f[8]
	if views != 1 || view != 1 {
		return nil, malformed("view %d of %d; exactly one view is accepted", view, views)
	}
	switch imp {
	case 0, 1, 2, 3, 8:
	default:
		return nil, malformed("impression type %d is not in the standard's table", imp)
	}
	if err := checkFields(pos, dpi, quality); err != nil {
		return nil, malformed("%v", err)
	}
	w, h := int(binary.BigEndian.Uint16(f[9:11])), int(binary.BigEndian.Uint16(f[11:13]))
	if w < 1 || h < 1 || w > MaxSide || h > MaxSide {
		return nil, malformed("image %dx%d is outside 1..%d per side", w, h, MaxSide)
	}
	data := b[headerLen:]
	// Read the PNG's own header before decoding so its size claims are
	// checked before any pixel buffer is allocated.
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, malformed("image data is not a readable PNG: %v", err)
	}
	if cfg.Width != w || cfg.Height != h {
		return nil, malformed("PNG is %dx%d but the header says %dx%d", cfg.Width, cfg.Height, w, h)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, malformed("PNG image data is corrupt: %v", err)
	}
	g, ok := img.(*image.Gray)
	if !ok {
		return nil, malformed("PNG holds %T; an 8-bit grey image is required", img)
	}
	return &Record{FingerPosition: pos, ResolutionDPI: dpi, Quality: quality, Image: g}, nil
}

func putUint48(b []byte, v uint64) {
	for i := 5; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
}

func getUint48(b []byte) uint64 {
	var v uint64
	for _, c := range b[:6] {
		v = v<<8 | uint64(c)
	}
	return v
}
