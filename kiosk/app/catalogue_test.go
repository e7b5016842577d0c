package app

import (
	"context"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/absher-kiosk/kiosk/central/demo"
	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/flow"
	"github.com/absher-kiosk/kiosk/kiosk/ui"
)

// catalogueServices are the services the demo cases walk here.
var catalogueServices = []domain.ServiceID{domain.ActivateAbsher, domain.VisaExtension, domain.ExitReentry, domain.LicenceRenewal, domain.ReportLostPassport}

// pickCases is one eligible and one refused demo case of each catalogue
// service, among people the fingerprint can identify. Cases refused for
// someone else's dependent or visitor are left out: the kiosk never lists
// them, so there is nothing to walk.
func pickCases(t *testing.T, ppl []people.Person) []demo.Case {
	t.Helper()
	byID := map[string]people.Person{}
	for _, p := range ppl {
		byID[p.ID] = p
	}
	got := map[string]bool{}
	var out []demo.Case
	for _, c := range demo.Cases(ppl) {
		if !slices.Contains(catalogueServices, c.Service) || len(byID[c.ID].Fingers) == 0 {
			continue
		}
		if slices.Contains(c.WantReasons, "not_your_visitor") || slices.Contains(c.WantReasons, "not_your_dependent") {
			continue
		}
		if c.Service == domain.ActivateAbsher && c.WantEligible && len(byID[c.ID].Fingers) < 2 {
			continue
		}
		k := string(c.Service) + map[bool]string{true: "/yes", false: "/no"}[c.WantEligible]
		if !got[k] {
			got[k] = true
			out = append(out, c)
		}
	}
	for _, s := range catalogueServices {
		if !got[string(s)+"/yes"] || !got[string(s)+"/no"] {
			t.Fatalf("the demo population lacks an eligible or a refused case of %s", s)
		}
	}
	return out
}

// TestCatalogueThroughTheScreens walks one success and one refusal of each
// catalogue service through the screens' events, the adapter, the flow and
// the program's wiring (WithServices) against the real centre over TLS:
// fingerprint identification with the real matcher, the subject and option
// screens, the centre's eligibility answer, the online submission and the
// service's receipt on the emulated printer.
func TestCatalogueThroughTheScreens(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the centre with the demo population")
	}
	w := newDemoWorld(t, "")
	for i, c := range pickCases(t, w.ppl) {
		t.Run(string(c.Service)+"/"+c.NameEN, func(t *testing.T) {
			lang := []string{"en", "ar"}[i%2]
			scan := newFingers(demo.FingerSeed(1, c.ID, people.RightIndex), demo.FingerSeed(1, c.ID, people.LeftIndex))
			desk, em, _, _ := newDesk(t, w)
			k := newServiceKiosk(t, w, scan, desk)
			k.identify(t, lang, c.ID, c.Service)
			v := k.await(t, "a service step", func(v ui.View) bool { return v.Screen != ui.ScreenMenu })
			if v.Screen == ui.ScreenSubject {
				// With only oneself to choose the step passes by itself.
				v = k.await(t, "subjects", func(v ui.View) bool {
					return v.Screen != ui.ScreenSubject || (v.Catalogue != nil && len(v.Catalogue.Subjects) > 0)
				})
			}
			if v.Screen == ui.ScreenSubject {
				idx := -1
				for j, s := range v.Catalogue.Subjects {
					if len(s.Last4) > 4 {
						t.Fatalf("subject shown with %d digits of the ID", len(s.Last4))
					}
					if (c.SubjectID == "" && s.Relation == flow.RelationSelf) || (c.SubjectID != "" && s.Relation != flow.RelationSelf && s.Last4 == c.SubjectID[len(c.SubjectID)-4:]) {
						idx = j
					}
				}
				if idx < 0 {
					t.Fatalf("subject not listed: %+v", v.Catalogue.Subjects)
				}
				k.send(ui.Event{Kind: ui.EvSubject, Value: strconv.Itoa(idx)})
				v = k.await(t, "past the subject", func(v ui.View) bool { return v.Screen != ui.ScreenSubject })
			}
			if v.Screen == ui.ScreenOptions {
				for _, name := range []string{"visa_type", "months", "years"} {
					if val, ok := c.Options[name]; ok {
						k.send(ui.Event{Kind: ui.EvOption, Value: name + "=" + val})
					}
				}
				k.send(ui.Event{Kind: ui.EvConfirm})
			}
			v = k.await(t, "eligibility answer", func(v ui.View) bool {
				return v.Screen == ui.ScreenEligibility && v.Catalogue != nil && v.Catalogue.Checked
			})
			if v.Catalogue.Eligible != c.WantEligible {
				t.Fatalf("%s: eligible %v, reasons %v; want %v %v", c.Story, v.Catalogue.Eligible, v.Catalogue.Reasons, c.WantEligible, c.WantReasons)
			}
			if !c.WantEligible {
				if !reflect.DeepEqual(v.Catalogue.Reasons, c.WantReasons) || v.Problem != "not_eligible" {
					t.Fatalf("%s: reasons %v problem %q, want %v", c.Story, v.Catalogue.Reasons, v.Problem, c.WantReasons)
				}
				k.send(ui.Event{Kind: ui.EvConfirm})
				k.await(t, "thanks", step(ui.ScreenThanks))
				return
			}
			k.send(ui.Event{Kind: ui.EvConfirm})
			if c.Service == domain.ActivateAbsher {
				v = k.await(t, "second finger", func(v ui.View) bool { return v.Screen == ui.ScreenFinger && !v.Scanning })
				if v.Finger != "left_index" {
					t.Fatalf("second finger %q", v.Finger)
				}
				k.await(t, "mobile", step(ui.ScreenMobile))
				k.typeDigits("0598765432")
				k.send(ui.Event{Kind: ui.EvConfirm})
				k.await(t, "code", func(v ui.View) bool { return v.Screen == ui.ScreenCode && v.ResendIn > 0 })
				k.typeDigits(w.lastCode(t, "+966598765432"))
				k.send(ui.Event{Kind: ui.EvConfirm})
			}
			v = k.await(t, "result", step(ui.ScreenResult))
			if !v.Done || v.Reference == "" || v.Catalogue == nil || len(v.Catalogue.Details) == 0 || v.Catalogue.Service != c.Service {
				t.Fatalf("%s: result %+v %+v", c.Story, v, v.Catalogue)
			}
			// The receipt is laid out for the service and printed.
			k.send(ui.Event{Kind: ui.EvConfirm})
			k.await(t, "receipt offer", step(ui.ScreenReceipt))
			before := len(em.Pages())
			k.send(ui.Event{Kind: ui.EvReceipt, Value: "yes"})
			v = k.await(t, "thanks", step(ui.ScreenThanks))
			if v.Problem != "" {
				t.Fatalf("%s: receipt refused: %q", c.Story, v.Problem)
			}
			if pages := em.Pages(); len(pages) != before+1 || len(pages[len(pages)-1].Barcodes) != 1 {
				t.Fatalf("%s: %d receipts printed, want one with its reference", c.Story, len(pages)-before)
			}
		})
	}
}

