package ui

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/absher-kiosk/kiosk/internal/golden"
	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/i18n"
)

// machine is a stand-in step machine for this package's tests only: it
// records events and moves through the update-mobile walk.
type machine struct {
	v      View
	events []Event
	subs   []func(View)
}

func (m *machine) View() View             { return m.v }
func (m *machine) Subscribe(f func(View)) { m.subs = append(m.subs, f) }
func (m *machine) set(v View) {
	m.v = v
	for _, f := range m.subs {
		f(v)
	}
}

func (m *machine) Send(e Event) {
	m.events = append(m.events, e)
	v := m.v
	switch e.Kind {
	case EvTouch:
		v = View{Screen: ScreenLanguage}
	case EvLanguage:
		v = View{Screen: ScreenID, Lang: e.Value, Places: 10}
	case EvKey:
		if len(v.Entry) < v.Places {
			v.Entry += string(e.Key)
		}
	case EvDelete:
		if v.Entry != "" {
			v.Entry = v.Entry[:len(v.Entry)-1]
		}
	case EvConfirm:
		switch v.Screen {
		case ScreenID:
			v = View{Screen: ScreenMenu, Lang: v.Lang, Services: []domain.ServiceID{"update_mobile", "print_document"}}
		case ScreenMobile:
			v = View{Screen: ScreenCode, Lang: v.Lang, Places: 6, MobileLast4: v.Entry[max(0, len(v.Entry)-4):], ResendIn: 30}
		}
	case EvService:
		v = View{Screen: ScreenFinger, Lang: v.Lang, Finger: "right_index", TriesLeft: 3}
	case EvCancel, EvFinish:
		v = View{Screen: ScreenAttract}
	}
	m.set(v)
}

// walk visits every object reachable from o, widgets through their
// renderers.
func walk(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	visit(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walk(c, visit)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walk(c, visit)
		}
	}
}

// texts lists every string drawn or held by a label in the window.
func texts(w fyne.Window) []string {
	var out []string
	visit := func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *canvas.Text:
			out = append(out, x.Text)
		case *BidiLabel:
			out = append(out, x.Text)
		}
	}
	walk(w.Content(), visit)
	for _, ov := range w.Canvas().Overlays().List() {
		walk(ov, visit)
	}
	return out
}

func newWindow(t testing.TB, size fyne.Size) (fyne.App, fyne.Window) {
	t.Helper()
	a := test.NewTempApp(t)
	w := test.NewWindow(nil)
	w.SetPadded(false)
	w.Resize(size)
	t.Cleanup(w.Close)
	return a, w
}

var (
	portrait  = fyne.NewSize(1080, 1920)
	landscape = fyne.NewSize(1920, 1080)
)

func screens(lang string) map[string]View {
	return map[string]View{
		"attract":  {Screen: ScreenAttract},
		"language": {Screen: ScreenLanguage},
		"id":       {Screen: ScreenID, Lang: lang, Entry: "10000", Places: 10},
		"id_problem": {Screen: ScreenID, Lang: lang, Entry: "1000000001", Places: 10,
			Problem: "id_checksum", TriesLeft: 2},
		"menu":   {Screen: ScreenMenu, Lang: lang, Services: domain.Services()},
		"finger": {Screen: ScreenFinger, Lang: lang, Finger: "right_index", TriesLeft: 3},
		"finger_retry": {Screen: ScreenFinger, Lang: lang, Finger: "left_index", TriesLeft: 2,
			Quality: "press_harder", Problem: "finger_no_match", CanFallback: true},
		"password":         {Screen: ScreenPassword, Lang: lang, Entry: "•••••", CanReveal: true},
		"password_problem": {Screen: ScreenPassword, Lang: lang, Problem: "password_wrong"},
		"busy":             {Screen: ScreenPassword, Lang: lang, Busy: true},
		"mobile":           {Screen: ScreenMobile, Lang: lang, Entry: "0551", Places: 10},
		"code":             {Screen: ScreenCode, Lang: lang, Entry: "12", Places: 6, MobileLast4: "4567", ResendIn: 11},
		"result":           {Screen: ScreenResult, Lang: lang, Done: true},
		"queued":           {Screen: ScreenResult, Lang: lang, Reference: "K-20261123-0042"},
		"receipt":          {Screen: ScreenReceipt, Lang: lang},
		"thanks":           {Screen: ScreenThanks, Lang: lang},
		"error":            {Screen: ScreenError, Lang: lang, Problem: "centre_unreachable"},
		"idle":             {Screen: ScreenMobile, Lang: lang, Entry: "05", Places: 10, IdleWarning: true, IdleLeft: 20},
	}
}

func capture(t *testing.T, v View, size fyne.Size, s Settings, name string) {
	t.Helper()
	a, w := newWindow(t, size)
	m := &machine{v: v}
	u, err := New(a, w, m, Options{Announcements: []string{"Passport services close at 10 pm / خدمات الجوازات حتى 10 مساء"},
		LargeText: s.LargeText, HighContrast: s.HighContrast})
	if err != nil {
		t.Fatal(err)
	}
	_ = u
	img := w.Canvas().Capture()
	checkGolden(t, name, img)
}

