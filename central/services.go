package central

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/absher-kiosk/kiosk/central/civil"
	"github.com/absher-kiosk/kiosk/central/demo"
	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/central/rules"
	"github.com/absher-kiosk/kiosk/central/store"
	"github.com/absher-kiosk/kiosk/devices/fingerprint/fir"
	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// submittable reports whether service goes through the submissions
// endpoint. Update mobile and print a document are not: they have their
// own endpoints.
func submittable(service domain.ServiceID) bool {
	return service.Known() && service != domain.UpdateMobile && service != domain.PrintDocument
}

// Reasons the submission adds to the rules' own.
const (
	// ReasonNoExitReentryToCancel: the visa named for cancelling is not an
	// issued exit/re-entry visa of the subject.
	ReasonNoExitReentryToCancel = "no_exit_reentry_to_cancel"
	// ReasonSecondFingerNotMatched: activation's second finger did not
	// match an enrolled finger at another position.
	ReasonSecondFingerNotMatched = "second_finger_not_matched"
)

// MaxIdempotencyKey bounds a submission's key.
const MaxIdempotencyKey = 128

// submitted is one decided submission, sealed in the event store and kept
// in memory so a retry in the same session replays it.
type submitted struct {
	Person  string             `json:"p"`
	Digest  string             `json:"d"`
	Status  int                `json:"s"`
	Outcome api.ServiceOutcome `json:"o"`
}

func submissionDigest(service domain.ServiceID, req *api.ServiceSubmission) string {
	h := sha256.New()
	keys := make([]string, 0, len(req.Options))
	for k := range req.Options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(h, "%d:%s|%d:%s|", len(service), service, len(req.SubjectID), req.SubjectID)
	for _, k := range keys {
		fmt.Fprintf(h, "%d:%s=%d:%s|", len(k), k, len(req.Options[k]), req.Options[k])
	}
	fmt.Fprintf(h, "%d:%s|%d:%s|", len(req.ChallengeID), req.ChallengeID, len(req.Code), req.Code)
	h.Write(req.FingerRecord)
	return hex.EncodeToString(h.Sum(nil))
}

// clonePerson copies a record deeply, so an effect is prepared without
// touching the live one until it is stored.
func clonePerson(p people.Person) (people.Person, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return people.Person{}, err
	}
	var c people.Person
	err = json.Unmarshal(b, &c)
	return c, err
}

