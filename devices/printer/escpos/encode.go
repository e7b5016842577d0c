package escpos

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// Control bytes of ESC/POS.
const (
	lf  = 0x0a
	esc = 0x1b
	gs  = 0x1d
	dle = 0x10
	eot = 0x04
)

// Encoded is a job ready for the wire. Breaks are offsets into Bytes that
// fall between two commands: the only places where a status request may be
// slipped in without being read as image or text data.
type Encoded struct {
	Bytes  []byte
	Breaks []int
}

type encoder struct {
	p   Profile
	out []byte
	brk []int
}

func (e *encoder) put(b ...byte) { e.out = append(e.out, b...) }

// mark records a command boundary.
func (e *encoder) mark() {
	if n := len(e.out); len(e.brk) == 0 || e.brk[len(e.brk)-1] != n {
		e.brk = append(e.brk, n)
	}
}

// Encode turns doc into the byte stream for printer profile p. It begins
// with ESC @ so that styles left over from an earlier, interrupted job do not
// leak into this one.
func Encode(p Profile, doc Doc) (Encoded, error) {
	if p.DotsPerLine <= 0 || p.MaxBandRows <= 0 {
		return Encoded{}, fmt.Errorf("escpos: profile %q has no dots per line or band height; use LookupProfile", p.Name)
	}
	e := &encoder{p: p}
	e.put(esc, '@')
	e.mark()
	for i, b := range doc {
		var err error
		switch b := b.(type) {
		case Text:
			err = e.text(b)
		case Image:
			err = e.image(b)
		case QR:
			err = e.qr(b)
		case Code128:
			err = e.code128(b)
		case Feed:
			err = e.feed(b)
		case Cut:
			e.cut(b)
		case Present:
			e.put(p.Present...)
		case Retract:
			e.put(p.Retract...)
		case nil:
			err = errors.New("empty block")
		default:
			err = fmt.Errorf("unknown block type %T", b)
		}
		if err != nil {
			return Encoded{}, fmt.Errorf("escpos: block %d: %w", i, err)
		}
		e.mark()
	}
	return Encoded{Bytes: e.out, Breaks: e.brk}, nil
}

func (e *encoder) align(a Align) error {
	if a > Right {
		return fmt.Errorf("alignment %d is not Left, Center or Right", a)
	}
	e.put(esc, 'a', byte(a))
	return nil
}

func (e *encoder) text(t Text) error {
	for _, r := range t.Latin {
		if r < 0x20 || r > 0x7e {
			return fmt.Errorf("text %q holds %U: only printable ASCII is sent as text; render other scripts as an Image", t.Latin, r)
		}
	}
	if err := e.align(t.Align); err != nil {
		return err
	}
	bold := byte(0)
	if t.Bold {
		bold = 1
	}
	size := byte(0)
	if t.DoubleHeight {
		size |= 0x01
	}
	if t.DoubleWidth {
		size |= 0x10
	}
	e.put(esc, 'E', bold, gs, '!', size)
	e.put([]byte(t.Latin)...)
	e.put(lf)
	// Reset so that a following block starts plain.
	e.put(esc, 'E', 0, gs, '!', 0)
	return nil
}

func (e *encoder) feed(f Feed) error {
	switch {
	case f.Lines < 0 || f.Dots < 0:
		return fmt.Errorf("feed of %d lines / %d dots: must not be negative", f.Lines, f.Dots)
	case f.Lines > 0:
		for n := f.Lines; n > 0; n -= 255 {
			e.put(esc, 'd', byte(min(n, 255)))
		}
	default:
		e.feedDots(f.Dots)
	}
	return nil
}

func (e *encoder) feedDots(n int) {
	for ; n > 0; n -= 255 {
		e.put(esc, 'J', byte(min(n, 255)))
	}
}

func (e *encoder) cut(c Cut) {
	m := byte(65) // full cut after feeding n dots
	if c.Partial && e.p.PartialCut {
		m = 66
	}
	e.put(gs, 'V', m, byte(min(e.p.CutFeedDots, 255)))
}

