package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/absher-kiosk/kiosk/kiosk/i18n"
	"github.com/absher-kiosk/kiosk/kiosk/maintenance"
	kui "github.com/absher-kiosk/kiosk/kiosk/ui"
)

// sessionMachine stands on the service menu, inside a session, so the top
// bar carries Cancel as well as the display options.
type sessionMachine struct {
	lang string
	sent []kui.Event
}

func (m *sessionMachine) View() kui.View             { return kui.View{Screen: kui.ScreenMenu, Lang: m.lang} }
func (m *sessionMachine) Send(ev kui.Event)          { m.sent = append(m.sent, ev) }
func (m *sessionMachine) Subscribe(f func(kui.View)) {}

// pointer presses and releases the mouse on a canvas the way Fyne's
// desktop (GLFW) driver does, which is how the kiosk's touch screen
// arrives under X: the press and the release each go to the topmost
// object under the pointer that is tappable, focusable or mouseable, and
// the tap goes on release to that object if it was also the one pressed.
// test.TapCanvas looks for tappables only and would walk past the corner.
type pointer struct {
	c       fyne.Canvas
	pressed fyne.CanvasObject
}

func (p *pointer) target(at fyne.Position) (fyne.CanvasObject, fyne.Position) {
	var found fyne.CanvasObject
	var foundAt fyne.Position
	walkAt(p.c.Content(), fyne.Position{}, func(o fyne.CanvasObject, pos fyne.Position) bool {
		size := o.Size()
		if at.X < pos.X || at.Y < pos.Y || at.X >= pos.X+size.Width || at.Y >= pos.Y+size.Height {
			return false
		}
		switch o.(type) {
		case fyne.Tappable, fyne.SecondaryTappable, fyne.DoubleTappable, fyne.Focusable, desktop.Mouseable:
			found, foundAt = o, at.Subtract(pos)
		}
		return true
	})
	return found, foundAt
}

func (p *pointer) down(at fyne.Position) {
	o, pos := p.target(at)
	if m, ok := o.(desktop.Mouseable); ok {
		m.MouseDown(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: pos, AbsolutePosition: at}, Button: desktop.MouseButtonPrimary})
	}
	p.pressed = nil
	if _, ok := o.(fyne.Tappable); ok {
		p.pressed = o
	}
}

func (p *pointer) up(at fyne.Position) {
	o, pos := p.target(at)
	if m, ok := o.(desktop.Mouseable); ok {
		m.MouseUp(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: pos, AbsolutePosition: at}, Button: desktop.MouseButtonPrimary})
	}
	if t, ok := o.(fyne.Tappable); ok && o == p.pressed {
		t.Tapped(&fyne.PointEvent{Position: pos, AbsolutePosition: at})
	}
	p.pressed = nil
}

// centreOf finds the walk-up button labelled text and returns its centre
// on the canvas.
func centreOf(t *testing.T, w fyne.Window, label string) fyne.Position {
	t.Helper()
	var centre fyne.Position
	found := false
	walkAt(w.Content(), fyne.Position{}, func(o fyne.CanvasObject, pos fyne.Position) bool {
		if b, ok := o.(*kui.Button); ok && b.Label.Text == label {
			centre, found = pos.AddXY(b.Size().Width/2, b.Size().Height/2), true
		}
		return true
	})
	if !found {
		t.Fatalf("no button %q on screen; texts: %q", label, texts(w))
	}
	return centre
}

// walkUpSession puts the real walk-up screens under the corner, on the
// menu in lang, and returns the machine, the walk-up app and the centre of
// the top-right button of the top bar (Cancel in English, Large text in
// Arabic), which the gesture corner covers.
func walkUpSession(t *testing.T, lang string) (*env, *sessionMachine, *kui.App, fyne.Position) {
	t.Helper()
	e := newEnv(t, lang)
	m := &sessionMachine{lang: lang}
	app, err := kui.New(fyne.CurrentApp(), e.shell, m, kui.Options{Catalog: catalogue})
	if err != nil {
		t.Fatal(err)
	}
	id := "nav_cancel"
	if lang == i18n.Arabic {
		id = "a11y_large"
	}
	at := centreOf(t, e.win, catalogue.T(lang, id, nil))
	size := e.win.Canvas().Size()
	if !maintenance.DefaultGesture.InZone(at.X, at.Y, size.Width, size.Height) {
		t.Fatalf("the top-right button's centre %v is outside the gesture corner; the test proves nothing", at)
	}
	return e, m, app, at
}

