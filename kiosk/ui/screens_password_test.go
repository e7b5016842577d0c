package ui

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/absher-kiosk/kiosk/kiosk/i18n"
)

// pwMachine keeps the password itself, as the flow's session does, and
// shows the screens only dots unless asked to reveal it.
type pwMachine struct {
	machine
	secret   []rune
	revealed bool
}

func (m *pwMachine) Send(e Event) {
	m.events = append(m.events, e)
	v := m.v
	switch e.Kind {
	case EvKey:
		m.secret = append(m.secret, e.Key)
	case EvDelete:
		if len(m.secret) > 0 {
			m.secret = m.secret[:len(m.secret)-1]
		}
	case EvReveal:
		m.revealed = !m.revealed
	case EvCancel:
		clear(m.secret)
		m.secret, m.revealed = nil, false
		m.set(View{Screen: ScreenAttract})
		return
	}
	v.Revealed = m.revealed
	v.Entry = strings.Repeat("•", len(m.secret))
	if m.revealed {
		v.Entry = string(m.secret)
	}
	m.set(v)
}

func tapKey(t *testing.T, w fyne.Window, label string) { t.Helper(); test.Tap(findButton(t, w, label)) }

// Typing Demo@2026 by touch: shift for the capital (one letter, then back
// to small letters), the symbols layer for @, digits from the top row.
func TestPasswordKeyboardTyping(t *testing.T) {
	a, w := newWindow(t, portrait)
	m := &pwMachine{machine: machine{v: View{Screen: ScreenPassword, Lang: "en", CanReveal: true}}}
	if _, err := New(a, w, m, Options{}); err != nil {
		t.Fatal(err)
	}
	tapKey(t, w, "Shift")
	tapKey(t, w, "D")
	for _, k := range []string{"e", "m", "o"} { // small letters again after one capital
		tapKey(t, w, k)
	}
	tapKey(t, w, "#+=")
	tapKey(t, w, "@")
	tapKey(t, w, "abc")
	for _, k := range []string{"2", "0", "2", "7", "Delete", "6"} {
		tapKey(t, w, k)
	}
	if got := string(m.secret); got != "Demo@2026" {
		t.Fatalf("typed %q, want Demo@2026", got)
	}
	tapKey(t, w, "Confirm")
	if last := m.events[len(m.events)-1]; last.Kind != EvConfirm {
		t.Errorf("Confirm sent %+v", last)
	}
}

// The keyboard keeps keyboard order in Arabic: q is left of w and the
// digits run 1 to 0 from the left.
func TestKeyboardNotMirrored(t *testing.T) {
	for _, lang := range []string{i18n.Arabic, i18n.English} {
		a, w := newWindow(t, portrait)
		if _, err := New(a, w, &machine{v: View{Screen: ScreenPassword, Lang: lang}}, Options{}); err != nil {
			t.Fatal(err)
		}
		pos := func(l string) float32 {
			b := findButton(t, w, l)
			return fyne.CurrentApp().Driver().AbsolutePositionForObject(b).X
		}
		if !(pos("q") < pos("w") && pos("w") < pos("p") && pos("1") < pos("0") && pos("a") < pos("l")) {
			t.Errorf("%s: keyboard is not in keyboard order", lang)
		}
	}
}

// While hidden, neither the password nor any three characters of it are
// in any widget's text; shown on request; after Cancel, gone.
func TestPasswordHiddenRevealedAndWiped(t *testing.T) {
	const pw = "Demo@2026"
	a, w := newWindow(t, portrait)
	m := &pwMachine{machine: machine{v: View{Screen: ScreenPassword, Lang: "ar", CanReveal: true}}}
	if _, err := New(a, w, m, Options{}); err != nil {
		t.Fatal(err)
	}
	c := w.Canvas()
	for _, r := range pw {
		c.OnTypedRune()(r)
	}
	leaks := func(what string) {
		t.Helper()
		for _, s := range texts(w) {
			for i := 0; i+3 <= len(pw); i++ {
				if strings.Contains(s, pw[i:i+3]) {
					t.Errorf("%s: %q shows %q of the password", what, s, pw[i:i+3])
				}
			}
		}
	}
	leaks("hidden")
	dots := false
	for _, s := range texts(w) {
		dots = dots || s == strings.Repeat("•", utf8.RuneCountInString(pw))
	}
	if !dots {
		t.Errorf("no row of %d dots on screen: %q", len(pw), texts(w))
	}
	tapKey(t, w, "إظهار")
	shown := false
	for _, s := range texts(w) {
		shown = shown || strings.Contains(s, pw)
	}
	if !shown {
		t.Errorf("Show did not show the password: %q", texts(w))
	}
	tapKey(t, w, "إخفاء")
	leaks("hidden again")
	tapKey(t, w, "إظهار")
	w.Canvas().Focus(nil)
	tapKey(t, w, "إلغاء")
	if m.v.Screen != ScreenAttract {
		t.Fatalf("after Cancel the step is %s", m.v.Screen)
	}
	leaks("after the wipe")
}

