package flow

import (
	"context"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/kiosk/session"
)

// Identification: start a verification for the ID, then fingerprint when
// the person has enrolled fingers and a scanner is usable, otherwise the
// password + SMS fallback when they have an account.

func (m *Machine) startVerification() {
	id := string(m.sess.Data.ID)
	m.retry = m.startVerification
	m.run(func(ctx context.Context) func(*Machine) {
		v, err := m.d.Centre.StartVerification(ctx, id)
		return func(m *Machine) {
			if err != nil {
				m.problem = problemFor(err)
				if isLocked(err) {
					m.fail(m.problem)
				}
				return
			}
			session.Set(&m.sess.Data.VerifyRef, []byte(v.Ref))
			m.hasAccount = v.HasAccount
			m.canFinger = v.FingersEnrolled && m.d.Scanner != nil && m.d.EncodeRecord != nil && m.d.Scanner.Usable()
			switch {
			case m.canFinger:
				m.toFingerprint()
			case v.HasAccount:
				m.goTo(StepFallbackPassword)
			default:
				m.fail(&Problem{Code: domain.ProblemNoAccount})
			}
		}
	})
}

func (m *Machine) onIdentify(ev Event) {
	switch ev.(type) {
	case Retry:
		if m.problem != nil && m.problem.CanRetry && m.retry != nil {
			m.problem = nil
			m.retry()
		}
	case Back:
		m.goTo(StepMenu)
	}
}

func (m *Machine) toFingerprint() {
	m.goTo(StepFingerprint)
	m.finger, m.triesLeft = RightIndex, m.d.FingerTries
}

func (m *Machine) onFingerprint(ev Event) {
	switch ev.(type) {
	case Capture, Retry:
		m.capture()
	case UseFallback:
		if m.hasAccount {
			m.goTo(StepFallbackPassword)
		} else {
			m.problem = &Problem{Code: domain.ProblemNoAccount}
		}
	case Back:
		m.goTo(StepMenu)
	}
}

// capture reads a finger, encodes it and asks the centre. A quality
// refusal or a scanner fault does not use up a try: the person did
// nothing wrong.
func (m *Machine) capture() {
	if !m.d.Scanner.Usable() {
		m.problem = &Problem{Code: domain.ProblemScannerUnavailable, CanRetry: true}
		return
	}
	m.problem = nil
	ref, pos := string(m.sess.Data.VerifyRef), m.finger
	m.run(func(ctx context.Context) func(*Machine) {
		img, err := m.d.Scanner.Capture(ctx)
		if err != nil {
			return func(m *Machine) { m.captureFailed(err) }
		}
		rec, err := m.d.EncodeRecord(img.Image, img.DPI, pos)
		if err != nil {
			return func(m *Machine) { m.keepCapture(img, nil); m.captureFailed(err) }
		}
		res, err := m.d.Centre.VerifyFinger(ctx, ref, rec, pos)
		return func(m *Machine) {
			m.keepCapture(img, rec)
			m.verdict(res, err)
		}
	})
}

// keepCapture parks the image and record in the session so the next
// capture or the wipe zeroes them.
func (m *Machine) keepCapture(img ScanImage, rec []byte) {
	if old := m.sess.Data.Image; old != nil {
		clear(old.Pix)
	}
	m.sess.Data.Image = img.Image
	session.Set(&m.sess.Data.Record, rec)
	clear(rec)
}

func (m *Machine) captureFailed(err error) {
	var q *QualityError
	if asQuality(err, &q) {
		m.problem = &Problem{Code: domain.ProblemQuality, Hint: q.Hint, CanRetry: true}
		return
	}
	m.problem = &Problem{Code: domain.ProblemScannerUnavailable, CanRetry: true}
}

func (m *Machine) verdict(res domain.FingerResult, err error) {
	switch {
	case err != nil:
		m.problem = problemFor(err)
		if isLocked(err) {
			m.fail(m.problem)
		}
	case res.Matched:
		m.identified(res.Identified)
	case res.Locked:
		m.fail(&Problem{Code: domain.ProblemLocked, Hint: res.LockReason, Lock: res.Lock})
	default:
		m.triesLeft--
		if res.TriesLeft < m.triesLeft {
			m.triesLeft = res.TriesLeft
		}
		if m.triesLeft <= 0 {
			m.fail(&Problem{Code: domain.ProblemLocked, Hint: string(domain.ProblemNotMatched), Lock: res.Lock})
			return
		}
		m.finger = LeftIndex
		m.problem = &Problem{Code: domain.ProblemNotMatched, CanRetry: true}
	}
}