func checkGolden(t *testing.T, name string, img image.Image) {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name+".png")
	want := golden.Read(t, path, buf.Bytes())
	wimg, err := png.Decode(bytes.NewReader(want))
	if err != nil {
		t.Fatal(err)
	}
	if !sameImage(img, wimg) {
		got := filepath.Join(os.TempDir(), "ui-"+name+".png")
		_ = os.WriteFile(got, buf.Bytes(), 0o644)
		t.Errorf("screen %s differs from %s; this rendering is in %s", name, path, got)
	}
}

func sameImage(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				return false
			}
		}
	}
	return true
}

func TestGoldenScreens(t *testing.T) {
	for _, lang := range []string{i18n.Arabic, i18n.English} {
		for name, v := range screens(lang) {
			if (v.Screen == ScreenAttract || v.Screen == ScreenLanguage) && lang == i18n.English {
				continue // bilingual screens, drawn once
			}
			t.Run(lang+"_"+name, func(t *testing.T) {
				capture(t, v, portrait, Settings{}, "portrait_"+lang+"_"+name)
			})
		}
		for _, name := range []string{"id", "menu", "password"} {
			t.Run("landscape_"+lang+"_"+name, func(t *testing.T) {
				capture(t, screens(lang)[name], landscape, Settings{}, "landscape_"+lang+"_"+name)
			})
		}
	}
	t.Run("landscape_attract", func(t *testing.T) {
		capture(t, View{Screen: ScreenAttract}, landscape, Settings{}, "landscape_attract")
	})
	t.Run("large_contrast_ar_id", func(t *testing.T) {
		capture(t, screens(i18n.Arabic)["id"], portrait, Settings{LargeText: true, HighContrast: true}, "portrait_ar_id_large_contrast")
	})
}

// Every tappable thing is at least 88×88 on every screen, in every mode.
func TestTouchTargets(t *testing.T) {
	for _, s := range []Settings{{}, {LargeText: true}} {
		for _, lang := range []string{i18n.Arabic, i18n.English} {
			for name, v := range screens(lang) {
				for _, size := range []fyne.Size{portrait, landscape} {
					a, w := newWindow(t, size)
					if _, err := New(a, w, &machine{v: v}, Options{LargeText: s.LargeText}); err != nil {
						t.Fatal(err)
					}
					n := 0
					walk(w.Content(), func(o fyne.CanvasObject) {
						if _, ok := o.(fyne.Tappable); !ok {
							return
						}
						n++
						if sz := o.Size(); sz.Width < MinTouch || sz.Height < MinTouch {
							t.Errorf("%s %s %v large=%v: tappable %T is %v, under %d px", lang, name, size, s.LargeText, o, sz, MinTouch)
						}
					})
					if n < 2 {
						t.Errorf("%s %s: found %d tappables; the display options must be on every screen", lang, name, n)
					}
				}
			}
		}
	}
}

func findButton(t *testing.T, w fyne.Window, label string) *Button {
	t.Helper()
	var found *Button
	walk(w.Content(), func(o fyne.CanvasObject) {
		if b, ok := o.(*Button); ok && b.Label.Text == label {
			found = b
		}
	})
	if found == nil {
		t.Fatalf("no button %q on screen; texts: %q", label, texts(w))
	}
	return found
}

// The walk of the update-mobile service by taps, and the wipe after
// Cancel: no trace of the ID, the mobile number or the name remains in
// any object of the window.
func TestWalkAndWipe(t *testing.T) {
	const (
		id     = "1012345678"
		mobile = "0551234567"
		name   = "Nora Al-Harbi"
		// password is a fallback password typed and then shown.
		password = "Demo@2026"
	)
	a, w := newWindow(t, portrait)
	m := &machine{v: View{Screen: ScreenAttract}}
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(a, w, m, Options{Catalog: cat}); err != nil {
		t.Fatal(err)
	}
	test.Tap(findButton(t, w, "المس الشاشة للبدء\nTouch the screen to start"))
	test.Tap(findButton(t, w, "English"))
	for _, d := range id {
		test.Tap(findButton(t, w, string(d)))
	}
	if m.v.Entry != id {
		t.Fatalf("entry after tapping %s is %q", id, m.v.Entry)
	}
	test.Tap(findButton(t, w, "Confirm"))
	if m.v.Screen != ScreenMenu {
		t.Fatalf("after Confirm the step is %s, want menu", m.v.Screen)
	}
	// A later step shows the person and the number being entered.
	m.set(View{Screen: ScreenMobile, Lang: "en", Entry: mobile, Places: 10, Problem: ""})
	m.set(View{Screen: ScreenResult, Lang: "en", Done: true})
	m.set(View{Screen: ScreenMobile, Lang: "en", Entry: mobile[:6], Places: 10})
	// The fallback's password, shown at the person's request.
	m.set(View{Screen: ScreenPassword, Lang: "en", Entry: password, CanReveal: true, Revealed: true})
	w.Canvas().Focus(nil)
	test.Tap(findButton(t, w, "Cancel"))
	if m.v.Screen != ScreenAttract {
		t.Fatalf("after Cancel the step is %s, want attract", m.v.Screen)
	}
	digitsOnly := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, s)
	}
	for _, s := range texts(w) {
		for _, secret := range []string{id, mobile, mobile[:6], "0551", name, password, "Demo", "@20"} {
			if strings.Contains(s, secret) || strings.Contains(digitsOnly(s), secret) {
				t.Errorf("after the wipe the window still shows %q in %q", secret, s)
			}
		}
	}
}

