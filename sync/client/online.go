package client

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/outbox"
	"github.com/google/uuid"
)

// The walk-up calls below are made while a person waits; they are never
// queued. Each has the client's Timeout as deadline (or ctx's, if sooner).
// They answer in the kiosk's vocabulary (kiosk/domain): the flow declares
// the interfaces, this client fits them without importing the flow.

// StartVerification begins identifying the holder of an ID or Iqama number.
func (c *Client) StartVerification(ctx context.Context, id string) (domain.Verification, error) {
	v, err := call[api.Verification](c, ctx, http.MethodPost, "/v1/identity/verifications", "", api.StartVerificationRequest{IDNumber: id})
	if err != nil {
		return domain.Verification{}, err
	}
	if v.ID == "" {
		return domain.Verification{}, fmt.Errorf("client: verification answer without an id: %w", errMalformed)
	}
	return domain.Verification{
		Ref:             v.ID,
		FingersEnrolled: slices.Contains(v.Methods, api.MethodFingerprint),
		HasAccount:      slices.Contains(v.Methods, api.MethodPassword),
	}, nil
}

// VerifyFinger sends one ISO/IEC 19794-4 finger image record. A miss is an
// answer, not an error: it carries the tries left; a lock ends the
// identification.
func (c *Client) VerifyFinger(ctx context.Context, ref string, record []byte, position int) (domain.FingerResult, error) {
	// The flow zeroes record when this returns; JSON encoding copies it.
	s, err := call[api.Session](c, ctx, http.MethodPost, "/v1/identity/verifications/"+url.PathEscape(ref)+"/fingerprint", "", api.FingerprintRequest{Record: record})
	var ae *answerError
	switch {
	case err == nil:
		if s.Token == "" {
			return domain.FingerResult{}, fmt.Errorf("client: session answer without a token: %w", errMalformed)
		}
		return domain.FingerResult{Matched: true, Identified: domain.Identified{Token: s.Token}}, nil
	case errors.As(err, &ae) && ae.code == api.CodeFingerprintNoMatch:
		left := 0
		if ae.triesLeft != nil {
			left = *ae.triesLeft
		}
		return domain.FingerResult{TriesLeft: left}, nil
	case errors.As(err, &ae) && ae.code == api.CodeFingerprintLocked:
		return domain.FingerResult{Locked: true, LockReason: string(domain.ProblemNotMatched), Lock: ae.retryAfter}, nil
	}
	return domain.FingerResult{}, err
}

// VerifyPassword is the first half of the fallback: the centre sends a
// code to the registered mobile.
func (c *Client) VerifyPassword(ctx context.Context, ref, password string) (domain.CodeSent, error) {
	ch, err := call[api.SMSChallenge](c, ctx, http.MethodPost, "/v1/identity/verifications/"+url.PathEscape(ref)+"/password", "", api.PasswordRequest{Password: password})
	if err != nil {
		return domain.CodeSent{}, err
	}
	return c.codeSent(*ch), nil
}

// ResendCode asks for a new sign-in code.
func (c *Client) ResendCode(ctx context.Context, ref string) (domain.CodeSent, error) {
	ch, err := call[api.SMSChallenge](c, ctx, http.MethodPost, "/v1/identity/verifications/"+url.PathEscape(ref)+"/sms/resend", "", struct{}{})
	if err != nil {
		return domain.CodeSent{}, err
	}
	return c.codeSent(*ch), nil
}

// VerifyCode completes the fallback with the SMS code.
func (c *Client) VerifyCode(ctx context.Context, ref, code string) (domain.Identified, error) {
	s, err := call[api.Session](c, ctx, http.MethodPost, "/v1/identity/verifications/"+url.PathEscape(ref)+"/sms/verify", "", api.SMSCodeRequest{Code: code})
	if err != nil {
		return domain.Identified{}, err
	}
	if s.Token == "" {
		return domain.Identified{}, fmt.Errorf("client: session answer without a token: %w", errMalformed)
	}
	return domain.Identified{Token: s.Token}, nil
}

// challengeKey names the one open mobile change of a session: the centre
// issues one challenge per session and number.
type challengeKey struct{ token, mobile string }

// maxChallenges bounds the remembered challenges; an abandoned visit's
// entry is evicted by later visits.
const maxChallenges = 64

