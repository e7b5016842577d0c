package text

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"math"
	"sync"

	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	ot "github.com/go-text/typesetting/font/opentype"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
	"golang.org/x/text/unicode/bidi"

	"github.com/absher-kiosk/kiosk/assets"
)

// Align places a line inside the paper width. Start and End follow the
// paragraph direction: Start is the right edge of a right-to-left paragraph.
type Align int

const (
	AlignStart Align = iota
	AlignEnd
	AlignCenter
)

// PaperOptions says how a paragraph is set on paper.
type PaperOptions struct {
	SizePt float64   // type size in points; receipts use 10 to 12
	DPI    float64   // printer resolution, 203 for most receipt printers
	Width  int       // paper width in dots; 0 in RenderLine means "as wide as the text"
	Align  Align     // where short lines sit
	Base   Direction // paragraph direction; Auto takes it from the text
	Bold   bool
	// LineSpacing multiplies the font's line height; 0 means 1.
	LineSpacing float64
}

const (
	maxSizePt = 200
	maxDPI    = 1200
	maxWidth  = 8192
)

func (o PaperOptions) validate(needWidth bool) error {
	switch {
	case !(o.SizePt > 0 && o.SizePt <= maxSizePt):
		return fmt.Errorf("type size %v pt is out of range; use 1 to %d", o.SizePt, maxSizePt)
	case !(o.DPI > 0 && o.DPI <= maxDPI):
		return fmt.Errorf("resolution %v dpi is out of range; use 1 to %d (203 for receipt printers)", o.DPI, maxDPI)
	case o.Width < 0 || o.Width > maxWidth || (needWidth && o.Width == 0):
		return fmt.Errorf("paper width %d dots is out of range; use 1 to %d (576 for 80 mm paper at 203 dpi)", o.Width, maxWidth)
	case o.LineSpacing < 0 || o.LineSpacing > 10 || math.IsNaN(o.LineSpacing):
		return fmt.Errorf("line spacing %v is out of range; use 0 (single) to 10", o.LineSpacing)
	}
	return nil
}

func (o PaperOptions) sizePx() float64 { return o.SizePt * o.DPI / 72 }

// faceSet is one weight of the two embedded families.
type faceSet struct {
	arabic, latin *font.Face
}

// Shaper shapes and rasterises text with the embedded fonts. It is safe
// for concurrent use; the HarfBuzz shaper keeps caches, so calls are
// serialised.
type Shaper struct {
	mu      sync.Mutex
	hb      shaping.HarfbuzzShaper
	regular faceSet
	bold    faceSet
}

// NewShaper loads the embedded Noto Sans and Noto Sans Arabic fonts.
func NewShaper() (*Shaper, error) {
	load := func(name string) (*font.Face, error) {
		b, err := assets.Font(name)
		if err != nil {
			return nil, err
		}
		f, err := font.ParseTTF(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("embedded font %s cannot be parsed; replace it with the Noto release: %w", name, err)
		}
		return f, nil
	}
	s := &Shaper{}
	var err error
	for _, x := range []struct {
		dst  **font.Face
		name string
	}{
		{&s.regular.arabic, assets.ArabicRegular},
		{&s.regular.latin, assets.LatinRegular},
		{&s.bold.arabic, assets.ArabicBold},
		{&s.bold.latin, assets.LatinBold},
	} {
		if *x.dst, err = load(x.name); err != nil {
			return nil, err
		}
	}
	return s, nil
}

var (
	defaultOnce   sync.Once
	defaultShaper *Shaper
	defaultErr    error
)

// Default returns the process-wide shaper, loading fonts on first use.
func Default() (*Shaper, error) {
	defaultOnce.Do(func() { defaultShaper, defaultErr = NewShaper() })
	return defaultShaper, defaultErr
}

// RenderParagraph renders s on paper with the process-wide shaper: wrapped
// by words to o.Width, each line laid out by the bidi algorithm, each run
// shaped on its own. The result is pure black (0) on white (255), ready to
// be packed into a 1-bit raster.
func RenderParagraph(s string, o PaperOptions) (*image.Gray, error) {
	sh, err := Default()
	if err != nil {
		return nil, err
	}
	return sh.RenderParagraph(s, o)
}

// RenderLine renders one line without wrapping; see Shaper.RenderLine.
func RenderLine(s string, o PaperOptions) (*image.Gray, error) {
	sh, err := Default()
	if err != nil {
		return nil, err
	}
	return sh.RenderLine(s, o)
}