// A physical keyboard types into the same events as the on-screen keypad,
// Arabic-Indic digits included.
func TestPhysicalKeyboard(t *testing.T) {
	a, w := newWindow(t, portrait)
	m := &machine{v: View{Screen: ScreenID, Lang: "ar", Places: 10}}
	if _, err := New(a, w, m, Options{}); err != nil {
		t.Fatal(err)
	}
	c := w.Canvas()
	for _, r := range "1٠۲x" {
		c.OnTypedRune()(r)
	}
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	want := []Event{{Kind: EvKey, Key: '1'}, {Kind: EvKey, Key: '0'}, {Kind: EvKey, Key: '2'}, {Kind: EvDelete}, {Kind: EvConfirm}}
	if len(m.events) != len(want) {
		t.Fatalf("events %v, want %v", m.events, want)
	}
	for i := range want {
		if m.events[i] != want[i] {
			t.Errorf("event %d = %+v, want %+v", i, m.events[i], want[i])
		}
	}
}

// The display options work from any screen and reset with the session.
func TestDisplayOptions(t *testing.T) {
	a, w := newWindow(t, portrait)
	m := &machine{v: View{Screen: ScreenMenu, Lang: "en", Services: []domain.ServiceID{"update_mobile"}}}
	u, err := New(a, w, m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	test.Tap(findButton(t, w, "Large text"))
	test.Tap(findButton(t, w, "High contrast"))
	if s := u.Settings(); !s.LargeText || !s.HighContrast {
		t.Fatalf("settings after both toggles: %+v", s)
	}
	if b := findButton(t, w, "High contrast"); !b.Selected {
		t.Error("the high-contrast button does not show that it is on")
	}
	test.Tap(findButton(t, w, "Cancel"))
	if s := u.Settings(); s.LargeText || s.HighContrast {
		t.Errorf("settings survived the end of the session: %+v", s)
	}
}

// Switching language rebuilds the screen in the new language and direction.
func TestLiveLanguageSwitch(t *testing.T) {
	a, w := newWindow(t, portrait)
	m := &machine{v: View{Screen: ScreenID, Lang: "en", Places: 10}}
	if _, err := New(a, w, m, Options{}); err != nil {
		t.Fatal(err)
	}
	findButton(t, w, "Confirm")
	m.set(View{Screen: ScreenID, Lang: "ar", Places: 10})
	b := findButton(t, w, "تأكيد")
	// In Arabic the Cancel button sits at the left end of the top bar.
	cancel := findButton(t, w, "إلغاء")
	large := findButton(t, w, "خط كبير")
	if cancel.Position().X >= large.Position().X {
		t.Errorf("Arabic top bar not mirrored: cancel at %v, large text at %v", cancel.Position(), large.Position())
	}
	_ = b
}

func TestErrorScreenNeverShowsRawCodes(t *testing.T) {
	a, w := newWindow(t, portrait)
	m := &machine{v: View{Screen: ScreenError, Lang: "en", Problem: "sql: database is locked"}}
	if _, err := New(a, w, m, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, s := range texts(w) {
		if strings.Contains(s, "sql") || strings.Contains(s, "problem_") {
			t.Errorf("raw error text on screen: %q", s)
		}
	}
	want := "The kiosk ran into a problem. Please start again, or use another kiosk."
	found := false
	for _, s := range texts(w) {
		found = found || s == want
	}
	if !found {
		t.Errorf("generic problem message missing; texts: %q", texts(w))
	}
}

// TestAttractTouchedAnywhere: the attract screen says "touch the screen",
// so a touch on its title starts as the button does, while the display
// toggles above it keep their own meaning.
func TestAttractTouchedAnywhere(t *testing.T) {
	for _, size := range []fyne.Size{portrait, landscape} {
		a, w := newWindow(t, size)
		m := &machine{v: View{Screen: ScreenAttract}}
		if _, err := New(a, w, m, Options{}); err != nil {
			t.Fatal(err)
		}
		test.TapCanvas(w.Canvas(), fyne.NewPos(size.Width/2, size.Height/4))
		if len(m.events) != 1 || m.events[0].Kind != EvTouch {
			t.Fatalf("%v: a touch on the title sent %+v, want one EvTouch", size, m.events)
		}
	}
}
