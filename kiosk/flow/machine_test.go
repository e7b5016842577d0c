package flow

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
)

var allSteps = []Step{StepAttract, StepLanguage, StepIDEntry, StepMenu, StepIdentify, StepFingerprint,
	StepMobileEntry, StepMobileCode, StepSubmitting, StepResult, StepReceiptOffer, StepPrinting, StepThankYou}

func TestSuccess(t *testing.T) { synctest.Test(t, testSuccess) }

func testSuccess(t *testing.T) {
	r := newRig(t)
	r.walk(StepResult)
	v := r.m.View()
	if !v.Done || v.Received || v.Reference != "K-7F3A9C" || v.Name != testName {
		t.Fatalf("result view %+v", v)
	}
	if got := r.centre.fingers; len(got) != 1 || got[0] != RightIndex {
		t.Fatalf("fingers tried %v, want right index first", got)
	}
	txn := r.sub.txns[0]
	if txn.Kind != "update_mobile" || txn.Delivery != domain.Queued || txn.Key != "key-1" || txn.Token != testToken ||
		txn.Fields["mobile"] != "+966512345678" || txn.Fields["code"] != "1234" {
		t.Fatalf("submitted %+v", txn)
	}
	r.send(SubmitEntry{}, AcceptReceipt{})
	r.want(StepThankYou)
	rc := r.printer.receipts[0]
	if rc.MaskedID != "******0008" || rc.MaskedMobile != "*********5678" || rc.Reference != "K-7F3A9C" || rc.Lang != "en" || !rc.Done {
		t.Fatalf("receipt %+v", rc)
	}
	r.wantWiped()
	r.advance(8 * time.Second)
	r.wantSteps(StepLanguage, StepIDEntry, StepMenu, StepIdentify, StepFingerprint, StepMobileEntry,
		StepMobileCode, StepSubmitting, StepResult, StepReceiptOffer, StepPrinting, StepThankYou, StepAttract)
	r.wantWiped()
}

func TestQueuedOfflineWithoutPrinter(t *testing.T) { synctest.Test(t, testQueuedOfflineWithoutPrinter) }

func testQueuedOfflineWithoutPrinter(t *testing.T) {
	r := newRig(t, noPrinter)
	r.sub.ack = domain.Ack{Done: false, Reference: "K-00B1E2"}
	r.walk(StepResult)
	if v := r.m.View(); v.Done || !v.Received || v.Reference != "K-00B1E2" || v.PrinterPresent {
		t.Fatalf("result view %+v", r.m.View())
	}
	r.send(SubmitEntry{})
	r.want(StepThankYou)
	r.send(SubmitEntry{})
	r.want(StepAttract)
	r.wantWiped()
}

func TestBadID(t *testing.T) {
	tests := []struct {
		in   string
		code domain.ProblemCode
	}{
		{"", "empty"}, {"12345", "too_short"}, {"3000000004", "bad_prefix"}, {"1000000009", "bad_check_digit"},
	}
	for _, tt := range tests {
		t.Run(string(tt.code), bubble(func(t *testing.T) {
			r := newRig(t)
			r.walk(StepIDEntry)
			r.typeIn(tt.in)
			r.want(StepIDEntry)
			r.wantProblem(tt.code)
			r.send(Key{'1'})
			r.wantProblem("")
			r.typeIn("١٠٠٠٠٠٠٠٠٨")
			r.want(StepMenu)
		}))
	}
}

func TestKeypadEditing(t *testing.T) { synctest.Test(t, testKeypadEditing) }

func testKeypadEditing(t *testing.T) {
	r := newRig(t)
	r.walk(StepIDEntry)
	r.send(Key{'1'}, Key{'x'}, Key{'2'}, Backspace{}, Key{'٣'})
	if e := r.m.View().Entry; e != "1٣" {
		t.Fatalf("entry %q", e)
	}
	for range 20 {
		r.send(Key{'9'})
	}
	if v := r.m.View(); len([]rune(v.Entry)) != 10 || v.MaxEntry != 10 {
		t.Fatalf("entry %q grew past 10", v.Entry)
	}
	r.send(Clear{})
	if e := r.m.View().Entry; e != "" {
		t.Fatalf("entry %q after Clear", e)
	}
}