// placed is a shaped piece of a run: glyphs from one face, in visual order.
type placed struct {
	face   *font.Face
	glyphs []shaping.Glyph
	adv    float64 // pixels
}

// RenderParagraph wraps s to o.Width and renders every line.
func (sh *Shaper) RenderParagraph(s string, o PaperOptions) (*image.Gray, error) {
	if err := o.validate(true); err != nil {
		return nil, err
	}
	s = clean2(s)
	base := Resolve(s, o.Base)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	fs := sh.faces(o.Bold)
	size := o.sizePx()
	lines := Wrap(s, func(l string) float64 { return sh.lineWidth(l, base, fs, size) }, float64(o.Width))
	lh, asc := lineMetrics(fs, size, o.LineSpacing)
	img := image.NewGray(image.Rect(0, 0, o.Width, lh*len(lines)))
	fill(img)
	for i, l := range lines {
		sh.drawLine(img, l, base, fs, size, o.Width, o.Align, i*lh, asc, lh)
	}
	return img, nil
}

// RenderLine renders s as a single line. With o.Width 0 the image is as
// wide as the text; a line wider than a given o.Width is an error, since
// cutting words off a receipt would print something the user was not told.
func (sh *Shaper) RenderLine(s string, o PaperOptions) (*image.Gray, error) {
	if err := o.validate(false); err != nil {
		return nil, err
	}
	s = clean(s)
	base := Resolve(s, o.Base)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	fs := sh.faces(o.Bold)
	size := o.sizePx()
	w := int(math.Ceil(sh.lineWidth(s, base, fs, size)))
	width := o.Width
	if width == 0 {
		width = max(w, 1)
	} else if w > width {
		return nil, fmt.Errorf("line is %d dots wide but the paper takes %d; use RenderParagraph to wrap it", w, width)
	}
	lh, asc := lineMetrics(fs, size, o.LineSpacing)
	img := image.NewGray(image.Rect(0, 0, width, lh))
	fill(img)
	sh.drawLine(img, s, base, fs, size, width, o.Align, 0, asc, lh)
	return img, nil
}

// Width measures one line of text in pixels at sizePx.
func (sh *Shaper) Width(s string, base Direction, bold bool, sizePx float64) float64 {
	s = clean(s)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.lineWidth(s, Resolve(s, base), sh.faces(bold), sizePx)
}

func (sh *Shaper) faces(bold bool) faceSet {
	if bold {
		return sh.bold
	}
	return sh.regular
}

func (sh *Shaper) lineWidth(l string, base Direction, fs faceSet, size float64) float64 {
	w := 0.0
	for _, r := range Runs(l, base) {
		for _, p := range sh.shapeRun(r, fs, size) {
			w += p.adv
		}
	}
	return w
}