func (m *Machine) onPassword(ev Event) {
	if m.edit(ev, isPasswordRune) {
		return
	}
	switch ev.(type) {
	case Reveal:
		m.revealed = !m.revealed
	case SubmitEntry:
		if len(m.sess.Data.Entry) == 0 {
			m.problem = &Problem{Code: pii.Empty, CanRetry: true}
			return
		}
		ref, pw := string(m.sess.Data.VerifyRef), string(m.sess.Data.Entry)
		clearEntry(m)
		m.revealed = false // a new attempt starts hidden
		m.run(func(ctx context.Context) func(*Machine) {
			sent, err := m.d.Centre.VerifyPassword(ctx, ref, pw)
			return func(m *Machine) {
				if err != nil {
					m.problem = problemFor(err)
					if isLocked(err) {
						m.fail(m.problem)
					}
					return
				}
				m.toCode(StepFallbackCode, sent)
			}
		})
	case Back:
		if m.canFinger {
			m.toFingerprint()
		} else {
			m.goTo(StepMenu)
		}
	}
}

func (m *Machine) toCode(s Step, sent domain.CodeSent) {
	m.goTo(s)
	session.Set(&m.sess.Data.MaskedMobile, []byte(sent.MaskedMobile))
	m.codeTriesLeft, m.resendsLeft = m.d.CodeTries, m.d.MaxResends
	m.restartCountdown(sent)
}

func (m *Machine) restartCountdown(sent domain.CodeSent) {
	wait := sent.ResendIn
	if wait <= 0 {
		wait = m.d.ResendWait
	}
	m.resendAt = time.Now().Add(wait)
	m.scheduleTick()
}

func (m *Machine) onCode(ev Event) {
	if m.edit(ev, isDigit) {
		return
	}
	switch ev.(type) {
	case SubmitEntry:
		code, err := digitsOnly(m.sess.Data.Entry)
		switch {
		case err != nil:
			m.problem = &Problem{Code: pii.NotDigits, CanRetry: true}
			return
		case len(code) < 4:
			m.problem = &Problem{Code: pii.TooShort, CanRetry: true}
			return
		}
		clearEntry(m)
		if m.step == StepMobileCode {
			session.Set(&m.sess.Data.Code, []byte(code))
			m.advance()
			return
		}
		ref := string(m.sess.Data.VerifyRef)
		m.run(func(ctx context.Context) func(*Machine) {
			id, err := m.d.Centre.VerifyCode(ctx, ref, code)
			return func(m *Machine) {
				if err != nil {
					m.codeRefused(err)
					return
				}
				m.identified(id)
			}
		})
	case Resend:
		m.resend()
	case Retry:
		if m.problem != nil && m.problem.CanRetry && m.retry != nil {
			m.retry()
		}
	case Back:
		if m.step == StepMobileCode {
			m.goTo(StepMobileEntry)
		} else {
			m.goTo(StepFallbackPassword)
		}
	}
}

// codeRefused handles a refused SMS code; wrong codes use up tries, and
// running out ends the visit like a fingerprint lock.
func (m *Machine) codeRefused(err error) {
	p := problemFor(err)
	if p.Code == domain.ProblemCodeWrong {
		m.codeTriesLeft--
		if m.codeTriesLeft <= 0 {
			m.fail(&Problem{Code: domain.ProblemLocked, Hint: string(domain.ProblemCodeWrong)})
			return
		}
	}
	if isLocked(err) {
		m.fail(p)
		return
	}
	m.problem = p
}

