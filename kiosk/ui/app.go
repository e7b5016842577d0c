package ui

import (
	"fmt"

	"fyne.io/fyne/v2"

	"github.com/absher-kiosk/kiosk/kiosk/i18n"
)

// Options configure the screens.
type Options struct {
	Announcements []string      // shown on the attract screen, as configured centrally
	LargeText     bool          // start every session in large-text mode
	HighContrast  bool          // start every session in high-contrast mode
	Catalog       *i18n.Catalog // nil loads the embedded catalogue
}

// App keeps one window in step with the machine's View.
type App struct {
	app  fyne.App
	win  fyne.Window
	m    Machine
	cat  *i18n.Catalog
	opts Options

	settings Settings
	themed   *Settings // settings the current theme was made for
	view     View
	layer    Layer // the text keyboard's layer; back to small letters on every new step
}

// New wires win to m: it draws m's current View, redraws on every change
// and turns taps and key presses into events. Call it on the UI goroutine.
func New(a fyne.App, win fyne.Window, m Machine, o Options) (*App, error) {
	cat := o.Catalog
	if cat == nil {
		var err error
		if cat, err = i18n.Load(); err != nil {
			return nil, fmt.Errorf("screens cannot start without translations: %w", err)
		}
	}
	u := &App{app: a, win: win, m: m, cat: cat, opts: o, settings: Settings{LargeText: o.LargeText, HighContrast: o.HighContrast}}
	c := win.Canvas()
	c.SetOnTypedRune(u.typedRune)
	c.SetOnTypedKey(u.typedKey)
	m.Subscribe(func(v View) { fyne.Do(func() { u.show(v) }) })
	u.show(m.View())
	return u, nil
}

// Settings reports the current display settings.
func (u *App) Settings() Settings { return u.settings }

// show draws v. Leaving a session (back to attract) restores the default
// display settings, so the next person starts from the kiosk's defaults.
func (u *App) show(v View) {
	if v.Screen == ScreenAttract && u.view.Screen != ScreenAttract {
		u.settings = Settings{LargeText: u.opts.LargeText, HighContrast: u.opts.HighContrast}
	}
	if v.Screen != u.view.Screen {
		u.layer = LayerLower
	}
	u.view = v
	u.render()
}

func (u *App) render() {
	// Applying a theme walks every window; do it only when it changes.
	if u.themed == nil || *u.themed != u.settings {
		s := u.settings
		u.themed = &s
		u.app.Settings().SetTheme(NewTheme(s))
	}
	c := &screen{
		v: u.view, cat: u.cat, s: u.settings,
		width:         u.win.Canvas().Size().Width,
		landscape:     u.win.Canvas().Size().Width > u.win.Canvas().Size().Height,
		announcements: u.opts.Announcements,
		send:          u.m.Send,
		toggle:        u.toggle,
		layer:         u.layer,
		setLayer:      func(l Layer) { u.layer = l; u.render() },
	}
	// A fresh tree each time: nothing from the previous screen survives in
	// a widget, which is what wiping a session needs.
	u.win.SetContent(c.build())
}

func (u *App) toggle(large, contrast bool) {
	if large {
		u.settings.LargeText = !u.settings.LargeText
	}
	if contrast {
		u.settings.HighContrast = !u.settings.HighContrast
	}
	u.render()
}

func keypadScreen(s Screen) bool { return s == ScreenID || s == ScreenMobile || s == ScreenCode }

func (u *App) typedRune(r rune) {
	if u.view.IdleWarning || u.view.Busy {
		return
	}
	if u.view.Screen == ScreenPassword {
		// A physical keyboard types the same characters as the on-screen one.
		if passwordRune(r) {
			u.m.Send(Event{Kind: EvKey, Key: r})
		}
		return
	}
	if d, ok := digit(r); ok && keypadScreen(u.view.Screen) {
		u.m.Send(Event{Kind: EvKey, Key: d})
	}
}

func (u *App) typedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyBackspace, fyne.KeyDelete:
		if keypadScreen(u.view.Screen) || u.view.Screen == ScreenPassword {
			u.m.Send(Event{Kind: EvDelete})
		}
	case fyne.KeyReturn, fyne.KeyEnter:
		switch {
		case u.view.IdleWarning:
			u.m.Send(Event{Kind: EvMoreTime})
		case u.view.Screen == ScreenAttract:
			u.m.Send(Event{Kind: EvTouch})
		default:
			u.m.Send(Event{Kind: EvConfirm})
		}
	case fyne.KeyEscape:
		u.m.Send(Event{Kind: EvBack})
	}
}
