package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/outbox"
	"github.com/google/uuid"
)

// The online calls below are made while a user waits; they are never
// queued. Each has the client's Timeout as deadline (or ctx's, if sooner).

// StartVerification begins identifying the holder of an ID or Iqama number.
func (c *Client) StartVerification(ctx context.Context, idNumber string) (*api.Verification, error) {
	return call[api.Verification](c, ctx, "POST", "/v1/identity/verifications", "", api.StartVerificationRequest{IDNumber: idNumber})
}

// VerifyFingerprint sends one ISO/IEC 19794-4 finger image record.
func (c *Client) VerifyFingerprint(ctx context.Context, verificationID string, record []byte) (*api.Session, error) {
	return call[api.Session](c, ctx, "POST", "/v1/identity/verifications/"+url.PathEscape(verificationID)+"/fingerprint", "", api.FingerprintRequest{Record: record})
}

// VerifyPassword is the first half of the fallback: an SMS code goes to
// the registered mobile.
func (c *Client) VerifyPassword(ctx context.Context, verificationID, password string) (*api.SMSChallenge, error) {
	return call[api.SMSChallenge](c, ctx, "POST", "/v1/identity/verifications/"+url.PathEscape(verificationID)+"/password", "", api.PasswordRequest{Password: password})
}

// ResendVerificationCode asks for a new SMS code.
func (c *Client) ResendVerificationCode(ctx context.Context, verificationID string) (*api.SMSChallenge, error) {
	return call[api.SMSChallenge](c, ctx, "POST", "/v1/identity/verifications/"+url.PathEscape(verificationID)+"/sms/resend", "", nil)
}

// VerifyCode completes the fallback with the SMS code.
func (c *Client) VerifyCode(ctx context.Context, verificationID, code string) (*api.Session, error) {
	return call[api.Session](c, ctx, "POST", "/v1/identity/verifications/"+url.PathEscape(verificationID)+"/sms/verify", "", api.SMSCodeRequest{Code: code})
}

// Profile is the identified person's summary.
func (c *Client) Profile(ctx context.Context, token string) (*api.Profile, error) {
	return call[api.Profile](c, ctx, "GET", "/v1/person", token, nil)
}

// Documents lists what the person can print.
func (c *Client) Documents(ctx context.Context, token string) (*api.DocumentList, error) {
	return call[api.DocumentList](c, ctx, "GET", "/v1/person/documents", token, nil)
}

// Dependents lists family members and hosted visitors.
func (c *Client) Dependents(ctx context.Context, token string) (*api.DependentList, error) {
	return call[api.DependentList](c, ctx, "GET", "/v1/person/dependents", token, nil)
}

// Eligibility asks whether a service may run, with named reasons if not.
func (c *Client) Eligibility(ctx context.Context, token string, service domain.ServiceID, req api.EligibilityRequest) (*api.Eligibility, error) {
	return call[api.Eligibility](c, ctx, "POST", "/v1/services/"+url.PathEscape(string(service))+"/eligibility", token, req)
}

// RequestMobileCode sends a code to the new mobile number. Calling it again
// for the same number is the resend; the centre enforces the resend delay.
func (c *Client) RequestMobileCode(ctx context.Context, token, mobile string) (*api.MobileChallenge, error) {
	return call[api.MobileChallenge](c, ctx, "POST", "/v1/services/update_mobile/code", token, api.MobileChangeRequest{Mobile: mobile})
}

// ConfirmMobile proves the new number and returns the grant that a
// mobile_updated event carries (see MobileUpdatedEvent).
func (c *Client) ConfirmMobile(ctx context.Context, token, challengeID, code string) (*api.MobileGrant, error) {
	return call[api.MobileGrant](c, ctx, "POST", "/v1/services/update_mobile/confirm", token, api.MobileConfirmRequest{ChallengeID: challengeID, Code: code})
}

// MobileUpdatedEvent is the submission of a mobile change: the outbox event
// (with its idempotency key) to enqueue. The centre applies the change when
// it first stores the event, so delivering it twice changes nothing.
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