func (e *encoder) image(im Image) error {
	if im.Img == nil {
		return errors.New("image block has no image")
	}
	bits := ToBits(im.Img, im.Dither)
	if bits.W > e.p.DotsPerLine {
		return fmt.Errorf("image is %d dots wide but profile %s prints %d per line; scale it down first", bits.W, e.p.Name, e.p.DotsPerLine)
	}
	if err := e.align(im.Align); err != nil {
		return err
	}
	e.raster(bits)
	return nil
}

// raster sends bits as GS v 0 bands. Runs of blank rows become paper feed,
// which costs 3 bytes instead of a row of zeros.
func (e *encoder) raster(b Bitmap) {
	if b.W == 0 || b.H == 0 {
		return
	}
	wb := (b.W + 7) / 8
	y := 0
	for y < b.H {
		if b.blankRow(y) {
			n := 0
			for y < b.H && b.blankRow(y) {
				n++
				y++
			}
			e.feedDots(n)
			e.mark()
			continue
		}
		start := y
		for y < b.H && y-start < e.p.MaxBandRows && !b.blankRow(y) {
			y++
		}
		rows := y - start
		e.put(gs, 'v', '0', 0, byte(wb), byte(wb>>8), byte(rows), byte(rows>>8))
		for r := start; r < start+rows; r++ {
			e.put(b.packRow(r)...)
		}
		e.mark()
	}
}

func (e *encoder) qr(q QR) error {
	if q.Data == "" {
		return errors.New("QR code has no data")
	}
	if len(q.Data) > 7089 {
		return fmt.Errorf("QR data is %d bytes; a QR code holds at most 7089", len(q.Data))
	}
	size := q.ModuleSize
	if size == 0 {
		size = 6
	}
	if size < 1 || size > 16 {
		return fmt.Errorf("QR module size %d is outside 1..16 dots", size)
	}
	if q.ECC > ECCHigh {
		return fmt.Errorf("QR error correction %d is not Low, Medium, Quartile or High", q.ECC)
	}
	if err := e.align(q.Align); err != nil {
		return err
	}
	if !e.p.NativeQR {
		bm, err := QRBitmap(q.Data, q.ECC, size)
		if err != nil {
			return err
		}
		if bm.W > e.p.DotsPerLine {
			return fmt.Errorf("QR code is %d dots wide at module size %d, wider than the %d-dot line; use a smaller module size", bm.W, size, e.p.DotsPerLine)
		}
		e.raster(bm)
		return nil
	}
	e.put(gs, '(', 'k', 4, 0, '1', 'A', '2', 0) // model 2
	e.put(gs, '(', 'k', 3, 0, '1', 'C', byte(size))
	e.put(gs, '(', 'k', 3, 0, '1', 'E', byte('0'+q.ECC))
	n := len(q.Data) + 3
	e.put(gs, '(', 'k', byte(n), byte(n>>8), '1', 'P', '0')
	e.put([]byte(q.Data)...)
	e.put(gs, '(', 'k', 3, 0, '1', 'Q', '0')
	e.put(lf)
	return nil
}

// QRLevel maps ECC to the go-qrcode recovery level.
func QRLevel(c ECC) qrcode.RecoveryLevel {
	return [...]qrcode.RecoveryLevel{qrcode.Low, qrcode.Medium, qrcode.High, qrcode.Highest}[c&3]
}

// QRBitmap renders a QR code with modules of size dots and no quiet zone
// (the paper margin is the quiet zone).
func QRBitmap(data string, c ECC, size int) (Bitmap, error) {
	q, err := qrcode.New(data, QRLevel(c))
	if err != nil {
		return Bitmap{}, fmt.Errorf("QR code for %d bytes: %w", len(data), err)
	}
	q.DisableBorder = true
	m := q.Bitmap()
	bm := NewBitmap(len(m)*size, len(m)*size)
	for y, row := range m {
		for x, on := range row {
			if !on {
				continue
			}
			for dy := 0; dy < size; dy++ {
				for dx := 0; dx < size; dx++ {
					bm.Set(x*size+dx, y*size+dy)
				}
			}
		}
	}
	return bm, nil
}

