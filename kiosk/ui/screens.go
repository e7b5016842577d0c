package ui

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"

	"github.com/absher-kiosk/kiosk/kiosk/i18n"
	"github.com/absher-kiosk/kiosk/kiosk/text"
)

// screen holds what every screen builder needs.
type screen struct {
	v             View
	cat           *i18n.Catalog
	s             Settings
	width         float32 // window width, for wrapping
	landscape     bool    // a 16:9 screen: columns side by side
	announcements []string
	send          func(Event)
	toggle        func(large, contrast bool) // flips a display setting
	layer         Layer                      // the text keyboard's layer
	setLayer      func(Layer)                // switches it and redraws
}

func dirOf(lang string) text.Direction { return i18n.Dir(lang) }

func (c *screen) lang() string {
	if c.v.Lang == "" {
		return i18n.Arabic
	}
	return c.v.Lang
}

func (c *screen) dir() text.Direction { return dirOf(c.lang()) }

func (c *screen) t(id string, data map[string]any, count ...int) string {
	return c.cat.T(c.lang(), id, data, count...)
}

// message is a centred paragraph for the one-message screens.
func (c *screen) message(s string) *BidiLabel {
	l := c.para(s, sizeTitle, false)
	l.Align = Center
	return l
}

// para is a wrapped paragraph in the user's language.
func (c *screen) para(s string, size float32, bold bool) *BidiLabel {
	return c.paraDir(s, c.dir(), size, bold)
}

func (c *screen) paraDir(s string, dir text.Direction, size float32, bold bool) *BidiLabel {
	l := NewBidiLabel(s, dir)
	l.TextSize = c.s.textSize(size)
	l.Bold = bold
	l.Wrap = true
	l.MaxWidth = c.colWidth()
	return l
}

// colWidth is the width a paragraph may take: the screen in portrait, one
// of two columns in landscape.
func (c *screen) colWidth() float32 {
	if c.landscape {
		return c.width/2 - 4*margin
	}
	return c.width - 4*margin
}

// split puts two groups side by side in landscape (the first where the
// eye starts) and one above the other in portrait.
func (c *screen) split(first, second []fyne.CanvasObject) fyne.CanvasObject {
	if !c.landscape {
		return centred(append(first, second...)...)
	}
	return GridRow(c.dir(), centred(first...), centred(second...))
}

func (c *screen) button(id string, icon fyne.Resource, ev Event) *Button {
	b := NewButton(c.t(id, nil), c.dir(), icon, func() { c.send(ev) })
	b.Label.TextSize = c.s.textSize(sizeBody)
	return b
}

const margin = 24

// Build draws the screen for c.v.
func (c *screen) build() fyne.CanvasObject {
	var body fyne.CanvasObject
	var nav []fyne.CanvasObject
	back := func() {
		b := c.button("nav_back", BackIcon(c.dir()), Event{Kind: EvBack})
		nav = append(nav, b)
	}
	switch {
	case c.v.IdleWarning:
		body = c.idle()
	case c.v.Busy:
		body = c.busy()
	default:
		switch c.v.Screen {
		case ScreenAttract:
			body = c.attract()
		case ScreenLanguage:
			body = c.language()
		case ScreenID:
			body = c.keypadStep("id_title", "id_hint")
			back()
		case ScreenMenu:
			body = c.menu()
			back()
		case ScreenFinger:
			body = c.finger()
			back()
		case ScreenMobile:
			body = c.keypadStep("mobile_title", "mobile_hint")
			back()
		case ScreenCode:
			body = c.code()
			back()
		case ScreenPassword:
			body = c.password()
			back()
		case ScreenResult:
			body = c.result()
			if c.v.Catalogue != nil {
				body = c.catalogueResult()
			}
			nav = append(nav, c.next("nav_next", Event{Kind: EvConfirm}))
		case ScreenSubject, ScreenOptions, ScreenEligibility:
			body, nav = c.catalogueStep()
		case ScreenReceipt:
			body = c.receipt()
		case ScreenDocuments:
			body = c.documents()
		case ScreenDocPrinting:
			body = c.docPrinting()
		case ScreenThanks:
			body = c.thanks()
			nav = append(nav, c.next("nav_finish", Event{Kind: EvFinish}))
		case ScreenError:
			body = c.errorScreen()
			nav = append(nav, c.next("nav_finish", Event{Kind: EvFinish}))
		default:
			c.v.Problem = "internal"
			body = c.errorScreen()
			nav = append(nav, c.next("nav_finish", Event{Kind: EvFinish}))
		}
	}
	var bottom fyne.CanvasObject
	if c.landscape {
		// Height is short on a 16:9 screen: the way on joins the top bar.
		top := c.topBar(nav...)
		bg := canvas.NewRectangle(theme.Color(theme.ColorNameBackground))
		return container.NewStack(bg, container.NewBorder(top, nil, nil, nil, container.NewPadded(body)))
	}
	top := c.topBar()
	if len(nav) > 0 {
		bottom = container.NewPadded(GridRow(c.dir(), nav...))
	}
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameBackground))
	content := container.NewBorder(top, bottom, nil, nil, container.NewPadded(body))
	return container.NewStack(bg, content)
}

