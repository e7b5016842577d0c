package central

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"time"

	"crypto/subtle"

	"github.com/absher-kiosk/kiosk/central/demo"
	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/central/store"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// Limits of identification. They are the published Absher behaviour where
// known, and conservative elsewhere.
const (
	VerificationTTL  = 10 * time.Minute
	SessionTTL       = 10 * time.Minute // sliding: each use extends it
	SessionMax       = 30 * time.Minute
	MaxFingerTries   = 3
	MaxPasswordTries = 3
	LockDuration     = 15 * time.Minute
	SMSCodeTTL       = 5 * time.Minute
	SMSResendAfter   = 60 * time.Second
	MaxSMSSends      = 3
	MaxSMSCodeTries  = 3
)

type verification struct {
	id, kiosk, personID string
	expires             time.Time
	fingerFails         int
	passwordFails       int
	passwordOK          bool
	sms                 smsState
	done                bool
}

type session struct {
	kiosk, personID, method string
	expires, hardEnd        time.Time
}

// smsState is one SMS challenge: the current code, its tries and the sends.
type smsState struct {
	code     string
	expires  time.Time
	lastSent time.Time
	sends    int
	tries    int
	to       string
}

// fingerWarmer is a FingerVerifier that can prepare a person's templates
// ahead of the first record, while the user places their finger.
type fingerWarmer interface {
	Warm(p people.Person)
}

func (s *Server) smsCode() string {
	n, err := randInt(s, 1000000)
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n)
}

func randInt(s *Server, max int64) (int64, error) {
	b := make([]byte, 8)
	if _, err := s.rnd.Read(b); err != nil {
		return 0, fmt.Errorf("central: randomness: %w", err)
	}
	n := new(big.Int).SetBytes(b)
	return n.Mod(n, big.NewInt(max)).Int64(), nil
}

// send issues a new code when the limits allow; the caller holds s.mu.
func (s *Server) send(ctx context.Context, kiosk string, st *smsState, to, purpose string) *api.Error {
	now := s.now()
	if st.sends >= MaxSMSSends {
		return &api.Error{Code: api.CodeSMSSendsExceeded, Message: fmt.Sprintf("at most %d codes per session; start again", MaxSMSSends)}
	}
	if st.sends > 0 && now.Before(st.lastSent.Add(SMSResendAfter)) {
		wait := st.lastSent.Add(SMSResendAfter).Sub(now)
		return &api.Error{Code: api.CodeSMSResendTooSoon, Message: "a new code can be sent after a short wait", RetryAfterSeconds: int(wait.Seconds() + 0.999)}
	}
	st.code = s.smsCode()
	st.expires = now.Add(SMSCodeTTL)
	st.lastSent = now
	st.sends++
	st.tries = 0
	st.to = to
	text := fmt.Sprintf("Absher: your %s code is %s. It expires in 5 minutes. Do not share it.", purpose, st.code)
	if err := s.sms.Send(ctx, kiosk, to, text); err != nil {
		st.sends--
		return &api.Error{Code: api.CodeSMSNotSent, Message: "the SMS could not be sent; try again"}
	}
	return nil
}

func (s *Server) challenge(st *smsState) api.SMSChallenge {
	return api.SMSChallenge{SentTo: pii.Mask(st.to), ExpiresAt: st.expires, ResendAfter: st.lastSent.Add(SMSResendAfter), SendsLeft: MaxSMSSends - st.sends}
}

// check compares a code; the caller holds s.mu.
func (s *Server) checkCode(st *smsState, code string) *api.Error {
	now := s.now()
	if st.sends == 0 {
		return &api.Error{Code: api.CodeSMSNotSent, Message: "no code was sent yet"}
	}
	if st.tries >= MaxSMSCodeTries {
		return &api.Error{Code: api.CodeSMSAttemptsExceeded, Message: fmt.Sprintf("%d wrong codes; ask for a new code", MaxSMSCodeTries)}
	}
	if !now.Before(st.expires) {
		return &api.Error{Code: api.CodeSMSCodeExpired, Message: "the code has expired; ask for a new code"}
	}
	if len(code) != 6 || subtle.ConstantTimeCompare([]byte(code), []byte(st.code)) != 1 {
		st.tries++
		left := MaxSMSCodeTries - st.tries
		if left == 0 {
			return &api.Error{Code: api.CodeSMSAttemptsExceeded, Message: fmt.Sprintf("%d wrong codes; ask for a new code", MaxSMSCodeTries)}
		}
		return &api.Error{Code: api.CodeWrongSMSCode, Message: "the code is wrong", TriesLeft: &left}
	}
	st.code = "" // a code works once
	st.tries = MaxSMSCodeTries
	return nil
}

