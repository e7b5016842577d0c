package app

import (
	"sync"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/flow"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/kiosk/ui"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// Screens is the screens' machine (ui.Machine) over the flow engine. It
// translates views and events and keeps nothing of the session itself.
//
// The fingerprint screen has no scan button: the scanner is armed as soon
// as the screen shows (a real scanner waits for the finger), and again
// after a miss or a refused capture, once the user has had Rearm to read
// what went wrong.
type Screens struct {
	M     *flow.Machine
	Rearm time.Duration

	mu    sync.Mutex
	armed *time.Timer
	prev  flow.Step
}

// NewScreens adapts m for the screens and starts arming the scanner.
func NewScreens(m *flow.Machine, rearm time.Duration) *Screens {
	s := &Screens{M: m, Rearm: rearm, prev: m.View().Step}
	m.Subscribe(s.arm)
	return s
}

// View is the screen for the flow's current view.
func (s *Screens) View() ui.View { return ToUI(s.M.View()) }

// Subscribe passes every change of the flow's view on, translated.
func (s *Screens) Subscribe(f func(ui.View)) {
	s.M.Subscribe(func(v flow.View) { f(ToUI(v)) })
}

// Send turns a screen event into the flow's event for the current step.
func (s *Screens) Send(e ui.Event) {
	if ev := ToFlow(s.M.View(), e); ev != nil {
		s.M.Send(ev)
	}
}

// arm keeps one capture pending while the fingerprint screen waits.
func (s *Screens) arm(v flow.View) {
	s.mu.Lock()
	defer s.mu.Unlock()
	entering := !fingerStep(s.prev)
	s.prev = v.Step
	wants := fingerStep(v.Step) && !v.Busy && (v.Problem == nil || rearmable(v.Problem.Code))
	if !wants || v.IdleWarning {
		if s.armed != nil {
			s.armed.Stop()
			s.armed = nil
		}
		return
	}
	if s.armed != nil {
		return
	}
	d := s.Rearm
	if entering && v.Problem == nil {
		d = 0
	}
	s.armed = time.AfterFunc(d, func() {
		s.mu.Lock()
		s.armed = nil
		s.mu.Unlock()
		if cur := s.M.View(); fingerStep(cur.Step) && !cur.Busy && !cur.IdleWarning {
			s.M.Send(flow.Capture{})
		}
	})
}

// fingerStep is a step that waits for a finger on the scanner.
func fingerStep(s flow.Step) bool { return s == flow.StepFingerprint || s == flow.StepSecondFinger }

// rearmable problems are answered by simply trying again: a miss (now with
// the other finger) or a capture the quality gate refused.
func rearmable(code string) bool {
	return code == flow.ProblemNotMatched || code == flow.ProblemQuality
}

// ToUI translates a flow view into the screen to draw.
func ToUI(v flow.View) ui.View {
	u := ui.View{Lang: v.Lang, IdleWarning: v.IdleWarning, IdleLeft: seconds(v.IdleLeft)}
	switch v.Step {
	case flow.StepAttract:
		u.Step = ui.StepAttract
	case flow.StepLanguage:
		u.Step = ui.StepLanguage
	case flow.StepIDEntry:
		u.Step, u.MaxDigits, u.Entry = ui.StepID, 10, v.Entry
	case flow.StepMenu, flow.StepIdentify:
		// Starting the identification happens on the menu: a failure is
		// shown there and choosing the service again retries it.
		u.Step = ui.StepMenu
		for _, it := range v.Services {
			if it.Enabled {
				u.Services = append(u.Services, menuCode(it.ID))
			}
		}
		if v.Step == flow.StepIdentify && len(u.Services) == 0 && v.Service != "" {
			u.Services = []string{menuCode(v.Service)}
		}
	case flow.StepFingerprint:
		u.Step, u.Scanning, u.TriesLeft, u.CanFallback = ui.StepFinger, v.Busy, v.TriesLeft, v.CanFallback
		u.Finger = "right_index"
		if v.Finger == flow.LeftIndex {
			u.Finger = "left_index"
		}
	case flow.StepFallbackPassword:
		// The flow shows the password as dots only, so the screens cannot
		// reveal it: no show button.
		u.Step, u.Entry = ui.StepPassword, v.Entry
	case flow.StepMobileEntry:
		u.Step, u.MaxDigits, u.Entry = ui.StepMobile, 10, v.Entry
	case flow.StepFallbackCode, flow.StepMobileCode, flow.StepSubmitting:
		u.Step, u.MaxDigits, u.Entry = ui.StepCode, 6, v.Entry
		u.MobileLast4 = last4(v.MaskedMobile)
		u.ResendIn = seconds(v.ResendIn)
		if v.Problem != nil && v.Problem.Code == flow.ProblemCodeWrong {
			u.TriesLeft = v.CodeTriesLeft
		}
	case flow.StepResult:
		u.Step, u.Done, u.Reference = ui.StepResult, v.Done, v.Reference
	case flow.StepReceiptOffer, flow.StepPrinting:
		u.Step, u.Scanning = ui.StepReceipt, v.Busy
	case flow.StepThankYou:
		u.Step = ui.StepThanks
	default:
		if !catalogueStep(v, &u) {
			u.Step = ui.StepError
		}
	}
	catalogueParts(v, &u)
	if v.Busy && waitsOnCentre(v.Step) {
		// A slow network must not look like a frozen screen.
		u.Busy = true
	}
	if v.Problem != nil {
		if v.Problem.Code == flow.ProblemQuality {
			u.Quality = qualityCode(v.Problem.Hint)
		} else {
			u.Problem = problemCode(v.Step, v.Problem)
		}
	}
	if v.Step == flow.StepError && u.Problem == "" {
		u.Problem = "internal"
	}
	return u
}

// waitsOnCentre are the steps whose busy time is an online call or the
// submission; the fingerprint and printing screens say their own wait.
func waitsOnCentre(s flow.Step) bool {
	switch s {
	case flow.StepIdentify, flow.StepFallbackPassword, flow.StepFallbackCode,
		flow.StepMobileEntry, flow.StepMobileCode, flow.StepSubmitting:
		return true
	}
	return false
}

func seconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}

