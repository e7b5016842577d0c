package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/driver/mobile"
	"fyne.io/fyne/v2/widget"

	"github.com/absher-kiosk/kiosk/kiosk/maintenance"
)

// Corner is the invisible widget in the gesture's corner. It must see
// every press there to time a hold, and Fyne's desktop driver sends a
// press, its release and the tap that follows all to the one topmost
// object under the pointer that is tappable or mouseable: the corner,
// over the walk-up button that shares the corner. So the corner passes
// short presses on as taps to the control beneath, found the way the
// driver would have found it had the corner not been there; only a press
// held past the gesture's tap limit is kept, and the gesture never costs
// the public a button.
type Corner struct {
	widget.BaseWidget

	det    *maintenance.Detector
	after  func(time.Duration, func()) func() bool
	open   func()
	cancel func() bool

	beneath fyne.CanvasObject // the screen the corner lies over
	target  fyne.CanvasObject // the control beneath the current press
}

// NewCorner returns the gesture widget. open runs on the UI goroutine when
// the gesture completes; after schedules the hold timer (nil: a real timer
// whose callback goes through fyne.Do).
func NewCorner(det *maintenance.Detector, after func(time.Duration, func()) func() bool, open func()) *Corner {
	if after == nil {
		after = func(d time.Duration, f func()) func() bool {
			return time.AfterFunc(d, func() { fyne.Do(f) }).Stop
		}
	}
	c := &Corner{det: det, after: after, open: open}
	c.ExtendBaseWidget(c)
	return c
}

// Over returns screen with the corner stacked above it; short presses in
// the corner go on to screen's controls.
func (c *Corner) Over(screen fyne.CanvasObject) fyne.CanvasObject {
	c.beneath, c.target = screen, nil
	return container.NewStack(screen, &fyne.Container{Layout: cornerLayout{c.det.Gesture()}, Objects: []fyne.CanvasObject{c}})
}

func (c *Corner) press() {
	c.stop()
	if c.det.Press(true) {
		c.open()
		return
	}
	if d, ok := c.det.Due(); ok {
		c.cancel = c.after(d, func() {
			if c.det.Poll() {
				c.open()
			}
		})
	}
}

func (c *Corner) release() {
	c.stop()
	if c.det.Release() {
		c.open()
	}
}

func (c *Corner) stop() {
	if c.cancel != nil {
		c.cancel()
		c.cancel = nil
	}
}

// MouseDown is a press on the desktop driver (touch screens under X arrive
// as mouse events). The control beneath is noted now: as with the driver,
// a tap is a press and a release on the same control.
func (c *Corner) MouseDown(ev *desktop.MouseEvent) {
	c.target = nil
	if ev != nil {
		c.target, _ = c.tappableAt(ev.AbsolutePosition)
	}
	c.press()
}

// MouseUp is a release; a short press is a tap on the control beneath.
func (c *Corner) MouseUp(ev *desktop.MouseEvent) {
	pressed := c.target
	c.target = nil
	tap := c.det.Tap()
	c.release()
	if !tap || pressed == nil || ev == nil {
		return
	}
	if o, at := c.tappableAt(ev.AbsolutePosition); o == pressed {
		o.(fyne.Tappable).Tapped(&fyne.PointEvent{Position: at, AbsolutePosition: ev.AbsolutePosition})
	}
}

// TouchDown is a press on a mobile driver. Mobile drivers look for the
// tappable under a finger apart from the touchable, so the control beneath
// gets its taps there without the corner passing them on.
func (c *Corner) TouchDown(*mobile.TouchEvent) { c.press() }

// TouchUp is a release.
func (c *Corner) TouchUp(*mobile.TouchEvent) { c.release() }

// TouchCancel is a touch taken away by the system: not a completed hold.
func (c *Corner) TouchCancel(*mobile.TouchEvent) {
	c.stop()
	c.det.Press(false)
}

func (c *Corner) MinSize() fyne.Size { return fyne.NewSquareSize(c.det.Gesture().Zone) }

func (c *Corner) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(&fyne.Container{})
}

// tappableAt finds the topmost visible tappable of the screen beneath at
// at (canvas coordinates) and at's position within it. It looks inside
// containers and scroll containers; Fyne keeps widgets' parts to itself,
// so a tappable nested inside another widget is not found; the walk-up
// screens' top bar, which the corner covers, is built of containers.
func (c *Corner) tappableAt(at fyne.Position) (fyne.CanvasObject, fyne.Position) {
	if c.beneath == nil {
		return nil, fyne.Position{}
	}
	origin := fyne.Position{}
	if d := fyne.CurrentApp(); d != nil {
		origin = d.Driver().AbsolutePositionForObject(c.beneath).Subtract(c.beneath.Position())
	}
	var found fyne.CanvasObject
	var foundAt fyne.Position
	var visit func(o fyne.CanvasObject, origin fyne.Position)
	visit = func(o fyne.CanvasObject, origin fyne.Position) {
		if o == nil || !o.Visible() {
			return
		}
		pos := origin.Add(o.Position())
		size := o.Size()
		if at.X < pos.X || at.Y < pos.Y || at.X >= pos.X+size.Width || at.Y >= pos.Y+size.Height {
			return
		}
		// Later objects are drawn above earlier ones and children above
		// their parent, so the last match is the topmost.
		if _, ok := o.(fyne.Tappable); ok {
			found, foundAt = o, at.Subtract(pos)
		}
		switch x := o.(type) {
		case *fyne.Container:
			for _, child := range x.Objects {
				visit(child, pos)
			}
		case *container.Scroll:
			visit(x.Content, pos)
		}
	}
	visit(c.beneath, origin)
	return found, foundAt
}

// cornerLayout places the corner widget in its corner of the window.
type cornerLayout struct{ g maintenance.Gesture }

func (l cornerLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	z := l.g.Zone
	pos := fyne.NewPos(0, 0)
	switch l.g.Corner {
	case maintenance.TopRight:
		pos.X = size.Width - z
	case maintenance.BottomLeft:
		pos.Y = size.Height - z
	case maintenance.BottomRight:
		pos = fyne.NewPos(size.Width-z, size.Height-z)
	}
	for _, o := range objs {
		o.Resize(fyne.NewSquareSize(z))
		o.Move(pos)
	}
}

func (cornerLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.Size{} }