// RequestMobileCode sends a code to the new number. The centre keeps one
// challenge per session and number, so a resend is the same call.
//
// The challenge id the centre answers stays here, keyed by session and
// number, until ConfirmMobile uses it: it is a detail of the wire, and the
// flow and the submitter name the change by the number alone.
func (c *Client) RequestMobileCode(ctx context.Context, token, mobile string) (domain.CodeSent, error) {
	mc, err := call[api.MobileChallenge](c, ctx, http.MethodPost, "/v1/services/"+string(domain.UpdateMobile)+"/code", token, api.MobileChangeRequest{Mobile: mobile})
	if err != nil {
		return domain.CodeSent{}, err
	}
	if mc.ChallengeID == "" {
		return domain.CodeSent{}, fmt.Errorf("client: mobile challenge without an id: %w", errMalformed)
	}
	c.mu.Lock()
	if len(c.challenges) >= maxChallenges {
		clear(c.challenges)
	}
	c.challenges[challengeKey{token, mobile}] = mc.ChallengeID
	c.mu.Unlock()
	return c.codeSent(mc.SMS), nil
}

// ResendMobileCode asks for a new code to the new number.
func (c *Client) ResendMobileCode(ctx context.Context, token, mobile string) (domain.CodeSent, error) {
	return c.RequestMobileCode(ctx, token, mobile)
}

// ConfirmMobile proves the new number with its code and returns the
// centre's sealed grant for the mobile_updated event.
func (c *Client) ConfirmMobile(ctx context.Context, token, mobile, code string) (api.MobileGrant, error) {
	c.mu.Lock()
	id, ok := c.challenges[challengeKey{token, mobile}]
	c.mu.Unlock()
	if !ok {
		return api.MobileGrant{}, &domain.Refusal{Code: domain.ProblemCodeExpired}
	}
	g, err := call[api.MobileGrant](c, ctx, http.MethodPost, "/v1/services/"+string(domain.UpdateMobile)+"/confirm", token, api.MobileConfirmRequest{ChallengeID: id, Code: code})
	if ae := (*answerError)(nil); errors.As(err, &ae) && ae.code == api.CodeNotFound {
		// The centre forgot the challenge (it restarted): a new code is needed.
		return api.MobileGrant{}, errors.Join(&domain.Refusal{Code: domain.ProblemCodeExpired}, err)
	}
	if err != nil {
		return api.MobileGrant{}, err
	}
	if g.Grant == "" {
		return api.MobileGrant{}, fmt.Errorf("client: mobile grant answer without a grant: %w", errMalformed)
	}
	c.mu.Lock()
	delete(c.challenges, challengeKey{token, mobile})
	c.mu.Unlock()
	return *g, nil
}

// codeSent turns the centre's "resend after" time into a wait.
func (c *Client) codeSent(ch api.SMSChallenge) domain.CodeSent {
	var wait time.Duration
	if !ch.ResendAfter.IsZero() {
		wait = max(ch.ResendAfter.Sub(c.now()), 0)
	}
	return domain.CodeSent{MaskedMobile: ch.SentTo, ResendIn: wait}
}

// Profile is the identified person's summary.
func (c *Client) Profile(ctx context.Context, token string) (*api.Profile, error) {
	return call[api.Profile](c, ctx, http.MethodGet, "/v1/person", token, nil)
}

// Documents lists what the person can print, with the content the printer
// lays out (the receipt desk's source; it offers the kinds it can print).
func (c *Client) Documents(ctx context.Context, token string) (*api.DocumentList, error) {
	return call[api.DocumentList](c, ctx, http.MethodGet, "/v1/person/documents", token, nil)
}

// Subjects lists the identified person's dependents and hosted visitors.
func (c *Client) Subjects(ctx context.Context, token string) ([]domain.SubjectInfo, error) {
	l, err := call[api.DependentList](c, ctx, http.MethodGet, "/v1/person/dependents", token, nil)
	if err != nil {
		return nil, err
	}
	out := make([]domain.SubjectInfo, 0, len(l.Dependents))
	for _, d := range l.Dependents {
		if d.IDNumber == "" {
			return nil, fmt.Errorf("client: dependent without an ID number: %w", errMalformed)
		}
		out = append(out, domain.SubjectInfo{ID: d.IDNumber, NameAR: d.NameAR, NameEN: d.NameEN, Relation: d.Relation})
	}
	return out, nil
}

