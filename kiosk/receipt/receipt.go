// Package receipt lays out the kiosk's printed receipts and documents as
// ESC/POS documents. Every line, Arabic or English, is shaped and set by the
// same bidi text engine as the screen and sent as a 1-bit image, so the two
// languages look alike on paper and Arabic reads right to left with its
// digits in order. Identity and mobile numbers are masked here, whatever
// the caller passes, because paper leaves the kiosk with whoever takes it.
package receipt

import (
	"errors"
	"fmt"
	"image"
	"image/draw"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/absher-kiosk/kiosk/devices/printer/escpos"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/kiosk/text"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// Type sizes in points: legible on 203 dpi thermal paper (10 to 12 pt).
const (
	headerPt = 12
	titlePt  = 11
	bodyPt   = 10
)

// gapDots is the space between the label and its value on a line;
// marginDots keeps bold values off the paper's very edge.
const (
	gapDots    = 24
	marginDots = 8
)

// maxLines bounds a document so a centre answer cannot run a roll out.
const maxLines = 60

// maxField bounds any single printed string, in runes.
const maxField = 300

// ErrInput marks data that cannot be printed as given.
var ErrInput = errors.New("receipt: cannot print this data")

// Mobile is what an Update Mobile receipt shows. IDNumber and Mobile may be
// full or already masked; they are printed with at most their last four
// digits.
type Mobile struct {
	IDNumber  string
	Mobile    string
	Reference string
	Time      time.Time
	// Done is true when the centre acknowledged the change; otherwise the
	// request is queued on the kiosk and the receipt says so.
	Done bool
	// VerifyURL, when the centre gave one, goes into a QR code;
	// VerifyCode is printed beside it.
	VerifyURL  string
	VerifyCode string
}

// checkCodes refuses a reference, verification code or URL that would not
// print or scan as the centre gave it.
func (m Mobile) checkCodes() error {
	if err := checkCode(m.Reference, "reference", true); err != nil {
		return err
	}
	if err := checkCode(m.VerifyCode, "verification code", false); err != nil {
		return err
	}
	return checkURL(m.VerifyURL, false)
}

// UpdateMobile lays out the receipt of a mobile number change.
func UpdateMobile(lang string, m Mobile, p escpos.Profile) (escpos.Doc, error) {
	b, err := updateMobile(lang, m, p)
	if err != nil {
		return nil, err
	}
	return b.doc, nil
}

func updateMobile(lang string, m Mobile, p escpos.Profile) (*builder, error) {
	l, err := layoutFor(lang, p)
	if err != nil {
		return nil, err
	}
	if err := m.checkCodes(); err != nil {
		return nil, err
	}
	w := words[lang]
	status := w.received
	if m.Done {
		status = w.done
	}
	b := l.begin(w.service["update_mobile"])
	b.pair(w.idNumber, pii.Mask(m.IDNumber))
	b.pair(w.newMobile, pii.Mask(m.Mobile))
	b.pair(w.reference, m.Reference)
	b.pair(w.date, stamp(m.Time))
	b.para(status, bodyPt, false, text.AlignStart)
	b.verify(m.VerifyURL, m.VerifyCode)
	b.end(m.Reference)
	return b, b.err
}

// Kinds are the document kinds the kiosk prints.
var Kinds = []string{api.DocExitReentryVisa, api.DocFinalExitVisa, api.DocResidenceSummary, api.DocCitizenSummary, api.DocTrafficStatement}

// Printable reports whether the kiosk knows how to print documents of kind.
func Printable(kind string) bool {
	for _, k := range Kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// Document lays out one of the person's documents from the centre's data.
func Document(lang string, d api.Document, p escpos.Profile) (escpos.Doc, error) {
	b, err := document(lang, d, p)
	if err != nil {
		return nil, err
	}
	return b.doc, nil
}

func document(lang string, d api.Document, p escpos.Profile) (*builder, error) {
	l, err := layoutFor(lang, p)
	if err != nil {
		return nil, err
	}
	if !Printable(d.Kind) {
		return nil, fmt.Errorf("%w: document kind %q is not one the kiosk prints (%s)", ErrInput, d.Kind, strings.Join(Kinds, ", "))
	}
	if len(d.Lines) > maxLines {
		return nil, fmt.Errorf("%w: document has %d lines, more than %d fit a receipt; ask the centre for a shorter statement", ErrInput, len(d.Lines), maxLines)
	}
	if err := checkCode(d.VerifyCode, "verification code", true); err != nil {
		return nil, err
	}
	if err := checkURL(d.VerifyURL, true); err != nil {
		return nil, err
	}
	title := d.TitleEN
	if lang == "ar" {
		title = d.TitleAR
	}
	if err := checkField(title, "title"); err != nil {
		return nil, err
	}
	w := words[lang]
	b := l.begin(w.service["print_document"])
	b.para(pii.Scrub(title), titlePt, true, text.AlignCenter)
	for _, ln := range d.Lines {
		label := ln.LabelEN
		if lang == "ar" {
			label = ln.LabelAR
		}
		if err := checkField(label, "line label"); err != nil {
			return nil, err
		}
		if err := checkField(ln.Value, "line value"); err != nil {
			return nil, err
		}
		value := pii.Scrub(ln.Value)
		if personalLabel(ln.LabelEN) {
			value = pii.Mask(ln.Value)
		}
		b.pair(pii.Scrub(label), value)
	}
	if !d.IssuedAt.IsZero() {
		b.pair(w.issued, stamp(d.IssuedAt))
	}
	b.verify(d.VerifyURL, d.VerifyCode)
	b.end(d.VerifyCode)
	return b, b.err
}

// layout is the paper and direction a receipt is set in.
type layout struct {
	lang  string
	base  text.Direction
	width int
	dpi   float64
}

func layoutFor(lang string, p escpos.Profile) (layout, error) {
	if _, ok := words[lang]; !ok {
		return layout{}, fmt.Errorf("%w: language %q; use \"ar\" or \"en\"", ErrInput, lang)
	}
	if p.DotsPerLine < 256 || p.DPI <= 0 {
		return layout{}, fmt.Errorf("%w: printer profile %q has %d dots at %d dpi; receipts need at least 256 dots (a 58 mm printer)", ErrInput, p.Name, p.DotsPerLine, p.DPI)
	}
	l := layout{lang: lang, base: text.LTR, width: p.DotsPerLine, dpi: float64(p.DPI)}
	if lang == "ar" {
		l.base = text.RTL
	}
	return l, nil
}

// builder collects blocks; the first error sticks, so layout code reads
// top to bottom like the paper.
type builder struct {
	l   layout
	doc escpos.Doc
	err error
	// set is every string set on the paper, so tests can prove what the
	// paper does and does not say.
	set []string
}

func (l layout) begin(service string) *builder {
	b := &builder{l: l}
	b.para(words[l.lang].kiosk, headerPt, true, text.AlignCenter)
	b.para(service, titlePt, true, text.AlignCenter)
	b.rule()
	return b
}

func (l layout) opts(pt float64, bold bool, a text.Align) text.PaperOptions {
	return text.PaperOptions{SizePt: pt, DPI: l.dpi, Width: l.width, Align: a, Base: l.base, Bold: bold}
}

func (b *builder) add(img image.Image) {
	b.doc = append(b.doc, escpos.Image{Img: img, Align: escpos.Left})
}

// para sets a wrapped paragraph across the paper.
func (b *builder) para(s string, pt float64, bold bool, a text.Align) {
	if b.err != nil {
		return
	}
	b.set = append(b.set, s)
	o := b.l.opts(pt, bold, a)
	o.Width -= 2 * marginDots
	img, err := text.RenderParagraph(s, o)
	if err != nil {
		b.err = fmt.Errorf("receipt: set %q: %w", s, err)
		return
	}
	// Centred on the paper, the narrower image keeps the same margins as
	// the label/value lines.
	b.doc = append(b.doc, escpos.Image{Img: img, Align: escpos.Center})
}

// pair sets a label at the reading start and its value at the far end of
// one line, each in its own direction, so a number keeps its digit order
// beside Arabic. When both do not fit, it falls back to a wrapped
// "label: value" paragraph.
func (b *builder) pair(label, value string) {
	if b.err != nil {
		return
	}
	b.set = append(b.set, label, value)
	o := b.l.opts(bodyPt, false, text.AlignStart)
	o.Width = 0
	li, err := text.RenderLine(label, o)
	if err != nil {
		b.err = fmt.Errorf("receipt: set label: %w", err)
		return
	}
	vo := o
	vo.Base = text.Auto
	vo.Bold = true
	vi, err := text.RenderLine(value, vo)
	if err != nil {
		b.err = fmt.Errorf("receipt: set value: %w", err)
		return
	}
	lw, vw := li.Bounds().Dx(), vi.Bounds().Dx()
	if lw+gapDots+vw > b.l.width-2*marginDots {
		b.para(label+": "+value, bodyPt, false, text.AlignStart)
		return
	}
	h := max(li.Bounds().Dy(), vi.Bounds().Dy())
	line := image.NewGray(image.Rect(0, 0, b.l.width, h))
	draw.Draw(line, line.Bounds(), image.White, image.Point{}, draw.Src)
	lx, vx := marginDots, b.l.width-marginDots-vw
	if b.l.base == text.RTL {
		lx, vx = b.l.width-marginDots-lw, marginDots
	}
	draw.Draw(line, image.Rect(lx, 0, lx+lw, h), li, image.Point{}, draw.Src)
	draw.Draw(line, image.Rect(vx, 0, vx+vw, h), vi, image.Point{}, draw.Src)
	b.add(line)
}

// rule is a thin line across the paper between the header and the body.
func (b *builder) rule() {
	if b.err != nil {
		return
	}
	img := image.NewGray(image.Rect(0, 0, b.l.width, 9))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(0, 4, b.l.width, 6), image.Black, image.Point{}, draw.Src)
	b.add(img)
}

// verify prints the QR code a reader scans to check the paper, and the
// code to type where a camera is not at hand.
func (b *builder) verify(url, code string) {
	if b.err != nil || (url == "" && code == "") {
		return
	}
	w := words[b.l.lang]
	b.doc = append(b.doc, escpos.Feed{Dots: 16})
	b.para(w.scan, bodyPt, false, text.AlignCenter)
	if url != "" {
		b.doc = append(b.doc, escpos.QR{Data: url, ModuleSize: 6, ECC: escpos.ECCMedium, Align: escpos.Center})
	}
	if code != "" {
		b.pair(w.verifyCode, code)
	}
}

// end prints the reference as Code 128 for the counter's scanner, then
// feeds and cuts.
func (b *builder) end(ref string) {
	if b.err != nil {
		return
	}
	b.doc = append(b.doc,
		escpos.Feed{Dots: 24},
		escpos.Code128{Data: ref, Align: escpos.Center},
		escpos.Feed{Lines: 2},
		escpos.Cut{Partial: true})
}

// stamp is the date and time as printed: ISO order reads the same in both
// languages.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02 15:04")
}

