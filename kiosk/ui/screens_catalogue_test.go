package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/i18n"
)

func catalogueScreens(lang string) map[string]View {
	name := "Guest Visitor"
	wife := "Wife Dependent"
	if lang == i18n.Arabic {
		name, wife = "ضيف الزائر", "زوجة تابعة"
	}
	done := func(service domain.ServiceID, d map[string]string) View {
		return View{Screen: ScreenResult, Lang: lang, Done: true, Reference: "S-1A2B3C", Catalogue: &Catalogue{Service: service, Details: d}}
	}
	return map[string]View{
		"cat_subject_visitor": {Screen: ScreenSubject, Lang: lang, Catalogue: &Catalogue{Service: "visa_extension",
			Subjects: []Subject{{Name: name, Last4: "3392", Relation: "visitor"}}}},
		"cat_subject_family": {Screen: ScreenSubject, Lang: lang, Catalogue: &Catalogue{Service: "exit_reentry",
			Subjects: []Subject{{Relation: "self"}, {Name: wife, Last4: "5748", Relation: "dependent"}}}},
		"cat_options_exit": {Screen: ScreenOptions, Lang: lang, Catalogue: &Catalogue{Service: "exit_reentry", Options: []Option{
			{Name: "visa_type", Values: []string{"single", "multiple"}, Chosen: "multiple"},
			{Name: "months", Values: []string{"3", "6", "12", "24"}, Chosen: "6"}}}},
		"cat_options_licence": {Screen: ScreenOptions, Lang: lang, Problem: "choose_option", Catalogue: &Catalogue{Service: "licence_renewal", Options: []Option{
			{Name: "years", Values: []string{"2", "5", "10"}}}}},
		"cat_checking": {Screen: ScreenEligibility, Lang: lang, Catalogue: &Catalogue{Service: "visa_extension"}},
		"cat_eligible_extension": {Screen: ScreenEligibility, Lang: lang, Catalogue: &Catalogue{Service: "visa_extension", Checked: true, Eligible: true,
			FeeSAR: 100, Details: map[string]string{"new_expiry": "2026-06-05"}}},
		"cat_eligible_lost_passport": {Screen: ScreenEligibility, Lang: lang, Catalogue: &Catalogue{Service: "report_lost_passport", Checked: true, Eligible: true}},
		"cat_refused_extension": {Screen: ScreenEligibility, Lang: lang, Problem: "not_eligible", Catalogue: &Catalogue{Service: "visa_extension", Checked: true,
			Reasons: []string{"too_early_to_extend", "insurance_does_not_cover_extension", "fee_unpaid"}, FeeSAR: 100}},
		"cat_refused_passport_validity": {Screen: ScreenEligibility, Lang: lang, Problem: "not_eligible", Catalogue: &Catalogue{Service: "exit_reentry", Checked: true,
			Reasons: []string{"passport_validity_under_3_months"}, FeeSAR: 200}},
		"cat_refused_existing": {Screen: ScreenEligibility, Lang: lang, Problem: "not_eligible", Catalogue: &Catalogue{Service: "exit_reentry", Checked: true,
			Reasons: []string{"exit_reentry_already_issued"}, Existing: "ER4401928371", CanPrintExisting: true, FeeSAR: 200}},
		"cat_result_extension": done("visa_extension", map[string]string{"visa": "V7730", "new_expiry": "2026-06-05"}),
		"cat_result_exit":      done("exit_reentry", map[string]string{"visa": "ER5D21", "expiry": "2026-09-10", "months": "6"}),
		"cat_result_cancelled": done("exit_reentry", map[string]string{"visa": "ER4401928371", "cancelled": "2026-03-10"}),
		"cat_result_licence":   done("licence_renewal", map[string]string{"new_expiry": "2031-03-30"}),
		"cat_result_lost":      done("report_lost_passport", map[string]string{"reported": "2026-03-10"}),
		"cat_result_activated": done("activate_absher", map[string]string{"mobile": "*********0008"}),
	}
}

