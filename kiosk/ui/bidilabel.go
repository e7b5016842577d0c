package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/absher-kiosk/kiosk/kiosk/text"
)

// Align places text within a BidiLabel relative to its paragraph
// direction: Leading is the right edge of a right-to-left paragraph.
type Align int

const (
	Leading Align = iota
	Center
	Trailing
)

// BidiLabel draws a paragraph with the Unicode Bidirectional Algorithm:
// the text is wrapped by words first, each line is split into directional
// runs, each run is drawn by its own canvas.Text (so Fyne shapes it alone,
// in one font) and the runs are placed in visual order.
type BidiLabel struct {
	widget.BaseWidget

	Text     string
	Dir      text.Direction // paragraph direction; Auto takes it from the text
	TextSize float32        // text size; 0 means the theme's body size
	Bold     bool
	Align    Align
	Color    fyne.ThemeColorName // "" means the foreground colour
	Wrap     bool                // break lines by words to fit the width
	MaxWidth float32             // width to wrap at when asked for a minimum size
}

// NewBidiLabel returns a label for s in paragraph direction dir.
func NewBidiLabel(s string, dir text.Direction) *BidiLabel {
	l := &BidiLabel{Text: s, Dir: dir}
	l.ExtendBaseWidget(l)
	return l
}

// SetText replaces the text and redraws.
func (l *BidiLabel) SetText(s string) {
	l.Text = s
	l.Refresh()
}

func (l *BidiLabel) CreateRenderer() fyne.WidgetRenderer {
	l.ExtendBaseWidget(l)
	return &bidiRenderer{l: l}
}

func (l *BidiLabel) size() float32 {
	if l.TextSize > 0 {
		return l.TextSize
	}
	return theme.TextSize()
}

func (l *BidiLabel) style() fyne.TextStyle { return fyne.TextStyle{Bold: l.Bold} }

// fontFor picks the embedded face for a run: Arabic letters need Noto Sans
// Arabic, everything else Noto Sans.
func fontFor(s string, bold bool) fyne.Resource {
	arabic := strings.ContainsFunc(s, func(r rune) bool {
		return (r >= 0x0600 && r <= 0x06FF) || (r >= 0x0750 && r <= 0x077F) || (r >= 0xFB50 && r <= 0xFEFF)
	})
	switch {
	case arabic && bold:
		return fonts.arabicBold
	case arabic:
		return fonts.arabic
	case bold:
		return fonts.latinBold
	}
	return fonts.latin
}

func (l *BidiLabel) measure(s string) fyne.Size {
	sz, _ := fyne.CurrentApp().Driver().RenderedTextSize(s, l.size(), l.style(), fontFor(s, l.Bold))
	return sz
}

// lineWidth is the drawn width of one line: the sum of its runs.
func (l *BidiLabel) lineWidth(line string) float32 {
	w := float32(0)
	for _, r := range text.Runs(line, l.base()) {
		w += l.measure(r.Text).Width
	}
	return w
}

func (l *BidiLabel) lineHeight() float32 {
	a := l.measure("Ag")
	b := l.measure("ءأبج")
	return max(a.Height, b.Height)
}

func (l *BidiLabel) base() text.Direction { return text.Resolve(l.Text, l.Dir) }

func (l *BidiLabel) lines(width float32) []string {
	if !l.Wrap || width <= 0 {
		return strings.Split(l.Text, "\n")
	}
	return text.Wrap(l.Text, func(s string) float64 { return float64(l.lineWidth(s)) }, float64(width))
}

type bidiRenderer struct {
	l       *BidiLabel
	objects []fyne.CanvasObject
	size    fyne.Size
}

func (r *bidiRenderer) Destroy() {}

func (r *bidiRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *bidiRenderer) MinSize() fyne.Size {
	l := r.l
	width := l.MaxWidth
	lines := l.lines(width)
	w := float32(0)
	for _, s := range lines {
		w = max(w, l.lineWidth(s))
	}
	if l.Wrap && width > 0 {
		w = min(w, width)
	}
	return fyne.NewSize(w, l.lineHeight()*float32(len(lines)))
}

func (r *bidiRenderer) Layout(s fyne.Size) {
	r.size = s
	r.build()
}

func (r *bidiRenderer) Refresh() {
	r.build()
	canvas.Refresh(r.l)
}

// build recreates one canvas.Text per run, line by line, in visual order.
func (r *bidiRenderer) build() {
	l := r.l
	col := theme.Color(theme.ColorNameForeground)
	if l.Color != "" {
		col = theme.Color(l.Color)
	}
	width := r.size.Width
	lh := l.lineHeight()
	base := l.base()
	r.objects = r.objects[:0]
	lines := l.lines(width)
	total := lh * float32(len(lines))
	y := max(0, (r.size.Height-total)/2)
	for _, line := range lines {
		runs := text.Runs(line, base)
		ws := make([]float32, len(runs))
		sum := float32(0)
		for i, run := range runs {
			ws[i] = l.measure(run.Text).Width
			sum += ws[i]
		}
		x := float32(0)
		right := l.Align == Trailing
		if base == text.RTL {
			right = l.Align == Leading
		}
		switch {
		case l.Align == Center:
			x = (width - sum) / 2
		case right:
			x = width - sum
		}
		for i, run := range runs {
			t := canvas.NewText(run.Text, col)
			t.TextSize = l.size()
			t.TextStyle = l.style()
			t.FontSource = fontFor(run.Text, l.Bold)
			t.Resize(fyne.NewSize(ws[i], lh))
			t.Move(fyne.NewPos(x, y))
			x += ws[i]
			r.objects = append(r.objects, t)
		}
		y += lh
	}
}