func checkField(s, what string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: %s is not valid UTF-8", ErrInput, what)
	}
	if utf8.RuneCountInString(s) > maxField {
		return fmt.Errorf("%w: %s is longer than %d characters", ErrInput, what, maxField)
	}
	return nil
}

// checkCode keeps references and codes to what Code 128 set B and a
// reader's keyboard take: printable ASCII, no spaces.
func checkCode(s, what string, required bool) error {
	if s == "" {
		if required {
			return fmt.Errorf("%w: the %s is missing", ErrInput, what)
		}
		return nil
	}
	if len(s) > 64 {
		return fmt.Errorf("%w: the %s is %d characters; at most 64 fit the barcode", ErrInput, what, len(s))
	}
	for _, c := range []byte(s) {
		if c <= ' ' || c > '~' {
			return fmt.Errorf("%w: the %s holds %q; only printable ASCII without spaces is printed as a code", ErrInput, what, c)
		}
	}
	return nil
}

func checkURL(s string, required bool) error {
	if s == "" {
		if required {
			return fmt.Errorf("%w: the document has no verification URL; the centre must send one with every document", ErrInput)
		}
		return nil
	}
	if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
		return fmt.Errorf("%w: verification URL does not start with https://", ErrInput)
	}
	if len(s) > 256 {
		return fmt.Errorf("%w: verification URL is %d bytes; at most 256 go into the QR code", ErrInput, len(s))
	}
	for _, c := range []byte(s) {
		if c <= ' ' || c > '~' {
			return fmt.Errorf("%w: verification URL holds %q; send it percent-encoded", ErrInput, c)
		}
	}
	return nil
}
