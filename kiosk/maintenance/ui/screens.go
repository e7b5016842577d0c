package ui

import (
	"fmt"
	"image/color"
	"maps"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"

	"github.com/absher-kiosk/kiosk/kiosk/i18n"
	"github.com/absher-kiosk/kiosk/kiosk/maintenance"
	"github.com/absher-kiosk/kiosk/kiosk/text"
	kui "github.com/absher-kiosk/kiosk/kiosk/ui"
	"github.com/absher-kiosk/kiosk/sync/outbox"
)

// Text sizes, as on the walk-up screens of the 1080×1920 reference glass.
const (
	sizeSmall = 24
	sizeBody  = 30
	sizeTitle = 44
	sizeHuge  = 64
	margin    = 24
	// maxParked is how many parked rows the screen lists; the rest are
	// counted, and kioskctl queue lists them all.
	maxParked = 5
)

// page builds one maintenance screen in the technician's language.
type page struct {
	cat   *i18n.Catalog
	lang  string
	width float32
	now   time.Time
}

func (p *page) dir() text.Direction { return i18n.Dir(p.lang) }

func (p *page) t(id string, data map[string]any, count ...int) string {
	return p.cat.T(p.lang, id, data, count...)
}

func (p *page) label(s string, dir text.Direction, size float32, bold bool) *kui.BidiLabel {
	l := kui.NewBidiLabel(s, dir)
	l.TextSize = size
	l.Bold = bold
	l.Wrap = true
	l.MaxWidth = max(p.width-4*margin, 200)
	return l
}

func (p *page) para(s string, size float32, bold bool) *kui.BidiLabel {
	return p.label(s, p.dir(), size, bold)
}

func (p *page) button(id string, icon fyne.Resource, tap func()) *kui.Button {
	return kui.NewButton(p.t(id, nil), p.dir(), icon, tap)
}

// frame puts a top bar (title, language, the way out) over a scrolling
// body, so a long device list never pushes the buttons off the glass.
func (p *page) frame(titleID string, out *kui.Button, lang func(), body ...fyne.CanvasObject) fyne.CanvasObject {
	title := p.para(p.t(titleID, nil), sizeTitle, true)
	title.MaxWidth = p.width / 2
	lb := kui.NewButton(p.t("mnt_language", nil), text.Auto, theme.ComputerIcon(), lang)
	top := container.NewPadded(container.NewBorder(nil, nil, nil, nil,
		kui.Row(p.dir(), title, layout.NewSpacer(), lb, out)))
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameBackground))
	scroll := container.NewVScroll(container.NewPadded(container.NewVBox(body...)))
	return container.NewStack(bg, container.NewBorder(top, nil, nil, nil, scroll))
}

// box marks a status with an icon and a word as well as colour, as the
// walk-up screens do: colour alone says nothing to a colour-blind reader.
func (p *page) box(ok bool, msg string) fyne.CanvasObject {
	if ok {
		return p.boxOf(theme.ConfirmIcon(), "mnt_ok_word", theme.ColorNameSuccess, msg)
	}
	return p.boxOf(theme.ErrorIcon(), "mnt_error_word", theme.ColorNameError, msg)
}

// warn is a box for something to check that is not (yet) a failure.
func (p *page) warn(msg string) fyne.CanvasObject {
	return p.boxOf(theme.WarningIcon(), "mnt_attention_word", theme.ColorNameWarning, msg)
}

func (p *page) boxOf(icon fyne.Resource, wordID string, col fyne.ThemeColorName, msg string) fyne.CanvasObject {
	word := p.t(wordID, nil)
	img := canvas.NewImageFromResource(theme.NewColoredResource(icon, col))
	img.SetMinSize(fyne.NewSquareSize(48))
	img.FillMode = canvas.ImageFillContain
	w := p.para(word, sizeBody, true)
	w.Color = col
	m := p.para(msg, sizeBody, false)
	m.MaxWidth = p.width - 4*margin - 200
	border := canvas.NewRectangle(color.Transparent)
	border.StrokeColor = theme.Color(col)
	border.StrokeWidth = 4
	border.CornerRadius = 12
	return container.NewStack(border, container.NewPadded(kui.Row(p.dir(), img, w, m)))
}

