package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/driver/mobile"
	"fyne.io/fyne/v2/widget"

	"github.com/absher-kiosk/kiosk/kiosk/maintenance"
)

// Corner is the invisible widget in the gesture's corner. It listens to
// presses and releases only and is not tappable, so a walk-up button under
// it still gets its taps: the gesture never costs the public a button.
type Corner struct {
	widget.BaseWidget

	det    *maintenance.Detector
	after  func(time.Duration, func()) func() bool
	open   func()
	cancel func() bool
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

// Layer returns a full-window layer holding the corner widget in its
// corner; stack it above a screen.
func (c *Corner) Layer() fyne.CanvasObject {
	return &fyne.Container{Layout: cornerLayout{c.det.Gesture()}, Objects: []fyne.CanvasObject{c}}
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
// as mouse events).
func (c *Corner) MouseDown(*desktop.MouseEvent) { c.press() }

// MouseUp is a release.
func (c *Corner) MouseUp(*desktop.MouseEvent) { c.release() }

// TouchDown is a press on a mobile driver.
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
