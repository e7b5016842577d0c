package centre

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// Subjects lists the identified person's dependents and hosted visitors
// (flow.CatalogueCentre).
func (c *Client) Subjects(ctx context.Context, token string) ([]domain.SubjectInfo, error) {
	var l api.DependentList
	if err := c.call(ctx, http.MethodGet, "/v1/person/dependents", token, nil, &l); err != nil {
		return nil, err
	}
	out := make([]domain.SubjectInfo, 0, len(l.Dependents))
	for _, d := range l.Dependents {
		if d.IDNumber == "" {
			return nil, fmt.Errorf("centre: dependent without an ID number: %w", errMalformed)
		}
		out = append(out, domain.SubjectInfo{ID: d.IDNumber, NameAR: d.NameAR, NameEN: d.NameEN, Relation: d.Relation})
	}
	return out, nil
}

// Eligibility asks the centre's rules about a service for a subject
// (flow.CatalogueCentre). A refusal by the rules is an answer, not an error.
func (c *Client) Eligibility(ctx context.Context, token string, service domain.ServiceID, subjectID string, options map[string]string) (domain.Eligibility, error) {
	var e api.Eligibility
	err := c.call(ctx, http.MethodPost, "/v1/services/"+url.PathEscape(string(service))+"/eligibility", token,
		api.EligibilityRequest{SubjectID: subjectID, Options: options}, &e)
	if err != nil {
		return domain.Eligibility{}, err
	}
	if !e.Eligible && len(e.Reasons) == 0 {
		return domain.Eligibility{}, fmt.Errorf("centre: refusal of %s without a reason: %w", service, errMalformed)
	}
	return domain.Eligibility{Eligible: e.Eligible, Reasons: e.Reasons, FeeSAR: e.FeeSAR, Details: e.Details}, nil
}

// RequestActivationCode sends a code to the number an activation will
// register (flow.CatalogueCentre); resending is the same call.
func (c *Client) RequestActivationCode(ctx context.Context, token, mobile string) (domain.CodeSent, error) {
	var mc api.MobileChallenge
	if err := c.call(ctx, http.MethodPost, "/v1/services/"+string(domain.ActivateAbsher)+"/code", token, api.MobileChangeRequest{Mobile: mobile}, &mc); err != nil {
		return domain.CodeSent{}, err
	}
	if mc.ChallengeID == "" {
		return domain.CodeSent{}, fmt.Errorf("centre: activation challenge without an id: %w", errMalformed)
	}
	return c.codeSent(mc.SMS), nil
}

// SubmitService submits a catalogue service online with the flow's
// idempotency key (a flow.Submitter for the catalogue's kinds). These
// requests need the visit's session, so they cannot wait in the outbox past
// its end. The rules refusing at submission is a *domain.Refusal naming the
// first failed rule; the outcome's details go to the result screen.
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
			return domain.Ack{}, fmt.Errorf("centre: the activation's finger record is not base64; the flow and this client disagree: %w", err)
		}
		sub.FingerRecord = rec
		defer clear(rec)
	}
	var out api.ServiceOutcome
	if err := c.call(ctx, http.MethodPost, "/v1/services/"+url.PathEscape(string(t.Kind))+"/submissions", t.Token, sub, &out); err != nil {
		return domain.Ack{}, err
	}
	if !out.Completed {
		if len(out.Reasons) == 0 {
			return domain.Ack{}, fmt.Errorf("centre: %s refused without a reason: %w", t.Kind, errMalformed)
		}
		return domain.Ack{}, &domain.Refusal{Code: domain.ProblemCode(out.Reasons[0])}
	}
	return domain.Ack{Done: true, Reference: out.Reference, Details: out.Details}, nil
}

// Config fetches this kiosk's configuration (service menu, fees, timeouts)
// once; the long-polling puller of sync/client keeps it fresh later.
func (c *Client) Config(ctx context.Context, kioskID string) (api.Config, error) {
	var cfg api.Config
	if err := c.call(ctx, http.MethodGet, "/v1/kiosks/"+url.PathEscape(kioskID)+"/config", "", nil, &cfg); err != nil {
		return api.Config{}, err
	}
	return cfg, nil
}