// shapeRun shapes one directional run. A run may hold Arabic letters and
// Latin punctuation or digits; each stretch goes to the font that has its
// glyphs, with the whole run given as context so Arabic joining is right.
func (sh *Shaper) shapeRun(r Run, fs faceSet, size float64) []placed {
	rs := []rune(r.Text)
	if len(rs) == 0 {
		return nil
	}
	faces := make([]*font.Face, len(rs))
	var prev *font.Face
	for i, c := range rs {
		faces[i] = pickFace(c, fs, prev)
		prev = faces[i]
	}
	// Leading neutrals take the face of the first letter after them, if
	// that face can draw them (Noto Sans Arabic has no brackets).
	for i := len(rs) - 2; i >= 0; i-- {
		if neutral(rs[i]) && (i == 0 || neutral(rs[i-1])) && hasGlyph(faces[i+1], rs[i]) {
			faces[i] = faces[i+1]
		}
	}
	dir := di.DirectionLTR
	if r.Dir == RTL {
		dir = di.DirectionRTL
	}
	var out []placed
	for start := 0; start < len(rs); {
		end := start + 1
		for end < len(rs) && faces[end] == faces[start] {
			end++
		}
		script, lang := language.Latin, language.NewLanguage("en")
		if faces[start] == fs.arabic {
			script, lang = language.Arabic, language.NewLanguage("ar")
		}
		o := sh.hb.Shape(shaping.Input{
			Text: rs, RunStart: start, RunEnd: end,
			Direction: dir, Face: faces[start],
			Size:   fixed.Int26_6(math.Round(size * 64)),
			Script: script, Language: lang,
		})
		out = append(out, placed{face: faces[start], glyphs: o.Glyphs, adv: float64(o.Advance) / 64})
		start = end
	}
	if r.Dir == RTL {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out
}

func isArabic(c rune) bool {
	return (c >= 0x0600 && c <= 0x06FF) || (c >= 0x0750 && c <= 0x077F) ||
		(c >= 0x08A0 && c <= 0x08FF) || (c >= 0xFB50 && c <= 0xFDFF) || (c >= 0xFE70 && c <= 0xFEFF)
}

func neutral(c rune) bool {
	switch class(c) {
	case bidi.L, bidi.R, bidi.AL, bidi.EN, bidi.AN:
		return false
	}
	return true
}

func pickFace(c rune, fs faceSet, prev *font.Face) *font.Face {
	f := fs.latin
	switch {
	case isArabic(c):
		f = fs.arabic
	case neutral(c) && prev != nil:
		f = prev
	}
	if !hasGlyph(f, c) {
		for _, alt := range []*font.Face{fs.arabic, fs.latin} {
			if hasGlyph(alt, c) {
				return alt
			}
		}
	}
	return f
}

// hasGlyph says whether f can draw c.
func hasGlyph(f *font.Face, c rune) bool {
	_, ok := f.NominalGlyph(c)
	return ok
}

// lineMetrics returns the line height and the baseline offset in pixels,
// taken from the taller of the two fonts so mixed lines never collide.
func lineMetrics(fs faceSet, size, spacing float64) (height, ascent int) {
	var asc, desc, gap float64
	for _, f := range []*font.Face{fs.arabic, fs.latin} {
		e, ok := f.FontHExtents()
		if !ok {
			continue
		}
		k := size / float64(f.Upem())
		asc = math.Max(asc, float64(e.Ascender)*k)
		desc = math.Max(desc, -float64(e.Descender)*k)
		gap = math.Max(gap, float64(e.LineGap)*k)
	}
	if spacing == 0 {
		spacing = 1
	}
	h := (asc + desc + gap) * spacing
	return int(math.Ceil(h)), int(math.Round(asc + (h-asc-desc)/2))
}

func (sh *Shaper) drawLine(dst *image.Gray, l string, base Direction, fs faceSet, size float64, width int, align Align, top, asc, lh int) {
	var pieces []placed
	total := 0.0
	for _, r := range Runs(l, base) {
		for _, p := range sh.shapeRun(r, fs, size) {
			pieces = append(pieces, p)
			total += p.adv
		}
	}
	left := 0.0
	right := align == AlignEnd
	if base == RTL {
		right = align == AlignStart
	}
	switch {
	case align == AlignCenter:
		left = (float64(width) - total) / 2
	case right:
		left = float64(width) - total
	}
	mask := image.NewAlpha(image.Rect(0, 0, width, lh))
	z := vector.NewRasterizer(width, lh)
	pen := left
	base0 := float32(asc)
	drew := false
	for _, p := range pieces {
		k := float32(size / float64(p.face.Upem()))
		for _, g := range p.glyphs {
			gx := float32(pen) + float32(g.XOffset)/64
			gy := base0 - float32(g.YOffset)/64
			if out, ok := p.face.GlyphData(g.GlyphID).(font.GlyphOutline); ok {
				for _, seg := range out.Segments {
					a := seg.Args
					switch seg.Op {
					case ot.SegmentOpMoveTo:
						z.MoveTo(gx+a[0].X*k, gy-a[0].Y*k)
					case ot.SegmentOpLineTo:
						z.LineTo(gx+a[0].X*k, gy-a[0].Y*k)
					case ot.SegmentOpQuadTo:
						z.QuadTo(gx+a[0].X*k, gy-a[0].Y*k, gx+a[1].X*k, gy-a[1].Y*k)
					case ot.SegmentOpCubeTo:
						z.CubeTo(gx+a[0].X*k, gy-a[0].Y*k, gx+a[1].X*k, gy-a[1].Y*k, gx+a[2].X*k, gy-a[2].Y*k)
					}
					drew = true
				}
				z.ClosePath()
			}
			pen += float64(g.XAdvance) / 64
		}
	}
	if !drew {
		return
	}
	z.Draw(mask, mask.Bounds(), image.Opaque, image.Point{})
	// Thermal heads print a dot or nothing: threshold at half coverage.
	for y := 0; y < lh; y++ {
		for x := 0; x < width; x++ {
			if mask.AlphaAt(x, y).A >= 128 {
				dst.Pix[(top+y)*dst.Stride+x] = 0
			}
		}
	}
}

func fill(img *image.Gray) {
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
}

// clean2 is clean for paragraphs: line breaks are kept for Wrap.
func clean2(s string) string {
	return string(bytes.ToValidUTF8([]byte(s), []byte("\uFFFD")))
}
