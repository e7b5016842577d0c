package ui

import (
	"testing"

	"fyne.io/fyne/v2"

	"github.com/absher-kiosk/kiosk/kiosk/i18n"
)

// Every screen fits the reference portrait screen and the landscape one,
// in both text sizes: nothing is pushed off the glass.
func TestScreensFit(t *testing.T) {
	for _, s := range []Settings{{}, {LargeText: true}} {
		for _, lang := range []string{i18n.Arabic, i18n.English} {
			for name, v := range screens(lang) {
				for _, size := range []fyne.Size{portrait, landscape} {
					a, w := newWindow(t, size)
					if _, err := New(a, w, &machine{v: v}, Options{LargeText: s.LargeText, Announcements: []string{"Passport services close at 10 pm / خدمات الجوازات حتى 10 مساء"}}); err != nil {
						t.Fatal(err)
					}
					if m := w.Content().MinSize(); m.Width > size.Width || m.Height > size.Height {
						t.Errorf("%s %s at %v (large=%v) needs %v", lang, name, size, s.LargeText, m)
					}
				}
			}
		}
	}
}

// The mobile screen takes as many digits as the flow's field (16, for the
// international forms); its entry line still fits both screens.
func TestLongMobileEntryFits(t *testing.T) {
	for _, s := range []Settings{{}, {LargeText: true}} {
		for _, lang := range []string{i18n.Arabic, i18n.English} {
			for _, size := range []fyne.Size{portrait, landscape} {
				a, w := newWindow(t, size)
				v := View{Screen: ScreenMobile, Lang: lang, Entry: "00966512345678", Places: 16}
				if _, err := New(a, w, &machine{v: v}, Options{LargeText: s.LargeText}); err != nil {
					t.Fatal(err)
				}
				if m := w.Content().MinSize(); m.Width > size.Width || m.Height > size.Height {
					t.Errorf("%s mobile with 16 places at %v (large=%v) needs %v", lang, size, s.LargeText, m)
				}
			}
		}
	}
}
