package ui

import (
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"github.com/absher-kiosk/kiosk/kiosk/text"
)

// passwordDots is how many characters have been typed, as dots. Only the
// count of View.Entry is used: whatever the machine put there, a hidden
// password never reaches a widget's text.
func passwordDots(entry string) string {
	return strings.Repeat("•", utf8.RuneCountInString(entry))
}

// password is the fallback's password entry: the field, shown as dots
// unless the user asked to see it, and the text keyboard below it (beside
// would leave the keys too narrow on a 16:9 screen).
func (c *screen) password() fyne.CanvasObject {
	shown := passwordDots(c.v.Entry)
	dir := text.LTR
	if c.v.Revealed && c.v.CanReveal {
		shown = c.v.Entry
	}
	if shown == "" {
		shown = " "
	}
	field := NewBidiLabel(shown, dir)
	field.TextSize = c.s.textSize(sizeTitle)
	if c.landscape {
		field.TextSize = c.s.textSize(sizeBody)
	}
	field.Bold = true
	field.Align = Center
	line := []fyne.CanvasObject{field}
	if c.v.CanReveal {
		id, icon := "password_show", theme.VisibilityIcon()
		if c.v.Revealed {
			id, icon = "password_hide", theme.VisibilityOffIcon()
		}
		line = append(line, c.button(id, icon, Event{Kind: EvReveal}))
	}
	entry := container.NewCenter(Row(c.dir(), line...))
	p := c.problem()
	if c.landscape {
		// A 16:9 screen is short: the problem goes beside the title and
		// the field, the keyboard takes the whole width under them.
		if p == nil {
			p = c.para(c.t("password_hint", nil), sizeBody, false)
		}
		title := c.para(c.t("password_title", nil), sizeBody, true)
		title.Align = Center
		return centred(GridRow(c.dir(), container.NewVBox(title, entry), p), c.keyboard())
	}
	head := []fyne.CanvasObject{c.title("password_title", nil)}
	if p != nil {
		head = append(head, p)
	} else {
		head = append(head, c.para(c.t("password_hint", nil), sizeBody, false))
	}
	return centred(append(head, entry, c.keyboard())...)
}

func (c *screen) keyboard() fyne.CanvasObject {
	size := c.s.textSize(sizeBody)
	if c.landscape {
		// Key caps are large already; scaled up they would push the
		// keyboard off a 1080-pixel-high screen.
		size = sizeBody
	}
	return Keyboard(c.lang(), c.layer, size, func(id string) string { return c.t(id, nil) }, c.send, c.setLayer)
}

// busy stands in for a step while the kiosk waits on the centre, so a
// slow network reads as "working", never as a frozen screen. The way out
// (Cancel, in the top bar) stays.
func (c *screen) busy() fyne.CanvasObject {
	return centred(c.bigIcon(theme.HistoryIcon()), c.title("busy_title", nil), c.message(c.t("busy_body", nil)))
}

// fingerActions are the fingerprint screen's buttons: scan (or try again
// after a miss) by touch, and the password route when the machine offers
// it. Nothing to press while a capture runs.
func (c *screen) fingerActions() []fyne.CanvasObject {
	if c.v.Scanning {
		return nil
	}
	id := "finger_scan"
	if c.v.Problem != "" || (c.v.Quality != "" && c.v.Quality != "ok") {
		id = "finger_try_again"
	}
	scan := c.button(id, theme.ViewRefreshIcon(), Event{Kind: EvConfirm})
	scan.Primary = true
	objs := []fyne.CanvasObject{scan}
	if c.v.CanFallback {
		objs = append(objs, c.button("finger_use_password", theme.AccountIcon(), Event{Kind: EvFallback}))
	}
	return objs
}