func TestFingerprint(t *testing.T) {
	notMatched := func(n, pos int) (domain.FingerResult, error) { return domain.FingerResult{TriesLeft: 3 - n}, nil }
	tests := []struct {
		name    string
		finger  func(n, pos int) (domain.FingerResult, error)
		scanErr []error
		sends   int
		step    Step
		problem domain.ProblemCode
		fingers []int
	}{
		{"rejected three times", notMatched, nil, 3, StepError, domain.ProblemLocked, []int{RightIndex, LeftIndex, LeftIndex}},
		{"second try matches", func(n, pos int) (domain.FingerResult, error) {
			if n == 2 {
				return domain.FingerResult{Matched: true, Identified: domain.Identified{Token: testToken, Name: testName}}, nil
			}
			return domain.FingerResult{TriesLeft: 2}, nil
		}, nil, 2, StepMobileEntry, "", []int{RightIndex, LeftIndex}},
		{"centre locks", func(n, pos int) (domain.FingerResult, error) {
			return domain.FingerResult{Locked: true, LockReason: "too_many", Lock: time.Hour}, nil
		}, nil, 1, StepError, domain.ProblemLocked, []int{RightIndex}},
		{"locked refusal", func(n, pos int) (domain.FingerResult, error) {
			return domain.FingerResult{}, &domain.Refusal{Code: domain.ProblemLocked, RetryAfter: time.Hour}
		}, nil, 1, StepError, domain.ProblemLocked, []int{RightIndex}},
		{"quality refusals do not count", notMatched, []error{&QualityError{Hint: "press_harder"}, &QualityError{Hint: "centre_finger"}}, 2, StepFingerprint, domain.ProblemQuality, nil},
		{"scanner fault", notMatched, []error{errors.New("usb: device gone")}, 1, StepFingerprint, domain.ProblemScannerUnavailable, nil},
		{"centre unreachable", func(n, pos int) (domain.FingerResult, error) { return domain.FingerResult{}, domain.ErrUnreachable }, nil, 1, StepFingerprint, domain.ProblemUnreachable, []int{RightIndex}},
	}
	for _, tt := range tests {
		t.Run(tt.name, bubble(func(t *testing.T) {
			r := newRig(t)
			r.centre.finger = tt.finger
			r.scanner.err = tt.scanErr
			r.walk(StepFingerprint)
			for range tt.sends {
				r.send(Capture{})
			}
			r.want(tt.step)
			r.wantProblem(tt.problem)
			if fmt.Sprint(r.centre.fingers) != fmt.Sprint(tt.fingers) && !(len(tt.fingers) == 0 && len(r.centre.fingers) == 0) {
				t.Fatalf("fingers %v, want %v", r.centre.fingers, tt.fingers)
			}
			if tt.step == StepError {
				r.wantWiped()
				r.send(SubmitEntry{})
				r.want(StepAttract)
			}
		}))
	}
}

func TestQualityHintAndTries(t *testing.T) { synctest.Test(t, testQualityHintAndTries) }

func testQualityHintAndTries(t *testing.T) {
	r := newRig(t)
	r.centre.finger = func(n, pos int) (domain.FingerResult, error) { return domain.FingerResult{TriesLeft: 2}, nil }
	r.scanner.err = []error{&QualityError{Hint: "press_harder"}}
	r.walk(StepFingerprint)
	r.send(Capture{})
	if v := r.m.View(); v.Problem.Hint != "press_harder" || v.TriesLeft != 3 || v.Finger != RightIndex {
		t.Fatalf("after a quality refusal %+v %+v", v, v.Problem)
	}
	r.send(Capture{})
	if v := r.m.View(); v.TriesLeft != 2 || v.Finger != LeftIndex || !v.Problem.CanRetry {
		t.Fatalf("after a miss %+v", v)
	}
	if r.scanner.images[0].Pix[0] != 0x5A {
		t.Fatal("the capture in use was zeroed early")
	}
	r.send(Capture{})
	if r.scanner.images[0].Pix[0] != 0 {
		t.Fatal("the previous capture was not zeroed when replaced")
	}
}

func TestNoScannerGoesToFallback(t *testing.T) { synctest.Test(t, testNoScannerGoesToFallback) }

