package flow

import (
	"reflect"
	"testing"
	"testing/synctest"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
)

// FuzzEvents feeds arbitrary event sequences, with operations finishing at
// arbitrary moments and the clock jumping, and checks the machine never
// panics, never shows a step outside the flow, and that a Cancel always
// leaves an empty session on the attract screen.
func FuzzEvents(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	f.Add([]byte("\x00\x01\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x05\x06\x10\x10\x07"))
	f.Add([]byte{0, 1, 14, 14, 14, 15, 16, 17, 18, 19, 20})
	known := map[Step]bool{}
	for _, s := range append(allSteps, StepFallbackPassword, StepFallbackCode, StepError) {
		known[s] = true
	}
	f.Fuzz(func(t *testing.T, script []byte) {
		synctest.Test(t, func(t *testing.T) {
			r := newRig(t)
			r.hold = true
			digits := []rune("0123456789١٢٣")
			for _, b := range script {
				switch b % 24 {
				case 0:
					r.send(Start{})
				case 1:
					r.send(ChooseLanguage{[]string{"ar", "en", "fr"}[int(b/24)%3]})
				case 2, 3, 4:
					r.send(Key{digits[int(b/24)%len(digits)]})
				case 5:
					r.send(SubmitEntry{})
				case 6:
					r.send(ChooseService{[]domain.ServiceID{"update_mobile", "renew_iqama", ""}[int(b/24)%3]})
				case 7:
					r.flush()
				case 8:
					r.send(Capture{})
				case 9:
					r.send(UseFallback{})
				case 10:
					r.send(Resend{})
				case 11:
					r.send(AcceptReceipt{})
				case 12:
					r.send(DeclineReceipt{})
				case 13:
					r.send(Retry{})
				case 14:
					r.send(Back{})
				case 15:
					r.send(Backspace{})
				case 16:
					r.send(Clear{})
				case 17:
					r.send(MoreTime{})
				case 18:
					r.advance(time.Duration(b) * time.Second / 4)
				case 19:
					r.typeIn(testID)
				case 20:
					r.typeIn(testMobile)
				case 21:
					r.centre.finger = func(n, pos int) (domain.FingerResult, error) { return domain.FingerResult{TriesLeft: 1}, nil }
				case 22:
					r.sub.errs = append(r.sub.errs, domain.ErrUnreachable)
				case 23:
					r.send(Timeout{})
				}
				if !known[r.m.View().Step] {
					t.Fatalf("unknown step %q", r.m.View().Step)
				}
			}
			r.send(Cancel{})
			r.flush()
			if v := r.m.View(); v.Step != StepAttract || v.Busy || v.Problem != nil {
				t.Fatalf("after Cancel: %+v", v)
			}
			if !reflect.ValueOf(r.m.Session().Data).IsZero() {
				t.Fatalf("session not empty after Cancel: %+v", r.m.Session().Data)
			}
		})
	})
}

func BenchmarkKeyEcho(b *testing.B) {
	r := newRig(&testing.T{})
	r.walk(StepIDEntry)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%10 == 9 {
			r.m.Send(Clear{})
		} else {
			r.m.Send(Key{'7'})
		}
	}
}

func BenchmarkVisit(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		r := newRig(&testing.T{})
		r.walk(StepResult)
		r.send(SubmitEntry{}, DeclineReceipt{}, SubmitEntry{})
	}
}
