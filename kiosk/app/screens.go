package app

import (
	"slices"
	"sync"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/flow"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/kiosk/ui"
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
func rearmable(code domain.ProblemCode) bool {
	return code == domain.ProblemNotMatched || code == domain.ProblemQuality
}

// codeDigits is the length of an SMS code. The code screen stays drawn
// while the submission runs, when the flow takes no input and publishes
// no limit, so the screens keep the code's length for that moment.
const codeDigits = 6

// ToUI translates a flow view into the screen to draw. It is the one place
// where the flow's steps become the screens' coarser ui.Screen (with
// catalogueScreen for the catalogue's and Print a document's steps).
func ToUI(v flow.View) ui.View {
	u := ui.View{Lang: v.Lang, IdleWarning: v.IdleWarning, IdleLeft: seconds(v.IdleLeft)}
	switch v.Step {
	case flow.StepAttract:
		u.Screen = ui.ScreenAttract
	case flow.StepLanguage:
		u.Screen = ui.ScreenLanguage
	case flow.StepIDEntry:
		u.Screen, u.Places, u.Entry = ui.ScreenID, v.EntryPlaces, v.Entry
	case flow.StepMenu, flow.StepIdentify:
		// Starting the identification happens on the menu: a failure is
		// shown there and choosing the service again retries it.
		u.Screen = ui.ScreenMenu
		for _, it := range v.Services {
			if it.Enabled {
				u.Services = append(u.Services, it.ID)
			}
		}
		if v.Step == flow.StepIdentify && len(u.Services) == 0 && v.Service != "" {
			u.Services = []domain.ServiceID{v.Service}
		}
	case flow.StepFingerprint:
		u.Screen, u.Scanning, u.TriesLeft, u.CanFallback = ui.ScreenFinger, v.Busy, v.TriesLeft, v.CanFallback
		u.Finger = "right_index"
		if v.Finger == flow.LeftIndex {
			u.Finger = "left_index"
		}
	case flow.StepFallbackPassword:
		// The flow decides whether the password may be shown, and shows
		// it in Entry only when the person asked.
		u.Screen, u.Entry, u.CanReveal, u.Revealed = ui.ScreenPassword, v.Entry, v.CanReveal, v.Revealed
	case flow.StepMobileEntry:
		u.Screen, u.Places, u.Entry = ui.ScreenMobile, v.EntryPlaces, v.Entry
	case flow.StepFallbackCode, flow.StepMobileCode, flow.StepSubmitting:
		u.Screen, u.Places, u.Entry = ui.ScreenCode, v.EntryPlaces, v.Entry
		if v.Step == flow.StepSubmitting {
			u.Places = codeDigits
		}
		u.MobileLast4 = last4(v.MaskedMobile)
		u.ResendIn = seconds(v.ResendIn)
		if v.Problem != nil && v.Problem.Code == domain.ProblemCodeWrong {
			u.TriesLeft = v.CodeTriesLeft
		}
	case flow.StepResult:
		u.Screen, u.Done, u.Reference = ui.ScreenResult, v.Done, v.Reference
	case flow.StepReceiptOffer, flow.StepPrinting:
		u.Screen, u.Scanning = ui.ScreenReceipt, v.Busy
	case flow.StepThankYou:
		u.Screen = ui.ScreenThanks
	default:
		if !catalogueScreen(v, &u) {
			u.Screen = ui.ScreenError
		}
	}
	catalogueParts(v, &u)
	if v.Busy && waitsOnCentre(v.Step) {
		// A slow network must not look like a frozen screen.
		u.Busy = true
	}
	if v.Problem != nil {
		if v.Problem.Code == domain.ProblemQuality {
			u.Quality = qualityCode(v.Problem.Hint)
		} else {
			u.Problem = screenProblem(v.Step, v.Problem.Code)
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

// screenProblem is the one place where a problem of the flow (its own
// codes, the input rules' reasons, the centre's refusals and rule codes)
// becomes the screens' message "problem_<code>". The same input rule reads
// differently on the ID, mobile and password screens; a rule code the
// screens cannot name reads as "not eligible". Only a code nobody declared
// reads as "internal": TestEveryProblemHasWords keeps that from happening
// to a declared one.
func screenProblem(step flow.Step, code domain.ProblemCode) string {
	switch code {
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
	case domain.ProblemUnknownPerson:
		return "id_unknown"
	case domain.ProblemWrongPassword:
		return "password_wrong"
	case domain.ProblemNotMatched:
		return "finger_no_match"
	case domain.ProblemLocked, domain.ProblemResendLimit:
		return "too_many_attempts"
	case domain.ProblemNoAccount:
		return "service_unavailable"
	case domain.ProblemPrinterFailed:
		return "printer_unavailable"
	case domain.ProblemSessionExpired:
		return "timeout"
	case domain.ProblemUnreachable, domain.ProblemScannerUnavailable, domain.ProblemCodeWrong, domain.ProblemCodeExpired,
		domain.ProblemServiceUnavailable, domain.ProblemResendTooSoon,
		domain.ProblemNotEligible, domain.ProblemChooseOption, domain.ProblemNoSubjects,
		domain.ProblemNoDocuments, domain.ProblemDocPrinterDown:
		return string(code)
	case domain.ProblemUnexpected:
		return "internal"
	}
	// A rule that refused at submission: named when the screens have its
	// own message, else "not eligible".
	if slices.Contains(ui.ReasonCodes, string(code)) {
		if slices.Contains(ui.ProblemCodes, string(code)) {
			return string(code)
		}
		return string(domain.ProblemNotEligible)
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
		return flow.ChooseService{ID: domain.ServiceID(e.Value)}
	case ui.EvReveal:
		return flow.Reveal{}
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