func testNoScannerGoesToFallback(t *testing.T) {
	for _, opt := range []func(*Deps, *rig){noScanner, func(d *Deps, r *rig) { r.scanner.usable = false }} {
		r := newRig(t, opt)
		r.walk(StepMenu)
		r.send(ChooseService{"update_mobile"})
		r.want(StepFallbackPassword)
	}
}

func TestNoAccountNoFingers(t *testing.T) { synctest.Test(t, testNoAccountNoFingers) }

func testNoAccountNoFingers(t *testing.T) {
	r := newRig(t)
	r.centre.start = func() (domain.Verification, error) { return domain.Verification{Ref: testRef}, nil }
	r.walk(StepMenu)
	r.send(ChooseService{"update_mobile"})
	r.want(StepError)
	r.wantProblem(domain.ProblemNoAccount)
	r.wantWiped()
}

func TestFallback(t *testing.T) { synctest.Test(t, testFallback) }

func testFallback(t *testing.T) {
	r := newRig(t)
	r.walk(StepFingerprint)
	if !r.m.View().CanFallback {
		t.Fatal("fallback not offered")
	}
	r.send(UseFallback{})
	r.want(StepFallbackPassword)
	r.typeIn("Wrong")
	r.wantProblem("password_wrong")
	r.send(Key{'S'})
	if e := r.m.View().Entry; e != "•" {
		t.Fatalf("password echoed as %q", e)
	}
	r.typeIn("Secret#1")
	r.want(StepFallbackCode)
	if v := r.m.View(); v.MaskedMobile != "*********4321" || v.ResendIn != 60*time.Second || v.CodeTriesLeft != 3 || v.ResendsLeft != 3 {
		t.Fatalf("code view %+v", v)
	}
	r.typeIn("2468")
	r.want(StepMobileEntry)
	if r.m.View().Name != testName {
		t.Fatal("name not shown after fallback identification")
	}
	r.typeIn(testMobile)
	r.typeIn("1234")
	r.want(StepResult)
}

// TestRevealPassword: the password step alone can show the typed
// password; it shows only on request and hides again on a second request,
// on leaving the step, on a new attempt and when the idle warning shows.
func TestRevealPassword(t *testing.T) { synctest.Test(t, testRevealPassword) }

func testRevealPassword(t *testing.T) {
	r := newRig(t)
	r.walk(StepIDEntry)
	r.send(Reveal{})
	if v := r.m.View(); v.CanReveal || v.Revealed {
		t.Fatalf("ID entry offers to reveal: %+v", v)
	}
	r = newRig(t)
	r.walk(StepFingerprint)
	r.send(UseFallback{})
	r.want(StepFallbackPassword)
	r.send(Key{'S'}, Key{'e'})
	if v := r.m.View(); !v.CanReveal || v.Revealed || v.Entry != "••" {
		t.Fatalf("password step before Reveal: %+v", v)
	}
	r.send(Reveal{})
	if v := r.m.View(); !v.Revealed || v.Entry != "Se" {
		t.Fatalf("revealed: %+v", v)
	}
	r.send(Key{'c'})
	if v := r.m.View(); !v.Revealed || v.Entry != "Sec" {
		t.Fatalf("typing while revealed: %+v", v)
	}
	r.send(Reveal{})
	if v := r.m.View(); v.Revealed || v.Entry != "•••" {
		t.Fatalf("hidden again: %+v", v)
	}

	r.send(Reveal{})
	r.advance(45 * time.Second)
	if v := r.m.View(); !v.IdleWarning || v.Revealed || v.Entry != "•••" {
		t.Fatalf("idle warning left the password shown: %+v", v)
	}
	r.send(MoreTime{})

	r.send(Reveal{}, Clear{})
	r.typeIn("Wrong")
	r.wantProblem("password_wrong")
	if v := r.m.View(); v.Revealed {
		t.Fatalf("a new attempt starts revealed: %+v", v)
	}

	r.send(Reveal{}, Back{})
	r.send(UseFallback{})
	r.want(StepFallbackPassword)
	if v := r.m.View(); v.Revealed {
		t.Fatalf("coming back to the step starts revealed: %+v", v)
	}
	r.send(Reveal{})
	r.typeIn("Secret#1")
	r.want(StepFallbackCode)
	if v := r.m.View(); v.Revealed || v.CanReveal {
		t.Fatalf("code step after a revealed password: %+v", v)
	}
	r.send(Cancel{})
	r.wantWiped()
}

