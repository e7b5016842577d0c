// Package escpos turns a receipt document into the ESC/POS byte stream a
// thermal receipt printer understands, and decodes the printer's status
// bytes. It knows nothing about serial lines: bytes in, bytes out.
package escpos

import "image"

// Align is the horizontal position of a line, image or code on the paper.
type Align byte

// ESC a values.
const (
	Left   Align = 0
	Center Align = 1
	Right  Align = 2
)

// Doc is a receipt: blocks printed top to bottom.
type Doc []Block

// Block is one of Text, Image, QR, Code128, Feed, Cut, Present, Retract.
type Block interface{ block() }

// Text is one line of Latin text. Arabic is never sent as text: the printer's
// code pages cannot shape it, so Arabic arrives as an Image.
type Text struct {
	Latin        string
	Align        Align
	Bold         bool
	DoubleHeight bool
	DoubleWidth  bool
}

// Image is a grey or 1-bit picture no wider than the profile's dots per line.
// Dither selects Floyd–Steinberg (photos); the default threshold keeps text
// edges crisp.
type Image struct {
	Img    image.Image
	Align  Align
	Dither bool
}

// ECC is the QR error correction level.
type ECC byte

// QR error correction levels, in the order of GS ( k function 169.
const (
	ECCLow ECC = iota
	ECCMedium
	ECCQuartile
	ECCHigh
)

// QR is a QR code, model 2, printed natively where the profile allows and as
// a raster image otherwise.
type QR struct {
	Data       string
	ModuleSize int // dots per module, 1..16; 0 means 6
	ECC        ECC
	Align      Align
}

// Code128 is a Code 128 barcode (code set B) with the data printed below it.
type Code128 struct {
	Data  string
	Align Align
}

// Feed advances the paper by Lines text lines, or by Dots dots when Lines is 0.
type Feed struct {
	Lines int
	Dots  int
}

// Cut cuts the paper after feeding it past the cutter.
type Cut struct{ Partial bool }

// Present pushes the receipt out of a presenter's mouth; profiles without a
// presenter ignore it.
type Present struct{}

// Retract pulls an uncollected receipt back into the printer; profiles
// without a presenter ignore it.
type Retract struct{}

func (Text) block()    {}
func (Image) block()   {}
func (QR) block()      {}
func (Code128) block() {}
func (Feed) block()    {}
func (Cut) block()     {}
func (Present) block() {}
func (Retract) block() {}