// Eligibility asks the centre's rules about a service for a subject. A
// refusal by the rules is an answer, not an error.
func (c *Client) Eligibility(ctx context.Context, token string, service domain.ServiceID, subjectID string, options map[string]string) (domain.Eligibility, error) {
	e, err := call[api.Eligibility](c, ctx, http.MethodPost, "/v1/services/"+url.PathEscape(string(service))+"/eligibility", token,
		api.EligibilityRequest{SubjectID: subjectID, Options: options})
	if err != nil {
		return domain.Eligibility{}, err
	}
	if !e.Eligible && len(e.Reasons) == 0 {
		return domain.Eligibility{}, fmt.Errorf("client: refusal of %s without a reason: %w", service, errMalformed)
	}
	return domain.Eligibility{Eligible: e.Eligible, Reasons: e.Reasons, FeeSAR: e.FeeSAR, Details: e.Details}, nil
}

// RequestActivationCode sends a code to the number an activation will
// register; resending is the same call.
func (c *Client) RequestActivationCode(ctx context.Context, token, mobile string) (domain.CodeSent, error) {
	mc, err := call[api.MobileChallenge](c, ctx, http.MethodPost, "/v1/services/"+string(domain.ActivateAbsher)+"/code", token, api.MobileChangeRequest{Mobile: mobile})
	if err != nil {
		return domain.CodeSent{}, err
	}
	if mc.ChallengeID == "" {
		return domain.CodeSent{}, fmt.Errorf("client: activation challenge without an id: %w", errMalformed)
	}
	return c.codeSent(mc.SMS), nil
}

// SubmitService submits a service that is delivered online, with the
// flow's idempotency key. These requests need the visit's session, so they
// cannot wait in the outbox past its end. The rules refusing at submission
// is a *domain.Refusal naming the first failed rule; the outcome's details
// go to the result screen.
func (c *Client) SubmitService(ctx context.Context, t domain.Txn) (domain.Ack, error) {
	sub := api.ServiceSubmission{IdempotencyKey: t.Key, SubjectID: t.Fields["subject_id"]}
	for k, v := range t.Fields {
		if name, ok := strings.CutPrefix(k, "option."); ok {
			if sub.Options == nil {
				sub.Options = map[string]string{}
			}
			sub.Options[name] = v
		}
	}
	if m := t.Fields["mobile"]; m != "" {
		if sub.Options == nil {
			sub.Options = map[string]string{}
		}
		sub.Options["mobile"], sub.Code = m, t.Fields["code"]
	}
	if f := t.Fields["finger_record"]; f != "" {
		rec, err := base64.StdEncoding.DecodeString(f)
		if err != nil {
			return domain.Ack{}, fmt.Errorf("client: the activation's finger record is not base64; the flow and this client disagree: %w", err)
		}
		sub.FingerRecord = rec
		defer clear(rec)
	}
	out, err := call[api.ServiceOutcome](c, ctx, http.MethodPost, "/v1/services/"+url.PathEscape(string(t.Kind))+"/submissions", t.Token, sub)
	if err != nil {
		return domain.Ack{}, err
	}
	if !out.Completed {
		if len(out.Reasons) == 0 {
			return domain.Ack{}, fmt.Errorf("client: %s refused without a reason: %w", t.Kind, errMalformed)
		}
		return domain.Ack{}, &domain.Refusal{Code: domain.ProblemCode(out.Reasons[0])}
	}
	return domain.Ack{Done: true, Reference: out.Reference, Details: out.Details}, nil
}

// Config fetches this kiosk's configuration (service menu, fees, timeouts)
// once, for the first menu; the ConfigPuller keeps it fresh later.
func (c *Client) Config(ctx context.Context) (api.Config, error) {
	cfg, err := call[api.Config](c, ctx, http.MethodGet, "/v1/kiosks/"+url.PathEscape(c.kiosk)+"/config", "", nil)
	if err != nil {
		return api.Config{}, err
	}
	return *cfg, nil
}

// MobileUpdatedEvent is the submission of a mobile change, as the kiosk's
// submitter queues it: the outbox event (with its idempotency key) to
// enqueue. The centre applies the change when it first stores the event, so
// delivering it twice changes nothing.
func MobileUpdatedEvent(key string, g api.MobileGrant, reference string, created time.Time) (outbox.Event, error) {
	if _, err := uuid.Parse(key); err != nil {
		return outbox.Event{}, fmt.Errorf("client: mobile update idempotency key is not a UUID: %w", err)
	}
	if g.Grant == "" || g.Mobile == "" {
		return outbox.Event{}, fmt.Errorf("client: mobile update needs the grant and number from ConfirmMobile")
	}
	b, err := json.Marshal(api.MobileUpdated{Grant: g.Grant, Mobile: g.Mobile, Reference: reference})
	if err != nil {
		return outbox.Event{}, err
	}
	return outbox.Event{Kind: string(api.EventMobileUpdated), Key: key, Payload: b, Created: created}, nil
}