func TestCodes(t *testing.T) {
	for _, step := range []Step{StepFallbackCode, StepMobileCode} {
		reach := func(r *rig) {
			if step == StepFallbackCode {
				r.walk(StepFingerprint)
				r.send(UseFallback{})
				r.typeIn("Secret#1")
			} else {
				r.walk(StepMobileCode)
			}
			r.want(step)
		}
		wrongCode := func(r *rig) {
			if step == StepFallbackCode {
				r.typeIn("1111")
			} else {
				r.sub.errs = []error{&domain.Refusal{Code: domain.ProblemCodeWrong}}
				r.typeIn("1111")
			}
		}
		t.Run(string(step)+"/wrong thrice", bubble(func(t *testing.T) {
			r := newRig(t)
			reach(r)
			if step == StepMobileCode {
				r.sub.errs = []error{&domain.Refusal{Code: domain.ProblemCodeWrong}, &domain.Refusal{Code: domain.ProblemCodeWrong}, &domain.Refusal{Code: domain.ProblemCodeWrong}}
				for range 2 {
					r.typeIn("1111")
					r.want(step)
					r.wantProblem(domain.ProblemCodeWrong)
				}
				r.typeIn("1111")
			} else {
				for range 2 {
					wrongCode(r)
					r.want(step)
					r.wantProblem(domain.ProblemCodeWrong)
				}
				wrongCode(r)
			}
			r.want(StepError)
			r.wantProblem(domain.ProblemLocked)
			r.wantWiped()
		}))
		t.Run(string(step)+"/too short", bubble(func(t *testing.T) {
			r := newRig(t)
			reach(r)
			r.typeIn("12")
			r.wantProblem("too_short")
		}))
		t.Run(string(step)+"/expired then resend", bubble(func(t *testing.T) {
			r := newRig(t)
			r.centre.code = func(c string) (domain.Identified, error) {
				return domain.Identified{}, &domain.Refusal{Code: domain.ProblemCodeExpired}
			}
			reach(r)
			if step == StepMobileCode {
				r.sub.errs = []error{&domain.Refusal{Code: domain.ProblemCodeExpired}}
			}
			r.typeIn("1234")
			r.want(step)
			r.wantProblem(domain.ProblemCodeExpired)
			if v := r.m.View(); v.CodeTriesLeft != 3 {
				t.Fatalf("an expired code used a try: %d left", v.CodeTriesLeft)
			}
			r.send(Resend{})
			if r.m.View().ResendsLeft != 3 {
				t.Fatal("resend accepted during the countdown")
			}
			r.advance(30 * time.Second)
			if v := r.m.View(); v.ResendIn != 30*time.Second {
				t.Fatalf("countdown shows %v after 30 s", v.ResendIn)
			}
			r.send(MoreTime{}) // keep the idle timer from ending the visit
			r.advance(30 * time.Second)
			r.send(Resend{})
			if v := r.m.View(); v.ResendsLeft != 2 || v.ResendIn != 60*time.Second || v.Problem != nil {
				t.Fatalf("after resend %+v", v)
			}
		}))
		t.Run(string(step)+"/resend limit", bubble(func(t *testing.T) {
			r := newRig(t)
			reach(r)
			for i := range 3 {
				r.advance(60 * time.Second)
				r.send(Resend{})
				if r.m.View().ResendsLeft != 2-i {
					t.Fatalf("resend %d: %+v", i, r.m.View())
				}
			}
			r.advance(60 * time.Second)
			r.send(Resend{})
			r.want(step)
			r.wantProblem(domain.ProblemResendLimit)
		}))
		t.Run(string(step)+"/centre says resend limit", bubble(func(t *testing.T) {
			r := newRig(t)
			r.centre.resend = func() (domain.CodeSent, error) {
				return domain.CodeSent{}, &domain.Refusal{Code: domain.ProblemResendLimit}
			}
			reach(r)
			r.advance(60 * time.Second)
			r.send(Resend{})
			r.wantProblem(domain.ProblemResendLimit)
			if r.m.View().ResendsLeft != 0 {
				t.Fatal("resends still offered after the centre's limit")
			}
		}))
	}
}