func (s *Server) activationCode(w http.ResponseWriter, r *http.Request, se *session, p people.Person) {
	req, ok := decodeBody[api.MobileChangeRequest](w, r)
	if !ok {
		return
	}
	m, err := pii.NormaliseMobile(req.Mobile)
	if err != nil {
		fail(w, http.StatusUnprocessableEntity, api.CodeBadMobile, msgMobile)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := "activate|" + se.kiosk + "|" + se.personID + "|" + m
	c, ok := s.mobiles[key]
	if !ok {
		c = &mobileChallenge{id: s.token(16), kiosk: se.kiosk, personID: se.personID, mobile: m}
		s.mobiles[key] = c
		s.mobiles["activate|"+c.id] = c
	}
	if e := s.send(r.Context(), se.kiosk, &c.sms, m, "Absher activation"); e != nil {
		failWith(w, statusOf(e.Code), *e)
		return
	}
	writeJSON(w, http.StatusOK, api.MobileChallenge{ChallengeID: c.id, Mobile: m, SMS: s.challenge(&c.sms)})
}

// submitService re-checks a service's rules at submission and applies its
// effect in the same store transaction that records the submission, so a
// replayed key never applies twice.
func (s *Server) submitService(w http.ResponseWriter, r *http.Request, se *session, p people.Person) {
	service, known := api.ParseServiceID(r.PathValue("service"))
	if !known || !submittable(service) {
		fail(w, http.StatusNotFound, api.CodeUnknownService, fmt.Sprintf("no submission for service %q; submittable: activate_absher, visa_extension, exit_reentry, licence_renewal, report_lost_passport", r.PathValue("service")))
		return
	}
	req, ok := decodeBody[api.ServiceSubmission](w, r)
	if !ok {
		return
	}
	if req.IdempotencyKey == "" || len(req.IdempotencyKey) > MaxIdempotencyKey {
		fail(w, http.StatusBadRequest, api.CodeBadRequest, fmt.Sprintf("idempotency_key must be 1 to %d characters; send the same key on every retry", MaxIdempotencyKey))
		return
	}
	digest := submissionDigest(service, req)
	now := s.now()

	s.svcMu.Lock()
	defer s.svcMu.Unlock()
	memKey := se.kiosk + "|" + req.IdempotencyKey
	if s.svcDone == nil {
		s.svcDone = map[string]submitted{}
	}
	for k, v := range s.svcDone {
		if now.Sub(v.Outcome.DecidedAt) > SessionMax {
			delete(s.svcDone, k)
		}
	}
	if prev, ok := s.svcDone[memKey]; ok {
		s.replay(w, prev, se.personID, digest)
		return
	}

	subject := p
	if req.SubjectID != "" && req.SubjectID != p.ID {
		sub, ok := s.subjectOf(w, p, req.SubjectID)
		if !ok {
			return
		}
		subject = sub
	}

	out := api.ServiceOutcome{Service: service, Reasons: []string{}, DecidedAt: now}
	var updated *people.Person
	var sms func()
	var err error
	if service == domain.ExitReentry && req.Options["action"] == "cancel" {
		updated, err = s.cancelExitReentry(p, subject, req.Options["visa"], &out)
	} else {
		var ans rules.Answer
		ans, err = rules.Check(service, rules.Input{Today: s.today(), Applicant: p, Subject: subject, Options: req.Options})
		var oe *rules.OptionError
		switch {
		case errors.As(err, &oe):
			fail(w, http.StatusBadRequest, api.CodeBadRequest, err.Error())
			return
		case err != nil:
			fail(w, http.StatusInternalServerError, api.CodeInternal, "eligibility could not be decided; try again")
			return
		}
		out.Reasons, out.FeeSAR, out.Details = ans.Reasons, ans.FeeSAR, ans.Details
		if ans.Eligible && service == domain.ActivateAbsher {
			var ae *api.Error
			if sms, ae = s.prepareActivation(r.Context(), se, p, req, &out); ae != nil {
				failWith(w, activationStatus(ae.Code), *ae)
				return
			}
		}
		if ans.Eligible && len(out.Reasons) == 0 {
			updated, err = s.effect(service, p, subject, req, &out)
		}
	}
	if err != nil {
		s.log.Error("service effect", "service", service, "id", pii.ID(subject.ID), "err", err)
		fail(w, http.StatusInternalServerError, api.CodeInternal, "the service could not be applied; try again with the same key")
		return
	}
	status := http.StatusOK
	var change *store.PersonChange
	if updated != nil {
		out.Completed = true
		out.Reference = "S-" + strings.ToUpper(s.token(5))
		status = http.StatusCreated
		if change, err = s.snapshot(*updated, now); err != nil {
			fail(w, http.StatusInternalServerError, api.CodeInternal, "the change could not be sealed; try again with the same key")
			return
		}
	}
	rec := submitted{Person: se.personID, Digest: digest, Status: status, Outcome: out}
	body, _ := json.Marshal(rec)
	aad := eventAAD(se.kiosk, req.IdempotencyKey)
	kid, sealed, err := s.keys.Seal(aad, body)
	if err != nil {
		fail(w, http.StatusInternalServerError, api.CodeInternal, "the submission could not be sealed; try again with the same key")
		return
	}
	ins, old, err := s.Store.InsertEvent(r.Context(), store.Event{Kiosk: se.kiosk, Key: req.IdempotencyKey, Kind: "service_" + string(service),
		CreatedAt: now, ReceivedAt: now, KeyID: kid, Payload: sealed}, change)
	if err != nil {
		s.log.Error("store submission", "service", service, "err", err)
		fail(w, http.StatusServiceUnavailable, api.CodeInternal, "the submission could not be stored; try again with the same key")
		return
	}
	if !ins {
		plain, err := s.keys.Open(old.KeyID, aad, old.Payload)
		var prev submitted
		if err == nil {
			prev, err = openSubmitted(plain)
		}
		if err != nil {
			fail(w, http.StatusConflict, "idempotency_conflict", "this key was used for another kind of event; use a new key for a new request")
			return
		}
		s.replay(w, prev, se.personID, digest)
		return
	}
	if updated != nil {
		s.mu.Lock()
		if live, ok := s.persons[updated.ID]; ok {
			*live = *updated
		}
		s.mu.Unlock()
		if sms != nil {
			sms()
		}
		s.log.Info("service applied", "service", service, "kiosk", se.kiosk, "id", pii.ID(subject.ID), "reference", out.Reference)
	} else {
		s.log.Info("service refused", "service", service, "kiosk", se.kiosk, "id", pii.ID(subject.ID), "reasons", strings.Join(out.Reasons, ","))
	}
	s.svcDone[memKey] = rec
	writeJSON(w, status, out)
}

// subjectOf finds a dependent or hosted visitor of p; it answers the
// refusal itself. Visitors carry border numbers (3… and 4…), which
// pii.ParseID refuses by design, so a subject is first looked up as sent.
func (s *Server) subjectOf(w http.ResponseWriter, p people.Person, subjectID string) (people.Person, bool) {
	id := subjectID
	sub, found := s.person(id)
	if !found {
		norm, err := pii.ParseID(id)
		if err != nil {
			_, msg := idRefusal(err)
			fail(w, http.StatusUnprocessableEntity, api.CodeBadCheckDigit, "subject_id: "+msg)
			return people.Person{}, false
		}
		id = norm.Reveal()
		sub, found = s.person(id)
	}
	if !found || !(contains(p.DependentIDs, id) || sub.HostID == p.ID) {
		fail(w, http.StatusForbidden, api.CodeNotDependent, "the subject is not a dependent or hosted visitor of the identified person")
		return people.Person{}, false
	}
	return sub, true
}

// replay answers a key seen before: the first answer again, or a conflict
// when the key now carries another request.
func (s *Server) replay(w http.ResponseWriter, prev submitted, personID, digest string) {
	if prev.Person != personID || prev.Digest != digest {
		fail(w, http.StatusConflict, "idempotency_conflict", "this key was used for a different request; use a new key for a new request")
		return
	}
	out := prev.Outcome
	out.Duplicate = true
	writeJSON(w, http.StatusOK, out)
}

// snapshot seals a person's whole record as their overlay: the store keeps
// one row per person, so the row must carry every change made so far.
func (s *Server) snapshot(p people.Person, now time.Time) (*store.PersonChange, error) {
	slot := s.slot(p.ID)
	b, err := json.Marshal(personOverlay{ID: p.ID, Mobile: p.Mobile, Record: &p})
	if err != nil {
		return nil, err
	}
	kid, sealed, err := s.keys.Seal([]byte("person|"+slot), b)
	if err != nil {
		return nil, fmt.Errorf("seal person change: %w", err)
	}
	return &store.PersonChange{Slot: slot, KeyID: kid, Sealed: sealed, UpdatedAt: now}, nil
}

// prepareActivation checks what activation needs beyond the rules: the
// person identified by fingerprint, a second finger at another enrolled
// position, and the code sent to the new mobile number. It returns the SMS
// with the temporary password, sent only once the activation is stored.
func (s *Server) prepareActivation(ctx context.Context, se *session, p people.Person, req *api.ServiceSubmission, out *api.ServiceOutcome) (func(), *api.Error) {
	if se.method != api.MethodFingerprint {
		return nil, &api.Error{Code: api.CodeForbidden, Message: "activation needs identification by fingerprint; start again with a finger"}
	}
	rec, err := fir.Decode(req.FingerRecord)
	if err != nil {
		return nil, &api.Error{Code: api.CodeBadFingerRecord, Message: "finger_record: " + err.Error()}
	}
	enrolled := false
	for _, f := range p.Fingers {
		enrolled = enrolled || f.Position == rec.FingerPosition
	}
	matched := false
	if enrolled {
		_, matched, err = s.opt.Fingers.Verify(ctx, p, req.FingerRecord)
		if err != nil {
			return nil, &api.Error{Code: api.CodeBadFingerRecord, Message: "finger_record could not be compared; capture it again"}
		}
	}
	if !matched {
		out.Reasons = append(out.Reasons, ReasonSecondFingerNotMatched)
		return nil, nil
	}
	key := "activate|" + req.ChallengeID
	if req.ChallengeID == "" {
		// A kiosk may name the number instead of the challenge: there is
		// one challenge per session and number.
		m, err := pii.NormaliseMobile(req.Options["mobile"])
		if err != nil {
			return nil, &api.Error{Code: api.CodeBadMobile, Message: "options.mobile: " + msgMobile}
		}
		key = "activate|" + se.kiosk + "|" + se.personID + "|" + m
	}
	s.mu.Lock()
	c, ok := s.mobiles[key]
	if !ok || c.kiosk != se.kiosk || c.personID != se.personID {
		s.mu.Unlock()
		return nil, &api.Error{Code: api.CodeNotFound, Message: "no activation code was sent in this session; ask for a code first"}
	}
	e := s.checkCode(&c.sms, req.Code)
	mobile := c.mobile
	s.mu.Unlock()
	if e != nil {
		return nil, e
	}
	pw, err := s.temporaryPassword()
	if err != nil {
		return nil, &api.Error{Code: api.CodeInternal, Message: "a temporary password could not be made; try again"}
	}
	req.Options = map[string]string{"mobile": mobile, "password": pw}
	kiosk := se.kiosk
	out.Details = map[string]string{"mobile": pii.Mask(mobile)}
	return func() {
		text := "Absher: your account is active. Temporary password: " + pw + " . Change it at your first login."
		if err := s.sms.Send(context.WithoutCancel(ctx), kiosk, mobile, text); err != nil {
			s.log.Error("activation SMS not sent", "mobile", pii.Mobile(mobile), "err", err)
		}
	}, nil
}

func activationStatus(code string) int {
	switch code {
	case api.CodeBadFingerRecord:
		return http.StatusUnprocessableEntity
	case api.CodeBadMobile:
		return http.StatusUnprocessableEntity
	case api.CodeForbidden:
		return http.StatusForbidden
	case api.CodeNotFound:
		return http.StatusNotFound
	case api.CodeInternal:
		return http.StatusInternalServerError
	}
	return statusOf(code)
}

// temporaryPassword meets Absher's rule of letters, digits and a symbol.
func (s *Server) temporaryPassword() (string, error) {
	const letters = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz"
	const digits = "23456789"
	var b strings.Builder
	for i := 0; i < 6; i++ {
		n, err := randInt(s, int64(len(letters)))
		if err != nil {
			return "", err
		}
		b.WriteByte(letters[n])
	}
	b.WriteByte('#')
	for i := 0; i < 3; i++ {
		n, err := randInt(s, int64(len(digits)))
		if err != nil {
			return "", err
		}
		b.WriteByte(digits[n])
	}
	return b.String(), nil
}

// consumeBill removes the paid bill that paid for this service from the
// subject's record, so one payment buys one service.
func consumeBill(p *people.Person, service domain.ServiceID, subjectID string, amount int) {
	for i, b := range p.Bills {
		if b.Paid && b.Service == service && b.SubjectID == subjectID && b.AmountSAR == amount {
			p.Bills = append(p.Bills[:i:i], p.Bills[i+1:]...)
			return
		}
	}
}

// effect prepares the subject's changed record; nothing live changes here.
func (s *Server) effect(service domain.ServiceID, applicant, subject people.Person, req *api.ServiceSubmission, out *api.ServiceOutcome) (*people.Person, error) {
	u, err := clonePerson(subject)
	if err != nil {
		return nil, err
	}
	today := s.today()
	if out.Details == nil {
		out.Details = map[string]string{}
	}
	switch service {
	case domain.ActivateAbsher:
		salt := make([]byte, 16)
		copy(salt, s.token(8))
		u.PasswordHash = demo.HashPassword(req.Options["password"], salt)
		u.AbsherActive = true
		u.Mobile = req.Options["mobile"]
	case domain.VisaExtension:
		newExp, err := civil.Parse(out.Details["new_expiry"])
		if err != nil {
			return nil, fmt.Errorf("visa extension: new expiry: %w", err)
		}
		found := false
		for i := range u.Visas {
			if u.Visas[i].Number == out.Details["visa"] {
				u.Visas[i].Expiry = newExp
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("visa extension: visa %s not in the record", out.Details["visa"])
		}
		consumeBill(&u, service, u.ID, out.FeeSAR)
	case domain.ExitReentry:
		months, _ := strconv.Atoi(out.Details["months"])
		kind := people.ExitReentrySingle
		if req.Options["visa_type"] == "multiple" {
			kind = people.ExitReentryMultiple
		}
		v := people.Visa{Number: "ER" + strings.ToUpper(s.token(4)), Kind: kind, Status: people.VisaIssued, Issued: today, Expiry: rules.ExitReentryExpiry(today, months)}
		u.Visas = append(u.Visas, v)
		out.Details["visa"] = v.Number
		out.Details["expiry"] = day(v.Expiry)
		consumeBill(&u, service, u.ID, out.FeeSAR)
	case domain.LicenceRenewal:
		if u.Licence == nil {
			return nil, errors.New("licence renewal: no licence in the record")
		}
		newExp, err := civil.Parse(out.Details["new_expiry"])
		if err != nil {
			return nil, fmt.Errorf("licence renewal: new expiry: %w", err)
		}
		u.Licence.Expiry = newExp
		consumeBill(&u, service, u.ID, out.FeeSAR)
	case domain.ReportLostPassport:
		u.Passport.Lost = true
		out.Details["reported"] = day(today)
	default:
		return nil, fmt.Errorf("no effect for service %s", service)
	}
	return &u, nil
}

// cancelExitReentry cancels an issued, unused exit/re-entry visa of the
// applicant or a dependent; the fee is not refunded.
func (s *Server) cancelExitReentry(applicant, subject people.Person, number string, out *api.ServiceOutcome) (*people.Person, error) {
	if subject.ID != applicant.ID && !contains(applicant.DependentIDs, subject.ID) {
		out.Reasons = []string{"not_your_dependent"}
		return nil, nil
	}
	u, err := clonePerson(subject)
	if err != nil {
		return nil, err
	}
	today := s.today()
	for i, v := range u.Visas {
		if v.Number == number && v.Status == people.VisaIssued && !v.Expiry.Before(today) &&
			(v.Kind == people.ExitReentrySingle || v.Kind == people.ExitReentryMultiple) {
			u.Visas[i].Status = people.VisaCancelled
			out.Details = map[string]string{"visa": number, "cancelled": day(today)}
			return &u, nil
		}
	}
	out.Reasons = []string{ReasonNoExitReentryToCancel}
	return nil, nil
}

// openSubmitted opens a stored submission record; it is the parser of the
// store's bytes, fuzzed in services_test.go.
func openSubmitted(b []byte) (submitted, error) {
	var rec submitted
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&rec); err != nil {
		return rec, fmt.Errorf("stored submission: %w", err)
	}
	if rec.Person == "" || rec.Digest == "" || (rec.Status != http.StatusOK && rec.Status != http.StatusCreated) {
		return rec, errors.New("stored submission: person, digest or status missing")
	}
	return rec, nil
}
