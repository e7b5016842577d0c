package app

import (
	"context"
	"errors"
	"image"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/flow"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/kiosk/ui"
	"github.com/absher-kiosk/kiosk/sync/api"
)

func TestToUI(t *testing.T) {
	p := func(code, hint string) *flow.Problem { return &flow.Problem{Code: code, Hint: hint, CanRetry: true} }
	tests := []struct {
		name string
		in   flow.View
		want ui.View
	}{
		{"attract", flow.View{Step: flow.StepAttract, Lang: "ar"}, ui.View{Step: ui.StepAttract, Lang: "ar"}},
		{"id with bad check digit", flow.View{Step: flow.StepIDEntry, Lang: "en", Entry: "1234", Problem: p("bad_check_digit", "")},
			ui.View{Step: ui.StepID, Lang: "en", Entry: "1234", MaxDigits: 10, Problem: "id_checksum"}},
		{"id too short", flow.View{Step: flow.StepIDEntry, Problem: p("too_short", "")}, ui.View{Step: ui.StepID, MaxDigits: 10, Problem: "id_length"}},
		{"mobile too short", flow.View{Step: flow.StepMobileEntry, Problem: p("too_short", "")}, ui.View{Step: ui.StepMobile, MaxDigits: 10, Problem: "mobile_format"}},
		{"menu shows enabled services", flow.View{Step: flow.StepMenu, Services: []flow.ServiceItem{{ID: "update_mobile", Enabled: true}, {ID: "x"}}},
			ui.View{Step: ui.StepMenu, Services: []string{"update_mobile"}}},
		{"identify unreachable shows on the menu", flow.View{Step: flow.StepIdentify, Service: "update_mobile", Problem: p(flow.ProblemUnreachable, "")},
			ui.View{Step: ui.StepMenu, Services: []string{"update_mobile"}, Problem: "central_unreachable"}},
		{"unknown person", flow.View{Step: flow.StepIdentify, Service: "update_mobile", Problem: p("id_unknown", "")},
			ui.View{Step: ui.StepMenu, Services: []string{"update_mobile"}, Problem: "id_unknown"}},
		{"second finger after a miss", flow.View{Step: flow.StepFingerprint, Finger: flow.LeftIndex, TriesLeft: 2, Problem: p(flow.ProblemNotMatched, "")},
			ui.View{Step: ui.StepFinger, Finger: "left_index", TriesLeft: 2, Problem: "finger_no_match"}},
		{"quality hint", flow.View{Step: flow.StepFingerprint, Finger: flow.RightIndex, TriesLeft: 3, Problem: p(flow.ProblemQuality, "press_harder")},
			ui.View{Step: ui.StepFinger, Finger: "right_index", TriesLeft: 3, Quality: "press_harder"}},
		{"scanning", flow.View{Step: flow.StepFingerprint, Finger: flow.RightIndex, Busy: true},
			ui.View{Step: ui.StepFinger, Finger: "right_index", Scanning: true}},
		{"password as dots", flow.View{Step: flow.StepFallbackPassword, Entry: "•••"}, ui.View{Step: ui.StepPassword, Entry: "•••"}},
		{"password checked by the centre", flow.View{Step: flow.StepFallbackPassword, Busy: true}, ui.View{Step: ui.StepPassword, Busy: true}},
		{"password empty", flow.View{Step: flow.StepFallbackPassword, Problem: p("empty", "")}, ui.View{Step: ui.StepPassword, Problem: "password_empty"}},
		{"password wrong", flow.View{Step: flow.StepFallbackPassword, Problem: p(api.CodeWrongPassword, "")}, ui.View{Step: ui.StepPassword, Problem: "password_wrong"}},
		{"fallback offered", flow.View{Step: flow.StepFingerprint, Finger: flow.LeftIndex, TriesLeft: 2, CanFallback: true, Problem: p(flow.ProblemNotMatched, "")},
			ui.View{Step: ui.StepFinger, Finger: "left_index", TriesLeft: 2, CanFallback: true, Problem: "finger_no_match"}},
		{"identifying", flow.View{Step: flow.StepIdentify, Busy: true, Service: "update_mobile"},
			ui.View{Step: ui.StepMenu, Services: []string{"update_mobile"}, Busy: true}},
		{"fallback code checked", flow.View{Step: flow.StepFallbackCode, Busy: true, MaskedMobile: "*********1234"},
			ui.View{Step: ui.StepCode, MaxDigits: 6, MobileLast4: "1234", Busy: true}},
		{"receipt printing is not a wait on the centre", flow.View{Step: flow.StepPrinting, Busy: true},
			ui.View{Step: ui.StepReceipt, Scanning: true}},
		{"code with countdown", flow.View{Step: flow.StepMobileCode, MaskedMobile: "*********5678", ResendIn: 59500 * time.Millisecond, CodeTriesLeft: 2, Problem: p(flow.ProblemCodeWrong, "")},
			ui.View{Step: ui.StepCode, MaxDigits: 6, MobileLast4: "5678", ResendIn: 60, TriesLeft: 2, Problem: "code_wrong"}},
		{"submitting unreachable", flow.View{Step: flow.StepSubmitting, Problem: p(flow.ProblemUnreachable, "")},
			ui.View{Step: ui.StepCode, MaxDigits: 6, Problem: "central_unreachable"}},
		{"received", flow.View{Step: flow.StepResult, Received: true, Reference: "K-1A2B3C4D"}, ui.View{Step: ui.StepResult, Reference: "K-1A2B3C4D"}},
		{"done", flow.View{Step: flow.StepResult, Done: true, Reference: "K-1A2B3C4D"}, ui.View{Step: ui.StepResult, Done: true, Reference: "K-1A2B3C4D"}},
		{"locked", flow.View{Step: flow.StepError, Problem: &flow.Problem{Code: flow.ProblemLocked}}, ui.View{Step: ui.StepError, Problem: "too_many_attempts"}},
		{"unknown code is never raw", flow.View{Step: flow.StepError, Problem: &flow.Problem{Code: "something_new"}}, ui.View{Step: ui.StepError, Problem: "internal"}},
		{"error without problem", flow.View{Step: flow.StepError}, ui.View{Step: ui.StepError, Problem: "internal"}},
		{"idle warning", flow.View{Step: flow.StepMenu, IdleWarning: true, IdleLeft: 19200 * time.Millisecond}, ui.View{Step: ui.StepMenu, IdleWarning: true, IdleLeft: 20}},
		{"receipt offer", flow.View{Step: flow.StepReceiptOffer}, ui.View{Step: ui.StepReceipt}},
		{"thanks", flow.View{Step: flow.StepThankYou}, ui.View{Step: ui.StepThanks}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ToUI(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestEveryProblemCodeIsExplained(t *testing.T) {
	known := map[string]bool{}
	for _, c := range ui.ProblemCodes {
		known[c] = true
	}
	codes := []string{"empty", "not_digits", "too_short", "too_long", "bad_prefix", "bad_check_digit", "not_mobile", "id_unknown",
		"wrong_password", "session_expired", "resend_too_soon",
		flow.ProblemUnreachable, flow.ProblemNotMatched, flow.ProblemLocked, flow.ProblemScannerUnavailable, flow.ProblemCodeWrong,
		flow.ProblemCodeExpired, flow.ProblemResendLimit, flow.ProblemNoAccount, flow.ProblemServiceUnavailable, flow.ProblemPrinterFailed, flow.ProblemUnexpected}
	for _, s := range []flow.Step{flow.StepIDEntry, flow.StepMobileEntry, flow.StepMobileCode, flow.StepIdentify} {
		for _, c := range codes {
			if got := problemCode(s, &flow.Problem{Code: c}); !known[got] {
				t.Errorf("%s on %s maps to %q, which the screens cannot explain", c, s, got)
			}
		}
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

func (missCentre) StartVerification(context.Context, string) (flow.Verification, error) {
	return flow.Verification{Ref: "r", FingersEnrolled: true}, nil
}
func (missCentre) VerifyFinger(context.Context, string, []byte, int) (flow.FingerResult, error) {
	return flow.FingerResult{TriesLeft: 2}, nil
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
	// Operations are queued by the flow, on whichever goroutine sent the
	// event (a timer's, for the screens' arming), and run by the test.
	var mu sync.Mutex
	var pending []func()
	drain := func() {
		for {
			mu.Lock()
			if len(pending) == 0 {
				mu.Unlock()
				return
			}
			f := pending[0]
			pending = pending[1:]
			mu.Unlock()
			f()
		}
	}
	// after lets d pass on the bubble's clock, then runs what it queued.
	after := func(d time.Duration) {
		time.Sleep(d)
		synctest.Wait()
		drain()
	}
	m := flow.New(flow.Deps{Centre: missCentre{}, Scanner: sc, Go: func(f func()) { mu.Lock(); pending = append(pending, f); mu.Unlock() },
		EncodeRecord: func(*image.Gray, int, int) ([]byte, error) { return []byte{1}, nil },
		Services:     []flow.ServiceItem{{ID: "update_mobile", Enabled: true}}})
	s := NewScreens(m, 3*time.Second)
	s.Send(ui.Event{Kind: ui.EvTouch})
	s.Send(ui.Event{Kind: ui.EvLanguage, Value: "en"})
	id, _ := pii.WithCheckDigit("100000123")
	for _, r := range id {
		s.Send(ui.Event{Kind: ui.EvKey, Key: r})
	}
	s.Send(ui.Event{Kind: ui.EvConfirm})
	s.Send(ui.Event{Kind: ui.EvService, Value: "update_mobile"})
	drain()
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