func (s *Server) person(id string) (people.Person, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.persons[id]
	if !ok {
		return people.Person{}, false
	}
	return *p, true
}

func (s *Server) startVerification(w http.ResponseWriter, r *http.Request) {
	req, ok := decodeBody[api.StartVerificationRequest](w, r)
	if !ok {
		return
	}
	parsed, err := pii.ParseID(req.IDNumber)
	if err != nil {
		code, msg := idRefusal(err)
		fail(w, http.StatusUnprocessableEntity, code, msg)
		return
	}
	id := parsed.Reveal()
	p, found := s.person(id)
	if !found {
		fail(w, http.StatusNotFound, api.CodeUnknownPerson, "no record for this ID number")
		return
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.lockOf(id, now); ok {
		failWith(w, http.StatusLocked, locked(a.LockCode, a.LockedUntil, now))
		return
	}
	s.sweep(now)
	v := &verification{id: s.token(16), kiosk: kioskOf(r), personID: id, expires: now.Add(VerificationTTL)}
	s.verifs[v.id] = v
	out := api.Verification{ID: v.id, IDMasked: pii.Mask(id), Methods: []string{}, FingerTriesLeft: min(MaxFingerTries, s.personLeft(id, now)), ExpiresAt: v.expires}
	if len(p.Fingers) > 0 {
		out.Methods = append(out.Methods, api.MethodFingerprint)
		for _, f := range p.Fingers {
			out.FingerPositions = append(out.FingerPositions, f.Position)
		}
	}
	if p.AbsherActive && p.PasswordHash != "" && p.Mobile != "" {
		out.Methods = append(out.Methods, api.MethodPassword)
	}
	if w, ok := s.opt.Fingers.(fingerWarmer); ok && len(p.Fingers) > 0 {
		w.Warm(p)
	}
	s.log.Info("verification started", "kiosk", v.kiosk, "id", pii.ID(id))
	writeJSON(w, http.StatusCreated, out)
}

// verif finds the caller's open verification; holds s.mu on success (the
// caller must unlock), answers the refusal otherwise.
func (s *Server) verif(w http.ResponseWriter, r *http.Request) (*verification, bool) {
	s.mu.Lock()
	v, ok := s.verifs[r.PathValue("vid")]
	now := s.now()
	switch {
	case !ok || v.kiosk != kioskOf(r):
		s.mu.Unlock()
		fail(w, http.StatusNotFound, api.CodeVerificationUnknown, "no such verification at this kiosk; start again")
		return nil, false
	case v.done:
		s.mu.Unlock()
		fail(w, http.StatusConflict, api.CodeVerificationDone, "this verification already gave a session; start again")
		return nil, false
	case !now.Before(v.expires):
		delete(s.verifs, v.id)
		s.mu.Unlock()
		fail(w, http.StatusGone, api.CodeVerificationExpired, "the verification took too long; start again")
		return nil, false
	}
	if a, ok := s.lockOf(v.personID, now); ok {
		s.mu.Unlock()
		failWith(w, http.StatusLocked, locked(a.LockCode, a.LockedUntil, now))
		return nil, false
	}
	return v, true
}

// newSession ends v and opens a session; caller holds s.mu and the
// person's turn, and persists forgiven (when ok) after unlocking s.mu.
func (s *Server) newSession(v *verification, method string) (out api.Session, forgiven store.Attempts, ok bool) {
	now := s.now()
	v.done = true
	t := s.token(32)
	s.sessions[t] = &session{kiosk: v.kiosk, personID: v.personID, method: method, expires: now.Add(SessionTTL), hardEnd: now.Add(SessionMax)}
	s.log.Info("identified", "kiosk", v.kiosk, "id", pii.ID(v.personID), "method", method)
	forgiven, ok = s.forgive(v.personID)
	return api.Session{Token: t, ExpiresAt: now.Add(SessionTTL), IDMasked: pii.Mask(v.personID), Method: method}, forgiven, ok
}

// failed answers a failed attempt on v after counting it; the caller holds
// s.mu (which failed releases) and the person's turn. spent says v's own
// limit for this method is reached, verifLeft is what v has left.
func (s *Server) failed(w http.ResponseWriter, r *http.Request, v *verification, code string, spent bool, verifLeft int, refusal api.Error, status int) {
	now := s.now()
	a, lockedNow := s.recordFailure(v.personID, now, code, spent)
	if lockedNow {
		delete(s.verifs, v.id)
	}
	s.mu.Unlock()
	s.persist(r, v.personID, a)
	if lockedNow {
		s.log.Warn("sign-in lock", "kiosk", v.kiosk, "id", pii.ID(v.personID), "code", code, "until", a.LockedUntil)
		failWith(w, http.StatusLocked, locked(a.LockCode, a.LockedUntil, now))
		return
	}
	if refusal.TriesLeft != nil {
		left := min(verifLeft, MaxPersonFailures-a.Failures)
		refusal.TriesLeft = &left
	}
	failWith(w, status, refusal)
}

// identified answers v's new session; the caller holds s.mu (which
// identified releases) and the person's turn.
func (s *Server) identified(w http.ResponseWriter, r *http.Request, v *verification, method string) {
	out, forgiven, ok := s.newSession(v, method)
	s.mu.Unlock()
	if ok {
		s.persist(r, v.personID, forgiven)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) verifyFingerprint(w http.ResponseWriter, r *http.Request) {
	req, ok := decodeBody[api.FingerprintRequest](w, r)
	if !ok {
		return
	}
	if len(req.Record) == 0 {
		fail(w, http.StatusBadRequest, api.CodeBadFingerRecord, "record is empty")
		return
	}
	v, release, ok := s.beginAttempt(w, r)
	if !ok {
		return
	}
	defer release()
	p := *s.persons[v.personID]
	s.mu.Unlock()
	if len(p.Fingers) == 0 {
		fail(w, http.StatusConflict, api.CodeNoFingerprint, "no fingerprint is enrolled; use the password and SMS code")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
	defer cancel()
	_, match, err := s.opt.Fingers.Verify(ctx, p, req.Record)
	if errors.Is(err, ErrBadFingerRecord) {
		fail(w, http.StatusUnprocessableEntity, api.CodeBadFingerRecord, err.Error())
		return
	}
	if err != nil {
		s.log.Error("fingerprint matching failed", "id", pii.ID(p.ID), "err", err)
		fail(w, http.StatusInternalServerError, api.CodeInternal, "fingerprint matching failed; try again")
		return
	}
	s.mu.Lock()
	if match {
		s.identified(w, r, v, api.MethodFingerprint)
		return
	}
	v.fingerFails++
	left := MaxFingerTries - v.fingerFails
	s.failed(w, r, v, api.CodeFingerprintLocked, left <= 0, left, api.Error{Code: api.CodeFingerprintNoMatch, Message: "the fingerprint does not match; try the other index finger", TriesLeft: &left}, http.StatusUnauthorized)
}

func (s *Server) verifyPassword(w http.ResponseWriter, r *http.Request) {
	req, ok := decodeBody[api.PasswordRequest](w, r)
	if !ok {
		return
	}
	v, release, ok := s.beginAttempt(w, r)
	if !ok {
		return
	}
	defer release()
	p := *s.persons[v.personID]
	s.mu.Unlock()
	if !p.AbsherActive || p.PasswordHash == "" {
		fail(w, http.StatusConflict, api.CodeNoAbsherAccount, "no active Absher account; use the fingerprint")
		return
	}
	if p.Mobile == "" {
		fail(w, http.StatusConflict, api.CodeNoRegisteredMobile, "no mobile number is registered; use the fingerprint")
		return
	}
	good, err := demo.VerifyPassword(p.PasswordHash, req.Password)
	if err != nil {
		s.log.Error("password hash unreadable", "id", pii.ID(p.ID), "err", err)
		fail(w, http.StatusInternalServerError, api.CodeInternal, "the account's password cannot be checked; use the fingerprint")
		return
	}
	s.mu.Lock()
	if !good {
		v.passwordFails++
		left := MaxPasswordTries - v.passwordFails
		s.failed(w, r, v, api.CodePasswordLocked, left <= 0, left, api.Error{Code: api.CodeWrongPassword, Message: "the password is wrong", TriesLeft: &left}, http.StatusUnauthorized)
		return
	}
	defer s.mu.Unlock()
	v.passwordOK = true
	if e := s.send(r.Context(), v.kiosk, &v.sms, p.Mobile, "sign-in"); e != nil {
		failWith(w, statusOf(e.Code), *e)
		return
	}
	writeJSON(w, http.StatusOK, s.challenge(&v.sms))
}

func statusOf(code string) int {
	switch code {
	case api.CodeSMSResendTooSoon, api.CodeSMSSendsExceeded:
		return http.StatusTooManyRequests
	case api.CodeSMSNotSent:
		return http.StatusBadGateway
	case api.CodeSMSCodeExpired:
		return http.StatusGone
	case api.CodeSMSAttemptsExceeded:
		return http.StatusTooManyRequests
	}
	return http.StatusUnauthorized
}

func (s *Server) resendVerificationSMS(w http.ResponseWriter, r *http.Request) {
	v, ok := s.verif(w, r)
	if !ok {
		return
	}
	defer s.mu.Unlock()
	if !v.passwordOK {
		fail(w, http.StatusConflict, api.CodeSMSNotSent, "enter the password first")
		return
	}
	if e := s.send(r.Context(), v.kiosk, &v.sms, s.persons[v.personID].Mobile, "sign-in"); e != nil {
		failWith(w, statusOf(e.Code), *e)
		return
	}
	writeJSON(w, http.StatusOK, s.challenge(&v.sms))
}

func (s *Server) verifySMS(w http.ResponseWriter, r *http.Request) {
	req, ok := decodeBody[api.SMSCodeRequest](w, r)
	if !ok {
		return
	}
	v, release, ok := s.beginAttempt(w, r)
	if !ok {
		return
	}
	defer release()
	if !v.passwordOK {
		s.mu.Unlock()
		fail(w, http.StatusConflict, api.CodeSMSNotSent, "enter the password first")
		return
	}
	tries := v.sms.tries
	e := s.checkCode(&v.sms, req.Code)
	switch {
	case e == nil:
		s.identified(w, r, v, api.MethodPassword)
	case v.sms.tries > tries:
		// A wrong code is a guess at the second factor: it counts toward
		// the person's lock, though running out of one code's tries only
		// asks for a new code.
		verifLeft := MaxSMSCodeTries - v.sms.tries
		s.failed(w, r, v, api.CodePasswordLocked, false, verifLeft, *e, statusOf(e.Code))
	default:
		s.mu.Unlock()
		failWith(w, statusOf(e.Code), *e)
	}
}

// withSession resolves the bearer token to the identified person, bound to
// this kiosk, and slides its expiry.
func (s *Server) withSession(h func(http.ResponseWriter, *http.Request, *session, people.Person)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t := bearer(r)
		if t == "" {
			fail(w, http.StatusUnauthorized, api.CodeSessionRequired, "identify first: send Authorization: Bearer <session token>")
			return
		}
		now := s.now()
		s.mu.Lock()
		se, ok := s.sessions[t]
		if ok && (!now.Before(se.expires) || se.kiosk != kioskOf(r)) {
			if se.kiosk == kioskOf(r) {
				delete(s.sessions, t)
			}
			ok = false
		}
		if !ok {
			s.mu.Unlock()
			fail(w, http.StatusUnauthorized, api.CodeSessionExpired, "the session has ended or belongs to another kiosk; identify again")
			return
		}
		se.expires = now.Add(SessionTTL)
		if se.expires.After(se.hardEnd) {
			se.expires = se.hardEnd
		}
		p := *s.persons[se.personID]
		cp := *se
		s.mu.Unlock()
		h(w, r, &cp, p)
	}
}

// sweep drops what has expired so memory stays bounded by recent use;
// the caller holds s.mu.
func (s *Server) sweep(now time.Time) {
	for k, v := range s.verifs {
		if !now.Before(v.expires) {
			delete(s.verifs, k)
		}
	}
	for k, se := range s.sessions {
		if !now.Before(se.expires) {
			delete(s.sessions, k)
		}
	}
	for k, a := range s.attempts {
		if c := current(a, now); c.Failures == 0 && c.Locks == 0 && !now.Before(a.LockedUntil) {
			delete(s.attempts, k)
		}
	}
	for k, c := range s.mobiles {
		if c.sms.sends > 0 && !now.Before(c.sms.lastSent.Add(SessionMax)) {
			delete(s.mobiles, k)
		}
	}
}
