package app

import (
	"context"
	"errors"
	"image"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/flow"
	"github.com/absher-kiosk/kiosk/kiosk/i18n"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/kiosk/ui"
	"github.com/absher-kiosk/kiosk/sync/api"
)

func TestToUI(t *testing.T) {
	p := func(code domain.ProblemCode, hint string) *flow.Problem {
		return &flow.Problem{Code: code, Hint: hint, CanRetry: true}
	}
	tests := []struct {
		name string
		in   flow.View
		want ui.View
	}{
		{"attract", flow.View{Step: flow.StepAttract, Lang: "ar"}, ui.View{Screen: ui.ScreenAttract, Lang: "ar"}},
		{"id with bad check digit", flow.View{Step: flow.StepIDEntry, Lang: "en", Entry: "1234", MaxEntry: 10, EntryPlaces: 10, Problem: p("bad_check_digit", "")},
			ui.View{Screen: ui.ScreenID, Lang: "en", Entry: "1234", Places: 10, Problem: "id_checksum"}},
		{"id too short", flow.View{Step: flow.StepIDEntry, MaxEntry: 10, EntryPlaces: 10, Problem: p("too_short", "")}, ui.View{Screen: ui.ScreenID, Places: 10, Problem: "id_length"}},
		{"mobile too short", flow.View{Step: flow.StepMobileEntry, MaxEntry: 14, EntryPlaces: 10, Problem: p("too_short", "")}, ui.View{Screen: ui.ScreenMobile, Places: 10, Problem: "mobile_format"}},
		{"menu shows enabled services", flow.View{Step: flow.StepMenu, Services: []flow.ServiceItem{{ID: "update_mobile", Enabled: true}, {ID: "x"}}},
			ui.View{Screen: ui.ScreenMenu, Services: []domain.ServiceID{"update_mobile"}}},
		{"identify unreachable shows on the menu", flow.View{Step: flow.StepIdentify, Service: "update_mobile", Problem: p(domain.ProblemUnreachable, "")},
			ui.View{Screen: ui.ScreenMenu, Services: []domain.ServiceID{"update_mobile"}, Problem: "centre_unreachable"}},
		{"unknown person", flow.View{Step: flow.StepIdentify, Service: "update_mobile", Problem: p("id_unknown", "")},
			ui.View{Screen: ui.ScreenMenu, Services: []domain.ServiceID{"update_mobile"}, Problem: "id_unknown"}},
		{"second finger after a miss", flow.View{Step: flow.StepFingerprint, Finger: flow.LeftIndex, TriesLeft: 2, Problem: p(domain.ProblemNotMatched, "")},
			ui.View{Screen: ui.ScreenFinger, Finger: "left_index", TriesLeft: 2, Problem: "finger_no_match"}},
		{"quality hint", flow.View{Step: flow.StepFingerprint, Finger: flow.RightIndex, TriesLeft: 3, Problem: p(domain.ProblemQuality, "press_harder")},
			ui.View{Screen: ui.ScreenFinger, Finger: "right_index", TriesLeft: 3, Quality: "press_harder"}},
		{"scanning", flow.View{Step: flow.StepFingerprint, Finger: flow.RightIndex, Busy: true},
			ui.View{Screen: ui.ScreenFinger, Finger: "right_index", Scanning: true}},
		{"password as dots", flow.View{Step: flow.StepFallbackPassword, Entry: "•••", CanReveal: true}, ui.View{Screen: ui.ScreenPassword, Entry: "•••", CanReveal: true}},
		{"password shown on request", flow.View{Step: flow.StepFallbackPassword, Entry: "Demo@2026", CanReveal: true, Revealed: true},
			ui.View{Screen: ui.ScreenPassword, Entry: "Demo@2026", CanReveal: true, Revealed: true}},
		{"password checked by the centre", flow.View{Step: flow.StepFallbackPassword, Busy: true}, ui.View{Screen: ui.ScreenPassword, Busy: true}},
		{"password empty", flow.View{Step: flow.StepFallbackPassword, Problem: p("empty", "")}, ui.View{Screen: ui.ScreenPassword, Problem: "password_empty"}},
		{"password wrong", flow.View{Step: flow.StepFallbackPassword, Problem: p(api.CodeWrongPassword, "")}, ui.View{Screen: ui.ScreenPassword, Problem: "password_wrong"}},
		{"fallback offered", flow.View{Step: flow.StepFingerprint, Finger: flow.LeftIndex, TriesLeft: 2, CanFallback: true, Problem: p(domain.ProblemNotMatched, "")},
			ui.View{Screen: ui.ScreenFinger, Finger: "left_index", TriesLeft: 2, CanFallback: true, Problem: "finger_no_match"}},
		{"identifying", flow.View{Step: flow.StepIdentify, Busy: true, Service: "update_mobile"},
			ui.View{Screen: ui.ScreenMenu, Services: []domain.ServiceID{"update_mobile"}, Busy: true}},
		{"fallback code checked", flow.View{Step: flow.StepFallbackCode, MaxEntry: 6, EntryPlaces: 6, Busy: true, MaskedMobile: "*********1234"},
			ui.View{Screen: ui.ScreenCode, Places: 6, MobileLast4: "1234", Busy: true}},
		{"receipt printing is not a wait on the centre", flow.View{Step: flow.StepPrinting, Busy: true},
			ui.View{Screen: ui.ScreenReceipt, Scanning: true}},
		{"code with countdown", flow.View{Step: flow.StepMobileCode, MaxEntry: 6, EntryPlaces: 6, MaskedMobile: "*********5678", ResendIn: 59500 * time.Millisecond, CodeTriesLeft: 2, Problem: p(domain.ProblemCodeWrong, "")},
			ui.View{Screen: ui.ScreenCode, Places: 6, MobileLast4: "5678", ResendIn: 60, TriesLeft: 2, Problem: "code_wrong"}},
		{"submitting unreachable", flow.View{Step: flow.StepSubmitting, Problem: p(domain.ProblemUnreachable, "")},
			ui.View{Screen: ui.ScreenCode, Places: 6, Problem: "centre_unreachable"}},
		{"received", flow.View{Step: flow.StepResult, Received: true, Reference: "K-1A2B3C4D"}, ui.View{Screen: ui.ScreenResult, Reference: "K-1A2B3C4D"}},
		{"done", flow.View{Step: flow.StepResult, Done: true, Reference: "K-1A2B3C4D"}, ui.View{Screen: ui.ScreenResult, Done: true, Reference: "K-1A2B3C4D"}},
		{"locked", flow.View{Step: flow.StepError, Problem: &flow.Problem{Code: domain.ProblemLocked}}, ui.View{Screen: ui.ScreenError, Problem: "too_many_attempts"}},
		{"unknown code is never raw", flow.View{Step: flow.StepError, Problem: &flow.Problem{Code: "something_new"}}, ui.View{Screen: ui.ScreenError, Problem: "internal"}},
		{"error without problem", flow.View{Step: flow.StepError}, ui.View{Screen: ui.ScreenError, Problem: "internal"}},
		{"idle warning", flow.View{Step: flow.StepMenu, IdleWarning: true, IdleLeft: 19200 * time.Millisecond}, ui.View{Screen: ui.ScreenMenu, IdleWarning: true, IdleLeft: 20}},
		{"receipt offer", flow.View{Step: flow.StepReceiptOffer}, ui.View{Screen: ui.ScreenReceipt}},
		{"thanks", flow.View{Step: flow.StepThankYou}, ui.View{Screen: ui.ScreenThanks}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ToUI(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestEveryProblemHasWords: every problem the flow can publish (its own,
// the centre's refusals it passes on, the input rules' reasons and the
// centre's rule codes) becomes, on every step, a message the screens have
// in every language. Only the flow's "unexpected" may read as "internal".
func TestEveryProblemHasWords(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	var codes []domain.ProblemCode
	for _, c := range domain.Problems() {
		if c != domain.ProblemQuality { // drawn as View.Quality, checked below
			codes = append(codes, c)
		}
	}
	codes = append(codes, pii.Empty, pii.NotDigits, pii.TooShort, pii.TooLong,
		pii.BadPrefix, pii.BadCheckDigit, pii.NotMobile)
	for _, r := range ui.ReasonCodes {
		codes = append(codes, domain.ProblemCode(r))
	}
	steps := []flow.Step{flow.StepAttract, flow.StepLanguage, flow.StepIDEntry, flow.StepMenu, flow.StepIdentify,
		flow.StepFingerprint, flow.StepFallbackPassword, flow.StepFallbackCode, flow.StepMobileEntry, flow.StepMobileCode,
		flow.StepSubmitting, flow.StepResult, flow.StepReceiptOffer, flow.StepPrinting, flow.StepThankYou, flow.StepError,
		flow.StepSubject, flow.StepOptions, flow.StepEligibility, flow.StepSecondFinger, flow.StepDocuments, flow.StepDocPrinting}
	for _, s := range steps {
		for _, c := range codes {
			got := screenProblem(s, c)
			if got == "internal" && c != domain.ProblemUnexpected {
				t.Errorf("%s on %s reads as internal", c, s)
			}
			if !slices.Contains(ui.ProblemCodes, got) {
				t.Errorf("%s on %s maps to %q, which ui.ProblemCodes does not list", c, s, got)
			}
			for _, lang := range []string{i18n.Arabic, i18n.English} {
				if !cat.Has(lang, "problem_"+got) {
					t.Errorf("%s on %s: %s has no message problem_%s", c, s, lang, got)
				}
			}
		}
	}
	if got := screenProblem(flow.StepError, "something_new"); got != "internal" {
		t.Errorf("an undeclared code reads as %q", got)
	}
	for _, h := range []string{"place_finger", "press_harder", "press_lighter", "centre_finger", "whole_fingertip", "", "odd"} {
		found := false
		for _, q := range ui.QualityCodes {
			found = found || q == qualityCode(h)
		}
		if !found {
			t.Errorf("hint %q maps to unknown quality %q", h, qualityCode(h))
		}
	}
}

func TestToFlow(t *testing.T) {
	at := func(s flow.Step) flow.View { return flow.View{Step: s} }
	tests := []struct {
		v    flow.View
		e    ui.Event
		want flow.Event
	}{
		{at(flow.StepAttract), ui.Event{Kind: ui.EvTouch}, flow.Start{}},
		{at(flow.StepLanguage), ui.Event{Kind: ui.EvLanguage, Value: "en"}, flow.ChooseLanguage{Lang: "en"}},
		{at(flow.StepIDEntry), ui.Event{Kind: ui.EvKey, Key: '7'}, flow.Key{Rune: '7'}},
		{at(flow.StepIDEntry), ui.Event{Kind: ui.EvDelete}, flow.Backspace{}},
		{at(flow.StepIDEntry), ui.Event{Kind: ui.EvConfirm}, flow.SubmitEntry{}},
		{at(flow.StepMenu), ui.Event{Kind: ui.EvService, Value: "update_mobile"}, flow.ChooseService{ID: "update_mobile"}},
		{at(flow.StepIdentify), ui.Event{Kind: ui.EvService, Value: "update_mobile"}, flow.Retry{}},
		{at(flow.StepFingerprint), ui.Event{Kind: ui.EvConfirm}, flow.Capture{}},
		{at(flow.StepSubmitting), ui.Event{Kind: ui.EvConfirm}, flow.Retry{}},
		{at(flow.StepFallbackPassword), ui.Event{Kind: ui.EvConfirm}, flow.SubmitEntry{}},
		{at(flow.StepFallbackPassword), ui.Event{Kind: ui.EvKey, Key: '@'}, flow.Key{Rune: '@'}},
		{at(flow.StepFingerprint), ui.Event{Kind: ui.EvFallback}, flow.UseFallback{}},
		{at(flow.StepFallbackPassword), ui.Event{Kind: ui.EvReveal}, flow.Reveal{}},
		{at(flow.StepMobileCode), ui.Event{Kind: ui.EvResend}, flow.Resend{}},
		{at(flow.StepReceiptOffer), ui.Event{Kind: ui.EvReceipt, Value: "yes"}, flow.AcceptReceipt{}},
		{at(flow.StepReceiptOffer), ui.Event{Kind: ui.EvReceipt, Value: "no"}, flow.DeclineReceipt{}},
		{at(flow.StepThankYou), ui.Event{Kind: ui.EvFinish}, flow.SubmitEntry{}},
		{at(flow.StepMenu), ui.Event{Kind: ui.EvBack}, flow.Back{}},
		{at(flow.StepMenu), ui.Event{Kind: ui.EvCancel}, flow.Cancel{}},
		{at(flow.StepMenu), ui.Event{Kind: ui.EvMoreTime}, flow.MoreTime{}},
		{at(flow.StepMenu), ui.Event{Kind: 0}, nil},
	}
	for _, tt := range tests {
		if got := ToFlow(tt.v, tt.e); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s %+v: got %#v, want %#v", tt.v.Step, tt.e, got, tt.want)
		}
	}
}

// countingScanner misses or refuses as told, counting captures.
type countingScanner struct {
	n   atomic.Int32
	err error
}

func (s *countingScanner) Usable() bool { return true }
func (s *countingScanner) Capture(ctx context.Context) (flow.ScanImage, error) {
	s.n.Add(1)
	if s.err != nil {
		return flow.ScanImage{}, s.err
	}
	return flow.ScanImage{Image: image.NewGray(image.Rect(0, 0, 4, 4)), DPI: 500}, nil
}

type missCentre struct{ flow.Centre }

func (missCentre) StartVerification(context.Context, string) (domain.Verification, error) {
	return domain.Verification{Ref: "r", FingersEnrolled: true}, nil
}
func (missCentre) VerifyFinger(context.Context, string, []byte, int) (domain.FingerResult, error) {
	return domain.FingerResult{TriesLeft: 2}, nil
}

func TestScannerArming(t *testing.T) {
	for _, tc := range []struct {
		name      string
		scanErr   error
		wantAfter int32 // captures once the re-arm delay has passed
	}{
		{"a miss re-arms for the other finger", nil, 2},
		{"a quality refusal re-arms", &flow.QualityError{Hint: "press_harder"}, 2},
		{"a broken scanner does not loop", errors.New("usb gone"), 1},
	} {
		// The screens' re-arm timer and the flow's timers follow the
		// bubble's clock, which moves only when the test sleeps.
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { scannerArming(t, tc.scanErr, tc.wantAfter) })
		})
	}
}

func scannerArming(t *testing.T, scanErr error, wantAfter int32) {
	sc := &countingScanner{err: scanErr}
	var q workQueue
	// after lets d pass on the bubble's clock, then runs what it queued.
	after := func(d time.Duration) {
		time.Sleep(d)
		synctest.Wait()
		q.drain()
	}
	m := flow.New(flow.Deps{Centre: missCentre{}, Scanner: sc, Go: q.Go,
		EncodeRecord: func(*image.Gray, int, int) ([]byte, error) { return []byte{1}, nil },
		Services:     flow.Services(), Menu: []flow.ServiceItem{{ID: domain.UpdateMobile, Enabled: true}}})
	s := NewScreens(m, 3*time.Second)
	s.Send(ui.Event{Kind: ui.EvTouch})
	s.Send(ui.Event{Kind: ui.EvLanguage, Value: "en"})
	id, _ := pii.WithCheckDigit("100000123")
	for _, r := range id {
		s.Send(ui.Event{Kind: ui.EvKey, Key: r})
	}
	s.Send(ui.Event{Kind: ui.EvConfirm})
	s.Send(ui.Event{Kind: ui.EvService, Value: "update_mobile"})
	q.drain()
	if got := m.View().Step; got != flow.StepFingerprint {
		t.Fatalf("step %s", got)
	}
	if sc.n.Load() != 0 {
		t.Fatal("captured before the screen was shown")
	}
	after(0)
	if sc.n.Load() != 1 {
		t.Fatalf("not armed on entry: %d captures", sc.n.Load())
	}
	after(2 * time.Second)
	if sc.n.Load() != 1 {
		t.Fatalf("re-armed before the user could read the problem: %d", sc.n.Load())
	}
	after(time.Second)
	if got := sc.n.Load(); got != wantAfter {
		t.Fatalf("%d captures after the delay, want %d", got, wantAfter)
	}
	s.Send(ui.Event{Kind: ui.EvCancel})
	after(time.Minute)
	if got := sc.n.Load(); got > wantAfter+1 {
		t.Fatalf("captures went on after cancel: %d", got)
	}
}