func (c *screen) next(id string, ev Event) *Button {
	b := c.button(id, NextIcon(c.dir()), ev)
	b.Primary = true
	return b
}

// topBar carries the display options on every screen and, inside a
// session, the way out.
func (c *screen) topBar(nav ...fyne.CanvasObject) fyne.CanvasObject {
	large := c.button("a11y_large", theme.ZoomInIcon(), Event{})
	large.Selected = c.s.LargeText
	large.OnTap = func() { c.toggle(true, false) }
	contrast := c.button("a11y_contrast", theme.VisibilityIcon(), Event{})
	contrast.Selected = c.s.HighContrast
	contrast.OnTap = func() { c.toggle(false, true) }
	if c.v.Screen == ScreenAttract {
		// Before a language is chosen, the options speak both.
		large.Label.Text = c.cat.T(i18n.Arabic, "a11y_large", nil) + " / " + c.cat.T(i18n.English, "a11y_large", nil)
		contrast.Label.Text = c.cat.T(i18n.Arabic, "a11y_contrast", nil) + " / " + c.cat.T(i18n.English, "a11y_contrast", nil)
		large.Label.Dir, contrast.Label.Dir = text.Auto, text.Auto
	}
	items := []fyne.CanvasObject{large, contrast, spacer()}
	items = append(items, nav...)
	if inSession(c.v.Screen) {
		items = append(items, c.button("nav_cancel", theme.CancelIcon(), Event{Kind: EvCancel}))
	}
	return container.NewPadded(Row(c.dir(), items...))
}

func inSession(s Screen) bool {
	switch s {
	case ScreenAttract, ScreenThanks:
		return false
	}
	return true
}

func (c *screen) title(id string, data map[string]any) *BidiLabel {
	l := c.para(c.t(id, data), sizeTitle, true)
	l.Align = Center
	return l
}

func centred(objs ...fyne.CanvasObject) fyne.CanvasObject {
	return container.NewVBox(append([]fyne.CanvasObject{layout.NewSpacer()}, append(objs, layout.NewSpacer())...)...)
}

func (c *screen) attract() fyne.CanvasObject {
	bi := func(id string, size float32, bold bool) fyne.CanvasObject {
		ar := c.paraDir(c.cat.T(i18n.Arabic, id, nil), text.RTL, size, bold)
		en := c.paraDir(c.cat.T(i18n.English, id, nil), text.LTR, size, bold)
		ar.Align, en.Align = Center, Center
		return container.NewVBox(ar, en)
	}
	titles := []fyne.CanvasObject{bi("app_name", sizeHuge, true), bi("attract_title", sizeTitle, false)}
	var objs []fyne.CanvasObject
	for _, a := range c.announcements {
		l := c.paraDir(a, text.Auto, sizeBody, false)
		l.Align = Center
		objs = append(objs, c.statusBox(theme.InfoIcon(), "status_warning", l))
	}
	touch := func() { c.send(Event{Kind: EvTouch}) }
	start := NewButton(c.cat.T(i18n.Arabic, "attract_touch", nil)+"\n"+c.cat.T(i18n.English, "attract_touch", nil), text.Auto, nil, touch)
	start.Label.TextSize = c.s.textSize(sizeTitle)
	start.Primary = true
	objs = append(objs, start)
	return newTouchArea(c.split(titles, objs), touch)
}

func (c *screen) language() fyne.CanvasObject {
	title := c.paraDir(c.cat.T(i18n.Arabic, "language_title", nil)+"\n"+c.cat.T(i18n.English, "language_title", nil), text.Auto, sizeTitle, true)
	title.Wrap = false
	title.Align = Center
	ar := NewButton(c.t("language_arabic", nil), text.RTL, nil, func() { c.send(Event{Kind: EvLanguage, Value: i18n.Arabic}) })
	en := NewButton(c.t("language_english", nil), text.LTR, nil, func() { c.send(Event{Kind: EvLanguage, Value: i18n.English}) })
	for _, b := range []*Button{ar, en} {
		b.Label.TextSize = c.s.textSize(sizeHuge)
	}
	return centred(title, ar, en)
}

// longestEntryAtHugeSize is the most places the entry line draws at the
// huge size: the ten digits of an ID number.
const longestEntryAtHugeSize = 10