func TestBadMobile(t *testing.T) { synctest.Test(t, testBadMobile) }

func testBadMobile(t *testing.T) {
	r := newRig(t)
	r.walk(StepMobileEntry)
	r.typeIn("0412345678")
	r.wantProblem("not_mobile")
	r.typeIn("+966 5123")
	r.wantProblem("too_short")
	r.typeIn("٠٥١٢٣٤٥٦٧٨")
	r.want(StepMobileCode)
	if v := r.m.View(); v.MaskedMobile != "*********5678" {
		t.Fatalf("masked mobile %q", v.MaskedMobile)
	}
}

// Every online step shows centre_unreachable, offers Retry, and a retry
// after the link returns carries on.
func TestUnreachable(t *testing.T) {
	tests := []struct {
		name  string
		at    Step
		reach func(r *rig)
		fail  func(r *rig, err error)
		act   func(r *rig)
	}{
		{"start verification", StepIdentify, func(r *rig) { r.walk(StepMenu) },
			func(r *rig, err error) {
				r.centre.start = func() (domain.Verification, error) {
					r.centre.start = nil
					return domain.Verification{}, err
				}
			}, func(r *rig) { r.send(ChooseService{"update_mobile"}) }},
		{"fingerprint", StepFingerprint, func(r *rig) { r.walk(StepFingerprint) },
			func(r *rig, err error) {
				r.centre.finger = func(n, pos int) (domain.FingerResult, error) {
					r.centre.finger = nil
					return domain.FingerResult{}, err
				}
			}, func(r *rig) { r.send(Capture{}) }},
		{"password", StepFallbackPassword, func(r *rig) { r.walk(StepFingerprint); r.send(UseFallback{}) },
			func(r *rig, err error) {
				r.centre.password = func() (domain.CodeSent, error) { r.centre.password = nil; return domain.CodeSent{}, err }
			}, func(r *rig) { r.typeIn("Secret#1") }},
		{"fallback code", StepFallbackCode, func(r *rig) { r.walk(StepFingerprint); r.send(UseFallback{}); r.typeIn("Secret#1") },
			func(r *rig, err error) {
				r.centre.code = func(string) (domain.Identified, error) { r.centre.code = nil; return domain.Identified{}, err }
			}, func(r *rig) { r.typeIn("2468") }},
		{"mobile code request", StepMobileEntry, func(r *rig) { r.walk(StepMobileEntry) },
			func(r *rig, err error) {
				r.centre.mobileCode = func() (domain.CodeSent, error) { r.centre.mobileCode = nil; return domain.CodeSent{}, err }
			}, func(r *rig) { r.typeIn(testMobile) }},
		{"resend", StepMobileCode, func(r *rig) { r.walk(StepMobileCode); r.advance(60 * time.Second) },
			func(r *rig, err error) {
				r.centre.resend = func() (domain.CodeSent, error) { r.centre.resend = nil; return domain.CodeSent{}, err }
			}, func(r *rig) { r.send(Resend{}) }},
		{"submit", StepSubmitting, func(r *rig) { r.walk(StepMobileCode) },
			func(r *rig, err error) { r.sub.errs = []error{err} }, func(r *rig) { r.typeIn("1234") }},
	}
	for _, tt := range tests {
		for _, err := range []error{domain.ErrUnreachable, fmt.Errorf("post: %w", context.DeadlineExceeded)} {
			t.Run(tt.name+"/"+err.Error(), bubble(func(t *testing.T) {
				r := newRig(t)
				tt.reach(r)
				tt.fail(r, err)
				tt.act(r)
				r.want(tt.at)
				r.wantProblem(domain.ProblemUnreachable)
				if !r.m.View().Problem.CanRetry {
					t.Fatal("unreachable centre without a retry")
				}
				if tt.at == StepFingerprint {
					r.send(Capture{})
				} else if tt.at == StepFallbackPassword || tt.at == StepFallbackCode {
					tt.act(r)
				} else {
					r.send(Retry{})
				}
				if v := r.m.View(); v.Step == tt.at && v.Problem != nil && tt.at != StepMobileCode {
					t.Fatalf("retry did not carry on: %+v", v)
				}
				if tt.at == StepMobileCode && r.m.View().ResendsLeft != 2 {
					t.Fatalf("retried resend not counted: %+v", r.m.View())
				}
				if tt.at == StepSubmitting {
					if len(r.sub.txns) != 2 || r.sub.txns[0].Key != r.sub.txns[1].Key {
						t.Fatalf("retry changed the idempotency key: %+v", r.sub.txns)
					}
					r.want(StepResult)
				}
			}))
		}
	}
}