func last4(masked string) string {
	var digits []rune
	for _, r := range masked {
		if r >= '0' && r <= '9' {
			digits = append(digits, r)
		}
	}
	if len(digits) > 4 {
		digits = digits[len(digits)-4:]
	}
	return string(digits)
}

// qualityCode maps the quality gate's hint to the screens' quality codes.
func qualityCode(hint string) string {
	switch hint {
	case "place_finger":
		return "no_finger"
	case "press_harder", "press_lighter":
		return hint
	case "centre_finger", "whole_fingertip":
		return "off_centre"
	}
	return "no_finger"
}

// problemCode maps the flow's problem codes (its own, the input rules'
// and the centre's) to the screens' codes; the same input rule reads
// differently on the ID and the mobile screens.
func problemCode(step flow.Step, p *flow.Problem) string {
	switch p.Code {
	case pii.Empty, pii.TooShort, pii.TooLong, pii.NotDigits:
		switch step {
		case flow.StepFallbackPassword:
			return "password_empty"
		case flow.StepIDEntry:
			return "id_length"
		case flow.StepMobileEntry:
			return "mobile_format"
		}
		return "code_wrong"
	case pii.BadPrefix:
		if step == flow.StepIDEntry || step == flow.StepIdentify {
			return "id_prefix"
		}
		return "mobile_format"
	case pii.BadCheckDigit:
		return "id_checksum"
	case pii.NotMobile:
		return "mobile_format"
	case "id_unknown":
		return "id_unknown"
	case api.CodeWrongPassword:
		return "password_wrong"
	case flow.ProblemUnreachable:
		return "central_unreachable"
	case flow.ProblemNotMatched:
		return "finger_no_match"
	case flow.ProblemLocked, flow.ProblemResendLimit:
		return "too_many_attempts"
	case flow.ProblemScannerUnavailable:
		return "scanner_unavailable"
	case flow.ProblemCodeWrong, flow.ProblemCodeExpired, flow.ProblemServiceUnavailable:
		return p.Code
	case flow.ProblemNoAccount:
		return "service_unavailable"
	case flow.ProblemPrinterFailed:
		return "printer_unavailable"
	case "session_expired":
		return "timeout"
	}
	if c, ok := catalogueProblem(p.Code); ok {
		return c
	}
	return "internal"
}

// ToFlow translates a screen event into the flow's event for the step v
// shows; nil means the event has no meaning there.
func ToFlow(v flow.View, e ui.Event) flow.Event {
	switch e.Kind {
	case ui.EvTouch:
		return flow.Start{}
	case ui.EvLanguage:
		return flow.ChooseLanguage{Lang: e.Value}
	case ui.EvKey:
		return flow.Key{Rune: e.Key}
	case ui.EvDelete:
		return flow.Backspace{}
	case ui.EvBack:
		return flow.Back{}
	case ui.EvCancel:
		return flow.Cancel{}
	case ui.EvMoreTime:
		return flow.MoreTime{}
	case ui.EvResend:
		return flow.Resend{}
	case ui.EvFallback:
		return flow.UseFallback{}
	case ui.EvReceipt:
		if e.Value == "yes" {
			return flow.AcceptReceipt{}
		}
		return flow.DeclineReceipt{}
	case ui.EvService:
		if v.Step == flow.StepIdentify {
			return flow.Retry{}
		}
		return flow.ChooseService{ID: serviceID(e.Value)}
	case ui.EvConfirm, ui.EvFinish:
		if ev, ok := catalogueConfirm(v); ok {
			return ev
		}
		switch v.Step {
		case flow.StepFingerprint:
			return flow.Capture{}
		case flow.StepIdentify, flow.StepSubmitting:
			return flow.Retry{}
		}
		return flow.SubmitEntry{}
	}
	return catalogueEvent(v, e)
}