// Without CanReveal there is no Show button, and a machine that put the
// password in Entry by mistake still gets only dots on the glass.
func TestPasswordNoRevealShowsOnlyDots(t *testing.T) {
	a, w := newWindow(t, portrait)
	m := &machine{v: View{Screen: ScreenPassword, Lang: "en", Entry: "Secret#1", Revealed: true}}
	if _, err := New(a, w, m, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, s := range texts(w) {
		if strings.Contains(s, "Secret") || s == "Show" {
			t.Errorf("screen shows %q", s)
		}
	}
}

// A physical keyboard types printable ASCII into the same events; a space
// or a non-Latin letter is not part of an Absher password.
func TestPasswordPhysicalKeyboard(t *testing.T) {
	a, w := newWindow(t, portrait)
	m := &machine{v: View{Screen: ScreenPassword, Lang: "en"}}
	if _, err := New(a, w, m, Options{}); err != nil {
		t.Fatal(err)
	}
	c := w.Canvas()
	for _, r := range "aZ ب9~\t" {
		c.OnTypedRune()(r)
	}
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	want := []Event{{Kind: EvKey, Key: 'a'}, {Kind: EvKey, Key: 'Z'}, {Kind: EvKey, Key: '9'}, {Kind: EvKey, Key: '~'}, {Kind: EvDelete}, {Kind: EvConfirm}}
	if len(m.events) != len(want) {
		t.Fatalf("events %+v, want %+v", m.events, want)
	}
	for i := range want {
		if m.events[i] != want[i] {
			t.Errorf("event %d = %+v, want %+v", i, m.events[i], want[i])
		}
	}
}

func TestPasswordRune(t *testing.T) {
	for _, tc := range []struct {
		r    rune
		want bool
	}{{'a', true}, {'Z', true}, {'0', true}, {'@', true}, {'~', true}, {' ', false}, {'\t', false}, {0x7f, false}, {'ب', false}, {'٣', false}, {'é', false}, {utf8.RuneError, false}} {
		if got := passwordRune(tc.r); got != tc.want {
			t.Errorf("passwordRune(%q) = %v", tc.r, got)
		}
	}
}

func FuzzPasswordRune(f *testing.F) {
	for _, r := range "aZ0@ ب\x7f\uFFFD" {
		f.Add(r)
	}
	f.Fuzz(func(t *testing.T, r rune) {
		if passwordRune(r) && (r < '!' || r > '~') {
			t.Fatalf("%q accepted", r)
		}
	})
}

// The fingerprint screen: Scan, then Try again after a miss, by touch;
// "Use password instead" only when offered; nothing to press mid-capture.
func TestFingerButtons(t *testing.T) {
	a, w := newWindow(t, portrait)
	m := &machine{v: View{Screen: ScreenFinger, Lang: "en", Finger: "right_index", TriesLeft: 3}}
	if _, err := New(a, w, m, Options{}); err != nil {
		t.Fatal(err)
	}
	tapKey(t, w, "Scan")
	if last := m.events[len(m.events)-1]; last.Kind != EvConfirm {
		t.Errorf("Scan sent %+v", last)
	}
	for _, s := range texts(w) {
		if s == "Use password instead" {
			t.Error("password offered when the machine does not offer it")
		}
	}
	m.set(View{Screen: ScreenFinger, Lang: "en", Finger: "left_index", TriesLeft: 2, Problem: "finger_no_match", CanFallback: true})
	tapKey(t, w, "Try again")
	tapKey(t, w, "Use password instead")
	if last := m.events[len(m.events)-1]; last.Kind != EvFallback {
		t.Errorf("Use password instead sent %+v", last)
	}
	m.set(View{Screen: ScreenFinger, Lang: "en", Finger: "left_index", TriesLeft: 2, Scanning: true, CanFallback: true})
	for _, s := range texts(w) {
		if s == "Scan" || s == "Try again" || s == "Use password instead" {
			t.Errorf("%q offered during a capture", s)
		}
	}
}

// A wait on the centre reads "Please wait…" in the user's language, with
// the way out still there, and no keys to press.
func TestBusyScreen(t *testing.T) {
	for lang, want := range map[string]string{"en": "Please wait…", "ar": "يرجى الانتظار…"} {
		a, w := newWindow(t, portrait)
		m := &machine{v: View{Screen: ScreenPassword, Lang: lang, Busy: true}}
		if _, err := New(a, w, m, Options{}); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, s := range texts(w) {
			found = found || s == want
			if s == "q" || s == "1" {
				t.Errorf("%s: key %q on the busy screen", lang, s)
			}
		}
		if !found {
			t.Errorf("%s: no %q on the busy screen: %q", lang, want, texts(w))
		}
		findButton(t, w, map[string]string{"en": "Cancel", "ar": "إلغاء"}[lang])
	}
}

// One key of the password keyboard: the tap, the machine's new view, the
// screen rebuilt (about 50 buttons) and painted at 1080×1920.
func BenchmarkPasswordKeyTap(b *testing.B) {
	a, w := newWindow(b, portrait)
	m := &pwMachine{machine: machine{v: View{Screen: ScreenPassword, Lang: "ar"}}}
	if _, err := New(a, w, m, Options{}); err != nil {
		b.Fatal(err)
	}
	var times []time.Duration
	for b.Loop() {
		if len(m.secret) >= 60 {
			m.secret = m.secret[:0]
		}
		k := findButtonB(b, w, "k")
		start := time.Now()
		test.Tap(k)
		_ = w.Canvas().Capture()
		times = append(times, time.Since(start))
	}
	if len(m.secret) == 0 {
		b.Fatal("the key typed nothing")
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(times[(len(times)*99)/100].Microseconds())/1000, "p99-ms")
}