func TestRefusalMapping(t *testing.T) {
	tests := []struct {
		err  error
		want Problem
	}{
		{domain.ErrUnreachable, Problem{Code: domain.ProblemUnreachable, CanRetry: true}},
		{fmt.Errorf("dial: %w", domain.ErrUnreachable), Problem{Code: domain.ProblemUnreachable, CanRetry: true}},
		{context.DeadlineExceeded, Problem{Code: domain.ProblemUnreachable, CanRetry: true}},
		{&domain.Refusal{Code: domain.ProblemLocked, RetryAfter: time.Hour}, Problem{Code: domain.ProblemLocked, Lock: time.Hour}},
		{fmt.Errorf("x: %w", &domain.Refusal{Code: domain.ProblemCodeWrong}), Problem{Code: domain.ProblemCodeWrong, CanRetry: true}},
		{&QualityError{Hint: "press_harder"}, Problem{Code: domain.ProblemQuality, Hint: "press_harder", CanRetry: true}},
		{errors.New("strange"), Problem{Code: domain.ProblemUnexpected, CanRetry: true}},
	}
	for _, tt := range tests {
		if got := problemFor(tt.err); *got != tt.want {
			t.Errorf("problemFor(%v) = %+v, want %+v", tt.err, *got, tt.want)
		}
	}
}

func TestSubmitRefusals(t *testing.T) { synctest.Test(t, testSubmitRefusals) }

func testSubmitRefusals(t *testing.T) {
	r := newRig(t)
	r.walk(StepMobileCode)
	r.sub.errs = []error{&domain.Refusal{Code: "mobile_in_use"}}
	r.typeIn("1234")
	r.want(StepError)
	r.wantProblem("mobile_in_use")
	r.wantWiped()
}

func TestPrinterFailure(t *testing.T) { synctest.Test(t, testPrinterFailure) }

func testPrinterFailure(t *testing.T) {
	r := newRig(t)
	r.printer.err = errors.New("paper out")
	r.walk(StepReceiptOffer)
	r.send(AcceptReceipt{})
	r.want(StepThankYou)
	r.wantProblem(domain.ProblemPrinterFailed)
	r.wantWiped()
}

func TestDeclineReceipt(t *testing.T) { synctest.Test(t, testDeclineReceipt) }

func testDeclineReceipt(t *testing.T) {
	r := newRig(t)
	r.walk(StepReceiptOffer)
	r.send(DeclineReceipt{})
	r.want(StepThankYou)
	if len(r.printer.receipts) != 0 {
		t.Fatal("printed a declined receipt")
	}
}

func TestMenu(t *testing.T) { synctest.Test(t, testMenu) }

func testMenu(t *testing.T) {
	r := newRig(t)
	r.walk(StepMenu)
	if v := r.m.View(); len(v.Services) != 2 || !v.Services[0].Enabled || v.Services[1].Enabled {
		t.Fatalf("menu %+v", v.Services)
	}
	for _, id := range []domain.ServiceID{"renew_iqama", "nonsense"} {
		r.send(ChooseService{id})
		r.want(StepMenu)
		r.wantProblem(domain.ProblemServiceUnavailable)
	}
}