func (p *page) section(id string) fyne.CanvasObject {
	l := p.para(p.t(id, nil), sizeTitle, true)
	l.Color = theme.ColorNamePrimary
	return container.NewVBox(widgetSeparator(), l)
}

func widgetSeparator() fyne.CanvasObject {
	r := canvas.NewRectangle(theme.Color(theme.ColorNameSeparator))
	r.SetMinSize(fyne.NewSize(1, 2))
	return r
}

// ---- PIN pad ----

type pinActions struct {
	key          func(byte)
	del, ok      func()
	cancel, lang func()
}

// pinPad shows dots for the typed digits, never the digits.
func (p *page) pinPad(typed int, a maintenance.Attempt, refused, busy bool, do pinActions) fyne.CanvasObject {
	cancel := p.button("mnt_cancel", kui.BackIcon(p.dir()), do.cancel)
	dots := strings.Repeat("● ", typed)
	if typed == 0 {
		dots = "–"
	}
	d := p.label(strings.TrimSpace(dots), text.LTR, sizeHuge, true)
	d.Align = kui.Center
	body := []fyne.CanvasObject{p.para(p.t("mnt_pin_hint", nil), sizeTitle, false), d}
	switch {
	case refused:
		body = append(body, p.box(false, p.t("mnt_pin_refused", nil)))
	case a.Outcome == maintenance.Wrong:
		body = append(body, p.box(false, p.t("mnt_pin_wrong", nil, a.Left)))
	case busy:
		body = append(body, p.para(p.t("mnt_working", nil), sizeBody, false))
	}
	pad := kui.Keypad(p.lang, func(id string) string { return p.cat.T(p.lang, id, nil) }, func(e kui.Event) {
		switch e.Kind {
		case kui.EvKey:
			do.key(byte(e.Key))
		case kui.EvDelete:
			do.del()
		case kui.EvConfirm:
			do.ok()
		}
	})
	body = append(body, layout.NewSpacer(), pad)
	return p.frame("mnt_pin_title", cancel, do.lang, body...)
}

// locked says until when entry is locked, in the kiosk's local time.
func (p *page) locked(until time.Time, cancel, lang func()) fyne.CanvasObject {
	left := int((until.Sub(p.now) + time.Minute - 1) / time.Minute)
	at := until.In(p.now.Location()).Format("15:04")
	return p.frame("mnt_locked_title", p.button("mnt_cancel", kui.BackIcon(p.dir()), cancel), lang,
		p.box(false, p.t("mnt_locked_until", map[string]any{"Until": at})),
		p.para(p.t("mnt_locked_minutes", nil, max(left, 0)), sizeTitle, true),
	)
}

// ---- main maintenance screen ----

type consoleActions struct {
	refresh, print, capture, sync, retry, oos, restart, exit, leave, lang func()
	tab                                                                   func(Tab)
}

// Tabs of the main maintenance screen: each fits the glass without
// scrolling, so there is never a thin scroll bar to hit.
type Tab int

const (
	TabDevices Tab = iota
	TabQueue
	TabCentre
	TabService
)

var tabLabels = []string{"mnt_devices", "mnt_queue", "mnt_centre", "mnt_service"}