func (e *encoder) code128(c Code128) error {
	if c.Data == "" || len(c.Data) > 250 {
		return fmt.Errorf("Code 128 data is %d bytes; it must be 1..250", len(c.Data))
	}
	if strings.ContainsFunc(c.Data, func(r rune) bool { return r < 0x20 || r > 0x7e }) {
		return fmt.Errorf("Code 128 data %q: code set B holds printable ASCII only", c.Data)
	}
	if err := e.align(c.Align); err != nil {
		return err
	}
	e.put(gs, 'h', 80, gs, 'w', 2, gs, 'H', 2) // 80 dots high, 2-dot modules, text below
	d := "{B" + strings.ReplaceAll(c.Data, "{", "{{")
	if len(d) > 255 {
		return fmt.Errorf("Code 128 data %q is too long once escaped", c.Data)
	}
	e.put(gs, 'k', 73, byte(len(d)))
	e.put([]byte(d)...)
	return nil
}

// Bitmap is a 1-bit picture, true = black dot.
type Bitmap struct {
	W, H int
	Pix  []bool
}

// NewBitmap makes a white w×h bitmap.
func NewBitmap(w, h int) Bitmap { return Bitmap{W: w, H: h, Pix: make([]bool, w*h)} }

// Set blackens a dot.
func (b Bitmap) Set(x, y int) { b.Pix[y*b.W+x] = true }

// At reports whether a dot is black.
func (b Bitmap) At(x, y int) bool { return b.Pix[y*b.W+x] }

func (b Bitmap) blankRow(y int) bool {
	for _, v := range b.Pix[y*b.W : (y+1)*b.W] {
		if v {
			return false
		}
	}
	return true
}

func (b Bitmap) packRow(y int) []byte {
	out := make([]byte, (b.W+7)/8)
	for x := 0; x < b.W; x++ {
		if b.Pix[y*b.W+x] {
			out[x/8] |= 0x80 >> (x % 8)
		}
	}
	return out
}

// ToBits converts any image to 1-bit: a fixed threshold at mid grey keeps
// rendered text sharp; Floyd–Steinberg error diffusion keeps photo tones.
// Transparent pixels count as paper.
func ToBits(img image.Image, dither bool) Bitmap {
	r := img.Bounds()
	w, h := r.Dx(), r.Dy()
	bm := NewBitmap(w, h)
	lum := make([]float32, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			g := color.Gray16Model.Convert(img.At(r.Min.X+x, r.Min.Y+y)).(color.Gray16)
			_, _, _, a := img.At(r.Min.X+x, r.Min.Y+y).RGBA()
			// Composite on white paper.
			v := float32(g.Y)/65535*float32(a)/65535 + (1 - float32(a)/65535)
			lum[y*w+x] = v
		}
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			old := lum[y*w+x]
			black := old < 0.5
			if black {
				bm.Set(x, y)
			}
			if !dither {
				continue
			}
			var nv float32 = 1
			if black {
				nv = 0
			}
			q := old - nv
			spread := func(dx, dy int, f float32) {
				if xx, yy := x+dx, y+dy; xx >= 0 && xx < w && yy < h {
					lum[yy*w+xx] += q * f
				}
			}
			spread(1, 0, 7.0/16)
			spread(-1, 1, 3.0/16)
			spread(0, 1, 5.0/16)
			spread(1, 1, 1.0/16)
		}
	}
	return bm
}

// StatusRequest is DLE EOT n: a real-time status request, answered with one
// byte even while the printer is offline.
func StatusRequest(n byte) []byte { return []byte{dle, eot, n} }
