package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// HideCursor returns win with every content it is given drawn under a
// hidden mouse pointer, for touch-only kiosks. Fyne picks the pointer from
// the objects under it on each move, the innermost one that asks for one
// winning; no screen widget asks, so the hidden pointer of the wrapper
// holds over the whole window. The pointer shows until the first move.
func HideCursor(win fyne.Window) fyne.Window { return cursorless{win} }

type cursorless struct{ fyne.Window }

func (w cursorless) SetContent(c fyne.CanvasObject) { w.Window.SetContent(newNoPointer(c)) }

// noPointer draws its content and asks for no pointer over it.
type noPointer struct {
	widget.BaseWidget
	content fyne.CanvasObject
}

func newNoPointer(c fyne.CanvasObject) *noPointer {
	n := &noPointer{content: c}
	n.ExtendBaseWidget(n)
	return n
}

func (n *noPointer) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(n.content) }

// Cursor hides the pointer.
func (n *noPointer) Cursor() desktop.Cursor { return desktop.HiddenCursor }