// TestMenuFromTheCentresConfig: the menu is the centre's configuration in
// its order, each service under its one name; a service switched off by
// the centre is not offered.
func TestMenuFromTheCentresConfig(t *testing.T) {
	w := newDemoWorld(t, "")
	k := newServiceKiosk(t, w, newFingers(1), nil)
	k.send(ui.Event{Kind: ui.EvTouch}, ui.Event{Kind: ui.EvLanguage, Value: "en"})
	k.typeDigits(w.ppl[0].ID)
	k.send(ui.Event{Kind: ui.EvConfirm})
	v := k.await(t, "menu", step(ui.ScreenMenu))
	// No printer is fitted, so Print a document is not offered.
	want := []domain.ServiceID{domain.UpdateMobile, domain.ActivateAbsher, domain.VisaExtension, domain.ExitReentry, domain.LicenceRenewal, domain.ReportLostPassport}
	if !reflect.DeepEqual(v.Services, want) {
		t.Fatalf("menu %v, want %v", v.Services, want)
	}

	cfg, err := w.client.Config(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i := range cfg.Services {
		if cfg.Services[i].ID == domain.LicenceRenewal {
			cfg.Services[i].Enabled = false
		}
	}
	if _, err := w.s.SetConfig(context.Background(), "kiosk-001", cfg); err != nil {
		t.Fatal(err)
	}
	k = newServiceKiosk(t, w, newFingers(1), nil)
	k.send(ui.Event{Kind: ui.EvTouch}, ui.Event{Kind: ui.EvLanguage, Value: "en"})
	k.typeDigits(w.ppl[0].ID)
	k.send(ui.Event{Kind: ui.EvConfirm})
	v = k.await(t, "menu", step(ui.ScreenMenu))
	if slices.Contains(v.Services, domain.LicenceRenewal) || len(v.Services) != len(want)-1 {
		t.Fatalf("menu %v offers what the centre switched off", v.Services)
	}
}