// pressed reports what the top-right button did: Cancel sends EvCancel,
// Large text switches large text on.
func pressed(lang string, m *sessionMachine, app *kui.App) bool {
	if lang == i18n.Arabic {
		return app.Settings().LargeText
	}
	for _, ev := range m.sent {
		if ev.Kind == kui.EvCancel {
			return true
		}
	}
	return false
}

// A tap on the top-right button reaches it although the gesture corner
// lies over it.
func TestCornerTapReachesButtonBeneath(t *testing.T) {
	for _, lang := range []string{i18n.English, i18n.Arabic} {
		t.Run(lang, func(t *testing.T) {
			e, m, app, at := walkUpSession(t, lang)
			p := &pointer{c: e.win.Canvas()}
			p.down(at)
			e.c.add(100 * time.Millisecond)
			p.up(at)
			if !pressed(lang, m, app) {
				t.Error("a tap at the centre of the top-right button did not reach it")
			}
			if e.shell.Mode() != ModeWalkUp {
				t.Errorf("a tap opened maintenance: mode %v", e.shell.Mode())
			}
		})
	}
}

// Holding the same spot for the hold time still opens maintenance, and
// does not press the button.
func TestCornerHoldOverButtonOpens(t *testing.T) {
	for _, lang := range []string{i18n.English, i18n.Arabic} {
		t.Run(lang, func(t *testing.T) {
			e, m, app, at := walkUpSession(t, lang)
			p := &pointer{c: e.win.Canvas()}
			p.down(at)
			e.c.add(5 * time.Second)
			e.timers.fire()
			if e.shell.Mode() != ModePIN {
				t.Fatalf("mode %v after a 5 s hold, want the PIN pad", e.shell.Mode())
			}
			p.up(at)
			if e.shell.Mode() != ModePIN {
				t.Errorf("mode %v after the release, want the PIN pad", e.shell.Mode())
			}
			if pressed(lang, m, app) {
				t.Error("the hold also pressed the button beneath")
			}
		})
	}
}

// A hold given up at 4 s is neither the gesture nor a tap.
func TestCornerHoldGivenUpDoesNothing(t *testing.T) {
	for _, lang := range []string{i18n.English, i18n.Arabic} {
		t.Run(lang, func(t *testing.T) {
			e, m, app, at := walkUpSession(t, lang)
			p := &pointer{c: e.win.Canvas()}
			p.down(at)
			e.c.add(4 * time.Second)
			e.timers.fire()
			p.up(at)
			e.c.add(time.Minute)
			e.timers.fire()
			if e.shell.Mode() != ModeWalkUp {
				t.Errorf("mode %v after a hold released at 4 s", e.shell.Mode())
			}
			if pressed(lang, m, app) {
				t.Error("a hold released at 4 s pressed the button beneath")
			}
		})
	}
}

// On the attract screen, before a language is chosen, Large text speaks
// both languages and is wider than the corner; a tap on it where the
// corner covers it reaches it.
func TestCornerTapReachesAttractButton(t *testing.T) {
	e := newEnv(t, i18n.Arabic)
	app, err := kui.New(fyne.CurrentApp(), e.shell, &walkUpMachine{}, kui.Options{Catalog: catalogue})
	if err != nil {
		t.Fatal(err)
	}
	label := catalogue.T(i18n.Arabic, "a11y_large", nil) + " / " + catalogue.T(i18n.English, "a11y_large", nil)
	// The bilingual button is wider than the corner: touch it where the
	// corner covers it, level with its centre.
	at := centreOf(t, e.win, label)
	size := e.win.Canvas().Size()
	at.X = size.Width - maintenance.DefaultGesture.Zone/2
	p := &pointer{c: e.win.Canvas()}
	p.down(at)
	p.up(at)
	if !app.Settings().LargeText {
		t.Error("a tap at the centre of Large text on the attract screen did not reach it")
	}
}
