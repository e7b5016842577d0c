package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
)

// TestHideCursor: whatever the screens put in the window, the object at
// the top of its tree hides the pointer and no screen widget under it asks
// for another one, so Fyne's pointer walk ends on the hidden pointer.
func TestHideCursor(t *testing.T) {
	a := test.NewTempApp(t)
	win := HideCursor(a.NewWindow("kiosk"))
	win.Resize(fyne.NewSize(1080, 1920))
	m := &machine{v: View{Screen: ScreenAttract}}
	if _, err := New(a, win, m, Options{}); err != nil {
		t.Fatal(err)
	}
	for name, v := range screens("ar") {
		m.set(v)
		root, ok := win.Content().(*noPointer)
		if !ok || root.Cursor() != desktop.HiddenCursor {
			t.Fatalf("%s: window content %T does not hide the pointer", name, win.Content())
		}
		n := 0
		walk(root.content, func(o fyne.CanvasObject) {
			n++
			if c, ok := o.(desktop.Cursorable); ok {
				t.Errorf("%s: %T asks for pointer %v and would show it", name, o, c.Cursor())
			}
		})
		if n < 3 {
			t.Fatalf("%s: nothing drawn inside the wrapper", name)
		}
	}
}