// entryLine shows typed digits left to right in both languages, with a
// place for each digit still to come. A field longer than an ID number
// (the mobile number's international forms) is drawn a size smaller, so
// every place fits the glass in both orientations and text sizes.
func (c *screen) entryLine() fyne.CanvasObject {
	n := max(c.v.Places, len(c.v.Entry))
	shown := c.v.Entry + strings.Repeat("_", n-len(c.v.Entry))
	l := NewBidiLabel(strings.Join(strings.Split(shown, ""), " "), text.LTR)
	l.TextSize = c.s.textSize(sizeHuge)
	if n > longestEntryAtHugeSize {
		l.TextSize = c.s.textSize(sizeTitle)
	}
	l.Bold = true
	l.Align = Center
	return l
}

// problem explains View.Problem, with the tries left if they are limited.
func (c *screen) problem() fyne.CanvasObject {
	if c.v.Problem == "" {
		return nil
	}
	msg := c.t("problem_"+c.v.Problem, nil)
	if !c.cat.Has(c.lang(), "problem_"+c.v.Problem) {
		msg = c.t("problem_internal", nil)
	}
	if c.v.TriesLeft > 0 {
		msg += "\n" + c.t("tries_left", nil, c.v.TriesLeft)
	}
	return c.statusBox(theme.ErrorIcon(), "status_error", c.para(msg, sizeBody, false))
}

// statusBox states a status with an icon and a word as well as a colour.
func (c *screen) statusBox(icon fyne.Resource, word string, msg *BidiLabel) fyne.CanvasObject {
	img := canvas.NewImageFromResource(icon)
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(fyne.NewSquareSize(56))
	head := NewBidiLabel(c.t(word, nil), c.dir())
	head.Bold = true
	head.TextSize = c.s.textSize(sizeBody)
	msg.MaxWidth = c.colWidth() - 32
	border := canvas.NewRectangle(color.Transparent)
	border.StrokeColor = theme.Color(theme.ColorNameForeground)
	border.StrokeWidth = 3
	border.CornerRadius = 8
	inner := container.NewVBox(Row(c.dir(), img, head), msg)
	return container.NewStack(border, container.NewPadded(inner))
}

func (c *screen) keypadStep(titleID, hintID string) fyne.CanvasObject {
	objs := []fyne.CanvasObject{c.title(titleID, nil)}
	// A problem replaces the hint: it says the same rule, and what to do.
	if p := c.problem(); p != nil {
		objs = append(objs, c.entryLine(), p)
	} else {
		objs = append(objs, c.para(c.t(hintID, nil), sizeBody, false), c.entryLine())
	}
	return c.split(objs, []fyne.CanvasObject{c.keypad()})
}

func (c *screen) keypad() fyne.CanvasObject {
	return Keypad(c.lang(), func(id string) string { return c.t(id, nil) }, c.send)
}

func (c *screen) menu() fyne.CanvasObject {
	objs := []fyne.CanvasObject{c.title("menu_title", nil)}
	if len(c.v.Services) == 0 {
		objs = append(objs, c.statusBox(theme.WarningIcon(), "status_warning", c.para(c.t("menu_empty", nil), sizeBody, false)))
	}
	var buttons []fyne.CanvasObject
	for _, s := range c.v.Services {
		b := c.button(s.MessageKey(), NextIcon(c.dir()), Event{Kind: EvService, Value: string(s)})
		b.Label.TextSize = c.s.textSize(sizeTitle)
		if c.landscape {
			b.Label.TextSize = c.s.textSize(sizeBody)
		}
		buttons = append(buttons, b)
	}
	if c.landscape {
		// Two columns, filled in reading order row by row.
		for i := 0; i < len(buttons); i += 2 {
			pair := buttons[i:min(i+2, len(buttons))]
			if len(pair) == 1 {
				pair = append(pair, spacer())
			}
			objs = append(objs, GridRow(c.dir(), pair...))
		}
	} else {
		objs = append(objs, buttons...)
	}
	if p := c.problem(); p != nil {
		objs = append(objs, p)
	}
	return centred(objs...)
}

func (c *screen) finger() fyne.CanvasObject {
	finger := "finger_right_index"
	if c.v.Finger == "left_index" {
		finger = "finger_left_index"
	}
	head := []fyne.CanvasObject{c.title("finger_title", nil), fingerPicture(c.v.Finger == "left_index", c.s), c.para(c.t(finger, nil), sizeTitle, true)}
	var objs []fyne.CanvasObject
	if c.v.Scanning {
		objs = append(objs, c.statusBox(theme.MediaRecordIcon(), "status_busy", c.para(c.t("finger_scanning", nil), sizeBody, false)))
	}
	if c.v.Quality != "" && c.v.Quality != "ok" {
		objs = append(objs, c.statusBox(theme.WarningIcon(), "status_warning", c.para(c.t("quality_"+c.v.Quality, nil), sizeBody, false)))
	}
	if p := c.problem(); p != nil {
		objs = append(objs, p)
	} else if c.v.TriesLeft > 0 {
		objs = append(objs, c.para(c.t("tries_left", nil, c.v.TriesLeft), sizeBody, false))
	}
	objs = append(objs, c.fingerActions()...)
	return c.split(head, objs)
}