func TestGoldenCatalogueScreens(t *testing.T) {
	for _, lang := range []string{i18n.Arabic, i18n.English} {
		for name, v := range catalogueScreens(lang) {
			t.Run(lang+"_"+name, func(t *testing.T) {
				capture(t, v, portrait, Settings{}, "portrait_"+lang+"_"+name)
			})
		}
		t.Run("landscape_"+lang+"_refused", func(t *testing.T) {
			capture(t, catalogueScreens(lang)["cat_refused_extension"], landscape, Settings{}, "landscape_"+lang+"_cat_refused_extension")
		})
	}
}

// Every reason code reads as its own sentence in both languages, never as
// the code, and an unknown code reads as the generic refusal.
func TestEveryReasonIsExplained(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{i18n.Arabic, i18n.English} {
		for _, code := range append(ReasonCodes, "rule_from_a_newer_centre") {
			v := View{Screen: ScreenEligibility, Lang: lang, Catalogue: &Catalogue{Checked: true, Reasons: []string{code}}}
			a, w := newWindow(t, portrait)
			if _, err := New(a, w, &machine{v: v}, Options{}); err != nil {
				t.Fatal(err)
			}
			all := strings.Join(texts(w), " ")
			want := cat.T(lang, "reason_"+code, nil)
			if !cat.Has(lang, "reason_"+code) {
				want = cat.T(lang, "problem_not_eligible", nil)
			}
			if strings.Contains(all, code) {
				t.Errorf("%s: the raw code %s is on screen", lang, code)
			}
			for _, word := range strings.Fields(want) {
				if !strings.Contains(all, strings.Trim(word, ".،:")) {
					t.Errorf("%s %s: %q of %q not on screen: %s", lang, code, word, want, all)
					break
				}
			}
		}
	}
}

// Taps send the subject's index, the option as name=value, and the offer
// to print or cancel an issued visa.
func TestCatalogueEvents(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{i18n.Arabic, i18n.English} {
		sc := catalogueScreens(lang)
		a, w := newWindow(t, portrait)
		m := &machine{v: sc["cat_subject_family"]}
		if _, err := New(a, w, m, Options{}); err != nil {
			t.Fatal(err)
		}
		test.Tap(findButton(t, w, cat.T(lang, "catalogue_subject_self", nil)))
		m.set(sc["cat_options_exit"])
		test.Tap(findButton(t, w, cat.T(lang, "catalogue_option_visa_type_single", nil)))
		test.Tap(findButton(t, w, "12"))
		m.set(sc["cat_refused_existing"])
		test.Tap(findButton(t, w, cat.T(lang, "catalogue_print_existing", nil)))
		test.Tap(findButton(t, w, cat.T(lang, "catalogue_cancel_existing", nil)))
		want := []Event{{Kind: EvSubject, Value: "0"}, {Kind: EvOption, Value: "visa_type=single"}, {Kind: EvOption, Value: "months=12"},
			{Kind: EvExisting, Value: "print"}, {Kind: EvExisting, Value: "cancel"}}
		if len(m.events) != len(want) {
			t.Fatalf("%s: events %+v", lang, m.events)
		}
		for i := range want {
			if m.events[i] != want[i] {
				t.Fatalf("%s: event %d is %+v, want %+v", lang, i, m.events[i], want[i])
			}
		}
	}
}

// The catalogue screens fit both orientations in both text sizes, and
// every tappable is a full-size touch target.
func TestCatalogueScreensFitAndTouch(t *testing.T) {
	for _, s := range []Settings{{}, {LargeText: true}} {
		for _, lang := range []string{i18n.Arabic, i18n.English} {
			for name, v := range catalogueScreens(lang) {
				for _, size := range []fyne.Size{portrait, landscape} {
					a, w := newWindow(t, size)
					if _, err := New(a, w, &machine{v: v}, Options{LargeText: s.LargeText}); err != nil {
						t.Fatal(err)
					}
					if m := w.Content().MinSize(); m.Width > size.Width || m.Height > size.Height {
						t.Errorf("%s %s at %v (large=%v) needs %v", lang, name, size, s.LargeText, m)
					}
					walk(w.Content(), func(o fyne.CanvasObject) {
						if _, ok := o.(fyne.Tappable); ok {
							if sz := o.Size(); sz.Width < MinTouch || sz.Height < MinTouch {
								t.Errorf("%s %s %v: tappable %T is %v, under %d px", lang, name, size, o, sz, MinTouch)
							}
						}
					})
				}
			}
		}
	}
}
