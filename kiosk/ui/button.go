package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/absher-kiosk/kiosk/kiosk/text"
)

// Button is a large touch target with an optional icon and a BidiLabel.
// Its minimum size is never below MinTouch on either side.
type Button struct {
	widget.BaseWidget

	Label   *BidiLabel
	Icon    fyne.Resource
	Primary bool
	OnTap   func()
	// Selected marks a toggle that is on; it is shown by a check icon and
	// a thicker border, never by colour alone.
	Selected bool
	Wide     bool // ask for the full width of the column
}

// NewButton returns a button labelled s in direction dir.
func NewButton(s string, dir text.Direction, icon fyne.Resource, tap func()) *Button {
	b := &Button{Label: NewBidiLabel(s, dir), Icon: icon, OnTap: tap}
	b.Label.Align = Center
	b.ExtendBaseWidget(b)
	return b
}

// Tapped runs the action.
func (b *Button) Tapped(*fyne.PointEvent) {
	if b.OnTap != nil {
		b.OnTap()
	}
}

func (b *Button) CreateRenderer() fyne.WidgetRenderer {
	b.ExtendBaseWidget(b)
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameButton))
	r := &buttonRenderer{b: b, bg: bg}
	r.Refresh()
	return r
}

type buttonRenderer struct {
	b    *Button
	bg   *canvas.Rectangle
	icon *canvas.Image
}

func (r *buttonRenderer) Destroy() {}

func (r *buttonRenderer) Objects() []fyne.CanvasObject {
	objs := []fyne.CanvasObject{r.bg}
	if r.icon != nil {
		objs = append(objs, r.icon)
	}
	return append(objs, r.b.Label)
}

const iconSide = 48

func (r *buttonRenderer) MinSize() fyne.Size {
	pad := theme.InnerPadding()
	l := r.b.Label.MinSize()
	w := l.Width + 2*pad
	if r.icon != nil {
		w += iconSide + pad
	}
	h := max(l.Height, iconSide) + 2*pad
	return fyne.NewSize(max(w, MinTouch), max(h, MinTouch))
}

func (r *buttonRenderer) Layout(s fyne.Size) {
	r.bg.Resize(s)
	pad := theme.InnerPadding()
	lw := r.b.Label.MinSize().Width
	iw := float32(0)
	if r.icon != nil {
		iw = iconSide + pad
	}
	content := min(lw+iw, s.Width-2*pad)
	x := (s.Width - content) / 2
	rtl := text.Resolve(r.b.Label.Text, r.b.Label.Dir) == text.RTL
	// The icon leads the label: left of it in English, right in Arabic.
	if r.icon != nil {
		ix := x
		lx := x + iw
		if rtl {
			ix = x + content - iconSide
			lx = x
		}
		r.icon.Resize(fyne.NewSquareSize(iconSide))
		r.icon.Move(fyne.NewPos(ix, (s.Height-iconSide)/2))
		r.b.Label.Resize(fyne.NewSize(content-iw, s.Height))
		r.b.Label.Move(fyne.NewPos(lx, 0))
		return
	}
	r.b.Label.Resize(fyne.NewSize(content, s.Height))
	r.b.Label.Move(fyne.NewPos(x, 0))
}

func (r *buttonRenderer) Refresh() {
	b := r.b
	r.bg.FillColor = theme.Color(theme.ColorNameButton)
	r.bg.StrokeColor = theme.Color(theme.ColorNamePrimary)
	r.bg.StrokeWidth = 2
	r.bg.CornerRadius = 12
	b.Label.Color = theme.ColorNameForeground
	if b.Primary {
		r.bg.FillColor = theme.Color(theme.ColorNamePrimary)
		b.Label.Color = theme.ColorNameForegroundOnPrimary
	}
	if b.Selected {
		r.bg.StrokeWidth = 6
	}
	icon := b.Icon
	if b.Selected && icon == nil {
		icon = theme.ConfirmIcon()
	}
	if icon != nil {
		if b.Primary {
			icon = theme.NewInvertedThemedResource(icon)
		}
		if r.icon == nil {
			r.icon = canvas.NewImageFromResource(icon)
			r.icon.FillMode = canvas.ImageFillContain
		} else {
			r.icon.Resource = icon
		}
	} else {
		r.icon = nil
	}
	r.bg.Refresh()
	b.Label.Refresh()
	if r.icon != nil {
		r.icon.Refresh()
	}
}

// touchArea makes all of its content one touch target. The attract screen
// says "touch the screen to start", so a touch anywhere on it starts;
// buttons inside keep their own taps.
type touchArea struct {
	widget.BaseWidget
	content fyne.CanvasObject
	tap     func()
}

func newTouchArea(c fyne.CanvasObject, tap func()) *touchArea {
	t := &touchArea{content: c, tap: tap}
	t.ExtendBaseWidget(t)
	return t
}

func (t *touchArea) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(t.content) }

// Tapped runs the action.
func (t *touchArea) Tapped(*fyne.PointEvent) { t.tap() }