// Cancel and idle timeout end the visit from every step, wipe it, and any
// operation still under way has its result ignored.
func TestCancelAndTimeoutAtEachStep(t *testing.T) {
	ends := map[string]func(r *rig){
		"cancel":        func(r *rig) { r.send(Cancel{}) },
		"timeout event": func(r *rig) { r.send(Timeout{}) },
		"idle timer": func(r *rig) {
			r.advance(45 * time.Second)
			if v := r.m.View(); v.Step != StepAttract && (!v.IdleWarning || v.IdleLeft != 20*time.Second) {
				r.t.Fatalf("no idle warning: %+v", v)
			}
			r.advance(20 * time.Second)
		},
	}
	for _, s := range allSteps {
		for name, end := range ends {
			t.Run(string(s)+"/"+name, bubble(func(t *testing.T) {
				r := newRig(t)
				r.walk(s)
				r.hold = true
				end(r)
				r.want(StepAttract)
				r.wantWiped()
				r.flush() // a late answer must not bring the visit back
				r.want(StepAttract)
				r.wantWiped()
				r.send(Start{})
				r.want(StepLanguage)
				if v := r.m.View(); v.Lang != "ar" || v.Service != "" || v.Reference != "" {
					t.Fatalf("new visit inherits %+v", v)
				}
			}))
		}
	}
}

func TestMoreTime(t *testing.T) { synctest.Test(t, testMoreTime) }

func testMoreTime(t *testing.T) {
	r := newRig(t)
	r.walk(StepMobileEntry)
	r.advance(45 * time.Second)
	if !r.m.View().IdleWarning {
		t.Fatal("no warning after 45 s")
	}
	r.advance(19 * time.Second)
	if v := r.m.View(); v.IdleLeft != time.Second {
		t.Fatalf("warning shows %v left", v.IdleLeft)
	}
	r.send(MoreTime{})
	if r.m.View().IdleWarning {
		t.Fatal("MoreTime kept the warning")
	}
	r.advance(44 * time.Second)
	r.want(StepMobileEntry)
	r.send(Key{'0'}) // any touch restarts the count
	r.advance(64 * time.Second)
	r.want(StepMobileEntry)
	r.advance(time.Second)
	r.want(StepAttract)
	r.wantWiped()
}

func TestBack(t *testing.T) { synctest.Test(t, testBack) }

func testBack(t *testing.T) {
	r := newRig(t)
	r.walk(StepMenu)
	r.send(Back{})
	r.want(StepIDEntry)
	r.send(Back{})
	r.want(StepLanguage)
	r.send(Back{})
	r.want(StepAttract)
	r.wantWiped()
}

// With real goroutines the machine stays consistent under the race detector.
func TestConcurrentDelivery(t *testing.T) { synctest.Test(t, testConcurrentDelivery) }

func testConcurrentDelivery(t *testing.T) {
	r := newRig(t, func(d *Deps, r *rig) { d.Go = nil })
	done := make(chan struct{})
	var once sync.Once
	r.m.Subscribe(func(v View) {
		if v.Step == StepMobileEntry {
			once.Do(func() { close(done) })
		}
	})
	r.m.Send(Start{})
	r.m.Send(ChooseLanguage{"ar"})
	for _, c := range testID {
		r.m.Send(Key{c})
	}
	r.m.Send(SubmitEntry{})
	r.m.Send(ChooseService{"update_mobile"})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() { defer wg.Done(); _ = r.m.View(); r.m.Send(MoreTime{}) }()
	}
	deadline := time.After(10 * time.Second)
	for r.m.View().Step != StepFingerprint && r.m.View().Step != StepMobileEntry {
		select {
		case <-deadline:
			t.Fatalf("stuck at %s", r.m.View().Step)
		default:
			time.Sleep(time.Millisecond)
		}
	}
	r.m.Send(Capture{})
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("capture did not finish: %+v", r.m.View())
	}
	wg.Wait()
	r.m.Send(Cancel{})
	r.want(StepAttract)
}

// TestMobileEntryTakesTheLongestForm: the screen draws the local form's
// ten places, but the field takes the longest form a digits-only keypad
// can type (009665XXXXXXXX) and no more.
func TestMobileEntryTakesTheLongestForm(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t)
		r.walk(StepMobileEntry)
		if v := r.m.View(); v.EntryPlaces != 10 || v.MaxEntry != 14 {
			t.Fatalf("mobile entry: %d places of at most %d, want 10 of 14", v.EntryPlaces, v.MaxEntry)
		}
		r.typeIn("009665123456789") // one digit too many: the last is not taken
		r.want(StepMobileCode)
	})
}