func (m *Machine) resend() {
	if time.Now().Before(m.resendAt) {
		return // the countdown is on screen; the button is not yet live
	}
	if m.resendsLeft <= 0 {
		m.problem = &Problem{Code: domain.ProblemResendLimit}
		return
	}
	step, ref, token, mobile := m.step, string(m.sess.Data.VerifyRef), string(m.sess.Data.Token), string(m.sess.Data.Mobile)
	m.retry = m.resend
	coder := m.mobileCoder()
	m.run(func(ctx context.Context) func(*Machine) {
		var sent domain.CodeSent
		var err error
		if coder != nil && step == StepMobileCode {
			sent, err = coder(ctx, token, mobile)
		} else if step == StepMobileCode {
			sent, err = m.d.Centre.ResendMobileCode(ctx, token, mobile)
		} else {
			sent, err = m.d.Centre.ResendCode(ctx, ref)
		}
		return func(m *Machine) {
			if err != nil {
				m.problem = problemFor(err)
				if p := m.problem; p.Code == domain.ProblemResendLimit {
					m.resendsLeft = 0
				}
				return
			}
			m.problem = nil
			m.resendsLeft--
			if sent.MaskedMobile != "" {
				session.Set(&m.sess.Data.MaskedMobile, []byte(sent.MaskedMobile))
			}
			m.restartCountdown(sent)
		}
	})
}

func (m *Machine) onMobile(ev Event) {
	if m.edit(ev, isMobileRune) {
		return
	}
	switch ev.(type) {
	case SubmitEntry:
		mobile, err := pii.NormaliseMobile(string(m.sess.Data.Entry))
		if err != nil {
			m.refuseInput(err)
			return
		}
		session.Set(&m.sess.Data.Mobile, []byte(mobile))
		m.requestMobileCode()
	case Retry:
		if m.problem != nil && m.problem.CanRetry && m.retry != nil {
			m.retry()
		}
	}
}

func (m *Machine) requestMobileCode() {
	token, mobile := string(m.sess.Data.Token), string(m.sess.Data.Mobile)
	m.retry = m.requestMobileCode
	m.problem = nil
	request := m.d.Centre.RequestMobileCode
	if c := m.mobileCoder(); c != nil {
		request = c
	}
	m.run(func(ctx context.Context) func(*Machine) {
		sent, err := request(ctx, token, mobile)
		return func(m *Machine) {
			if err != nil {
				m.problem = problemFor(err)
				if isLocked(err) {
					m.fail(m.problem)
				}
				return
			}
			if sent.MaskedMobile == "" {
				sent.MaskedMobile = pii.Mask(mobile)
			}
			m.svcAt++ // the code step follows the entry step in the table
			m.toCode(m.svc.Steps[m.svcAt], sent)
		}
	})
}

// submit hands the request to the outbox. Retries reuse the idempotency
// key so the centre applies the change once.
func (m *Machine) submit() {
	d := &m.sess.Data
	t := domain.Txn{Key: m.key, Kind: m.svc.ID, Delivery: m.svc.Delivery, Token: string(d.Token),
		Fields: m.svc.Fields(sessionData{Mobile: string(d.Mobile), Code: string(d.Code), Extra: extraText(d.Extra), Record: d.Record})}
	m.retry = m.submit
	m.problem = nil
	m.run(func(ctx context.Context) func(*Machine) {
		ack, err := m.d.Submitter.Submit(ctx, t)
		return func(m *Machine) {
			if err != nil {
				p := problemFor(err)
				switch {
				case p.Code == domain.ProblemCodeWrong || p.Code == domain.ProblemCodeExpired:
					// Back to the code step with the problem shown.
					m.svcAt--
					left := m.codeTriesLeft
					m.goTo(m.svc.Steps[m.svcAt])
					m.codeTriesLeft = left
					m.codeRefused(err)
				case isRefusal(err):
					// The centre will refuse the same request again.
					m.fail(p)
				default:
					m.problem = p
				}
				return
			}
			m.reference, m.done, m.received = ack.Reference, ack.Done, !ack.Done
			m.details = ack.Details
			m.advance()
		}
	})
}

func digitsOnly(b []byte) (string, error) {
	var out []byte
	for _, r := range string(b) {
		d, ok := pii.Digit(r)
		if !ok {
			return "", &pii.Error{Field: "code", Code: pii.NotDigits}
		}
		out = append(out, d)
	}
	return string(out), nil
}

func asQuality(err error, q **QualityError) bool {
	return errorsAs(err, q)
}

func isRefusal(err error) bool {
	var r *domain.Refusal
	return errorsAs(err, &r)
}