func (p *page) console(tab Tab, s maintenance.Snapshot, n notice, busy bool, do consoleActions) fyne.CanvasObject {
	leave := p.button("mnt_leave", theme.LogoutIcon(), do.leave)
	var tabs []fyne.CanvasObject
	for i, id := range tabLabels {
		b := p.button(id, nil, func() { do.tab(Tab(i)) })
		b.Selected = Tab(i) == tab
		tabs = append(tabs, b)
	}
	body := []fyne.CanvasObject{kui.GridRow(p.dir(), tabs...)}
	switch {
	case busy:
		body = append(body, p.para(p.t("mnt_working", nil), sizeBody, true))
	case n.text != "":
		body = append(body, p.box(n.ok, n.text))
	}
	body = append(body, widgetSeparator())

	switch tab {
	case TabDevices:
		if len(s.Devices) == 0 {
			body = append(body, p.para(p.t("mnt_no_devices", nil), sizeBody, false))
		}
		for _, d := range s.Devices {
			body = append(body, p.device(d))
		}
		body = append(body, kui.GridRow(p.dir(),
			p.button("mnt_test_print", theme.DocumentPrintIcon(), do.print),
			p.button("mnt_test_capture", theme.MediaPhotoIcon(), do.capture)))
	case TabQueue:
		body = append(body, p.queue(s)...)
		body = append(body, kui.GridRow(p.dir(),
			p.button("mnt_force_sync", theme.UploadIcon(), do.sync),
			p.button("mnt_retry_parked", theme.ViewRefreshIcon(), do.retry)))
	case TabCentre:
		if s.CentreOK {
			body = append(body, p.box(true, p.t("mnt_centre_ok", nil)))
		} else {
			body = append(body, p.box(false, p.t("mnt_centre_down", map[string]any{"Err": s.CentreErr})))
		}
		body = append(body, p.para(p.t("mnt_config_version", map[string]any{"Version": orDash(s.ConfigVersion)}), sizeBody, false))
		body = append(body, p.section("mnt_logs"))
		if s.LogErr != "" {
			body = append(body, p.box(false, p.t("mnt_logs_error", map[string]any{"Err": s.LogErr})))
		}
		for _, l := range s.LogLines {
			// Log lines are English JSON whatever the screen's language.
			body = append(body, p.label(l, text.LTR, sizeSmall, false))
		}
	case TabService:
		oos := p.button("mnt_oos_toggle", nil, do.oos)
		oos.Selected = s.OutOfService
		body = append(body, oos,
			p.button("mnt_restart", theme.MediaReplayIcon(), do.restart),
			p.button("mnt_exit_os", theme.WarningIcon(), do.exit))
	}
	body = append(body, layout.NewSpacer(), p.button("mnt_refresh", theme.ViewRefreshIcon(), do.refresh))
	return p.frame("mnt_title", leave, do.lang, body...)
}

func (p *page) device(d maintenance.Device) fyne.CanvasObject {
	name := d.Name
	if id := "mnt_class_" + d.Class; p.cat.Has(p.lang, id) {
		name = p.t(id, nil)
	}
	stateID := "mnt_state_" + d.State
	if !p.cat.Has(p.lang, stateID) {
		stateID = "mnt_state_unknown"
	}
	objs := []fyne.CanvasObject{
		p.box(d.State == "online", p.t("mnt_device_line", map[string]any{"Name": name, "State": p.t(stateID, nil)})),
	}
	detail := func(id, v string) {
		if v != "" {
			objs = append(objs, p.para(p.t(id, map[string]any{"Value": v}), sizeSmall, false))
		}
	}
	detail("mnt_vidpid", d.VIDPID)
	detail("mnt_port", d.Port)
	detail("mnt_profile", d.Profile)
	detail("mnt_last_error", d.LastError)
	if len(d.Counters) > 0 {
		var cs []string
		for _, k := range slices.Sorted(maps.Keys(d.Counters)) {
			cs = append(cs, fmt.Sprintf("%s=%d", k, d.Counters[k]))
		}
		detail("mnt_counters", strings.Join(cs, ", "))
	}
	return container.NewVBox(objs...)
}

func (p *page) queue(s maintenance.Snapshot) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	if s.QueueErr != "" {
		return append(out, p.box(false, p.t("mnt_queue_error", map[string]any{"Err": s.QueueErr})))
	}
	if s.Queue.Depth == 0 {
		out = append(out, p.para(p.t("mnt_queue_empty", nil), sizeBody, false))
	} else {
		out = append(out, p.para(p.t("mnt_queue_depth", map[string]any{"Depth": s.Queue.Depth, "Age": p.age(s.Queue.OldestAge)}), sizeBody, false))
	}
	if s.Queue.Parked > 0 {
		out = append(out, p.warn(p.t("mnt_parked", nil, s.Queue.Parked)))
		for _, r := range s.Parked[:min(len(s.Parked), maxParked)] {
			out = append(out, p.parkedRow(r))
		}
	}
	if s.LastSync.IsZero() {
		out = append(out, p.para(p.t("mnt_never_synced", nil), sizeBody, false))
	} else {
		out = append(out, p.para(p.t("mnt_last_sync", map[string]any{"Age": p.age(s.Now.Sub(s.LastSync))}), sizeBody, false))
	}
	return out
}