// fingerPicture draws two hands' index fingers as outlines and fills the
// one to use; the words under it say the same, so colour is never the
// only cue.
func fingerPicture(left bool, s Settings) fyne.CanvasObject {
	fg := theme.Color(theme.ColorNameForeground)
	pr := theme.Color(theme.ColorNamePrimary)
	mk := func(use bool) fyne.CanvasObject {
		r := canvas.NewRectangle(color.Transparent)
		r.StrokeColor = fg
		r.StrokeWidth = 4
		r.CornerRadius = 50
		if use {
			r.FillColor = pr
			r.StrokeWidth = 10
		}
		r.SetMinSize(fyne.NewSize(100, 220))
		return r
	}
	// Left hand is on the viewer's left whatever the language: it is a
	// picture of hands, not text.
	return container.NewCenter(container.NewHBox(mk(left), layout.NewSpacer(), container.NewGridWrap(fyne.NewSize(120, 10)), mk(!left)))
}

func (c *screen) code() fyne.CanvasObject {
	objs := []fyne.CanvasObject{c.title("code_title", nil)}
	if p := c.problem(); p != nil {
		objs = append(objs, c.entryLine(), p)
	} else {
		objs = append(objs, c.para(c.t("code_hint", map[string]any{"Last4": c.v.MobileLast4}), sizeBody, false), c.entryLine())
	}
	if c.v.ResendIn > 0 {
		objs = append(objs, c.para(c.t("resend_in", nil, c.v.ResendIn), sizeBody, false))
	} else {
		objs = append(objs, c.button("code_resend", theme.MailSendIcon(), Event{Kind: EvResend}))
	}
	return c.split(objs, []fyne.CanvasObject{c.keypad()})
}

func (c *screen) result() fyne.CanvasObject {
	if c.v.Done {
		return centred(c.bigIcon(theme.ConfirmIcon()), c.title("result_done_title", nil), c.message(c.t("result_done", nil)))
	}
	msg := c.message(c.t("result_queued", map[string]any{"Reference": c.v.Reference}))
	// Not yet acknowledged by the centre: "received", with the reference
	// to quote, never "done".
	return centred(c.bigIcon(theme.MailSendIcon()), c.title("result_received_title", nil), msg)
}

func (c *screen) bigIcon(r fyne.Resource) fyne.CanvasObject {
	img := canvas.NewImageFromResource(r)
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(fyne.NewSquareSize(160))
	return img
}

func (c *screen) receipt() fyne.CanvasObject {
	yes := c.button("receipt_yes", theme.DocumentPrintIcon(), Event{Kind: EvReceipt, Value: "yes"})
	yes.Primary = true
	no := c.button("receipt_no", theme.CancelIcon(), Event{Kind: EvReceipt, Value: "no"})
	objs := []fyne.CanvasObject{c.bigIcon(theme.DocumentPrintIcon()), c.title("receipt_title", nil), yes, no}
	if p := c.problem(); p != nil {
		objs = append(objs, p)
	}
	return centred(objs...)
}

func (c *screen) thanks() fyne.CanvasObject {
	objs := []fyne.CanvasObject{c.bigIcon(theme.ConfirmIcon()), c.title("thanks_title", nil), c.message(c.t("thanks_body", nil))}
	if p := c.problem(); p != nil {
		// A printout that failed is said here, the last screen of the visit.
		return c.split(objs, []fyne.CanvasObject{p})
	}
	return centred(objs...)
}

func (c *screen) errorScreen() fyne.CanvasObject {
	code := c.v.Problem
	if code == "" || !c.cat.Has(c.lang(), "problem_"+code) {
		// Never show a raw code: an unknown problem reads as the generic one.
		code = "internal"
	}
	msg := c.message(c.t("problem_"+code, nil))
	return centred(c.bigIcon(theme.ErrorIcon()), c.title("error_title", nil), msg)
}

// idle is the inactivity warning (WCAG 2.2.1): the time left and a large
// button to keep going.
func (c *screen) idle() fyne.CanvasObject {
	more := c.button("idle_more_time", theme.HistoryIcon(), Event{Kind: EvMoreTime})
	more.Primary = true
	more.Label.TextSize = c.s.textSize(sizeTitle)
	left := c.para(c.t("seconds_left", nil, c.v.IdleLeft), sizeHuge, true)
	left.Align = Center
	return centred(c.bigIcon(theme.WarningIcon()), c.title("idle_title", nil), c.para(c.t("idle_body", nil), sizeBody, false), left, more)
}