func (p *page) parkedRow(r outbox.Parked) fyne.CanvasObject {
	return p.para(p.t("mnt_parked_row", map[string]any{"ID": r.ID, "Kind": r.Kind, "Reason": orDash(r.Reason)}), sizeSmall, false)
}

// age reads a duration in its largest whole unit.
func (p *page) age(d time.Duration) string {
	d = max(d, 0)
	switch {
	case d < time.Minute:
		return p.t("mnt_seconds", nil, int(d/time.Second))
	case d < time.Hour:
		return p.t("mnt_minutes", nil, int(d/time.Minute))
	case d < 48*time.Hour:
		return p.t("mnt_hours", nil, int(d/time.Hour))
	}
	return p.t("mnt_days", nil, int(d/(24*time.Hour)))
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "–"
	}
	return s
}

// ---- test capture ----

func (p *page) captureScreen(c maintenance.Capture, back, lang func()) fyne.CanvasObject {
	var body []fyne.CanvasObject
	if c.Image != nil {
		img := canvas.NewImageFromImage(c.Image)
		img.FillMode = canvas.ImageFillContain
		img.ScaleMode = canvas.ImageScalePixels
		img.SetMinSize(fyne.NewSize(p.width-4*margin, 800))
		body = append(body, img)
	}
	q := c.Quality
	if q == "" {
		q = "no_finger"
	}
	body = append(body,
		p.box(q == "ok", p.t("quality_"+q, nil)),
		p.para(p.t("mnt_capture_score", map[string]any{"Score": c.Score}), sizeBody, true),
		p.para(p.t("mnt_capture_note", nil), sizeSmall, false))
	return p.frame("mnt_capture_title", p.button("mnt_back", kui.BackIcon(p.dir()), back), lang, body...)
}

// ---- leaving to the operating system ----

func (p *page) exitConfirm(step maintenance.ExitStep, yes, no, lang func()) fyne.CanvasObject {
	q, y := "mnt_exit_q1", "mnt_exit_yes1"
	if step >= maintenance.ExitConfirm2 {
		q, y = "mnt_exit_q2", "mnt_exit_yes2"
	}
	yb := p.button(y, theme.WarningIcon(), yes)
	cancel := p.button("mnt_cancel", nil, no)
	cancel.Primary = true // the safe answer is the obvious one
	return p.frame("mnt_exit_os", p.button("mnt_back", kui.BackIcon(p.dir()), no), lang,
		p.warn(p.t(q, nil)), layout.NewSpacer(), kui.GridRow(p.dir(), cancel, yb))
}

// ---- out of service ----

// OutOfServiceScreen is the bilingual screen shown to the public while the
// kiosk is out of service: the standard text and the configured message
// (where else to go) in Arabic, then in English. It offers no buttons.
func OutOfServiceScreen(cat *i18n.Catalog, st maintenance.OutOfService, width float32) fyne.CanvasObject {
	var objs []fyne.CanvasObject
	icon := canvas.NewImageFromResource(theme.NewColoredResource(theme.WarningIcon(), theme.ColorNameWarning))
	icon.SetMinSize(fyne.NewSquareSize(160))
	icon.FillMode = canvas.ImageFillContain
	objs = append(objs, layout.NewSpacer(), icon)
	for i, lang := range []string{i18n.Arabic, i18n.English} {
		p := &page{cat: cat, lang: lang, width: width}
		if i > 0 {
			objs = append(objs, widgetSeparator())
		}
		title := p.para(p.t("oos_title", nil), sizeHuge, true)
		body := p.para(p.t("oos_body", nil), sizeTitle, false)
		title.Align, body.Align = kui.Center, kui.Center
		objs = append(objs, title, body)
		if m := st.MessageFor(lang); m != "" {
			ml := p.para(m, sizeTitle, true)
			ml.Align = kui.Center
			ml.Color = theme.ColorNamePrimary
			objs = append(objs, ml)
		}
	}
	objs = append(objs, layout.NewSpacer())
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameBackground))
	return container.NewStack(bg, container.NewPadded(container.NewVBox(objs...)))
}
