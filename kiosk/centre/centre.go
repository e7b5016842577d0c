// Package centre is the kiosk's client for the centre's online calls:
// identity verification, SMS codes and the mobile-number change. These
// calls are never queued (a person waits for each answer), so every one has
// a deadline, and the answers are mapped to what the flow understands:
// transport failures and 5xx become domain.ErrUnreachable, stable API error
// codes become *domain.Refusal.
package centre

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// maxAnswer bounds what the client reads of one answer: the largest
// legitimate one is a few kilobytes.
const maxAnswer = 1 << 20

// Options configure a Client.
type Options struct {
	URL     string      // https://host:port of the centre
	TLS     *tls.Config // the kiosk's client certificate and the centre's CA
	Timeout time.Duration
	Clock   func() time.Time // turns the centre's "resend after" times into waits
	// Transport replaces the HTTP transport (tests of one package only).
	Transport http.RoundTripper
}

// Client talks to the centre. It satisfies flow.Centre, and confirms
// mobile changes for the submitter.
type Client struct {
	base    *url.URL
	hc      *http.Client
	timeout time.Duration
	now     func() time.Time

	mu         sync.Mutex
	challenges map[challengeKey]string // mobile change challenge ids
}

// challengeKey names the one open mobile change of a session: the centre
// issues one challenge per session and number.
type challengeKey struct{ token, mobile string }

// maxChallenges bounds the remembered challenges; an abandoned visit's
// entry is evicted by later visits.
const maxChallenges = 64

// New checks o and makes a client.
func New(o Options) (*Client, error) {
	u, err := url.Parse(o.URL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("centre: %q is not an https:// URL; set centre.url in the kiosk's config", o.URL)
	}
	if o.TLS == nil && o.Transport == nil {
		return nil, errors.New("centre: no TLS configuration: the centre needs the kiosk's client certificate (centre.cert_file, key_file, ca_file)")
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	rt := o.Transport
	if rt == nil {
		rt = &http.Transport{TLSClientConfig: o.TLS, ForceAttemptHTTP2: true, MaxIdleConnsPerHost: 4, IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: o.Timeout}
	}
	return &Client{base: u, hc: &http.Client{Transport: rt}, timeout: o.Timeout, now: o.Clock, challenges: map[challengeKey]string{}}, nil
}

// StartVerification begins identifying the person with this ID.
func (c *Client) StartVerification(ctx context.Context, id string) (domain.Verification, error) {
	var v api.Verification
	if err := c.call(ctx, http.MethodPost, "/v1/identity/verifications", "", api.StartVerificationRequest{IDNumber: id}, &v); err != nil {
		return domain.Verification{}, err
	}
	if v.ID == "" {
		return domain.Verification{}, fmt.Errorf("centre: verification answer without an id: %w", errMalformed)
	}
	return domain.Verification{
		Ref:             v.ID,
		FingersEnrolled: slices.Contains(v.Methods, api.MethodFingerprint),
		HasAccount:      slices.Contains(v.Methods, api.MethodPassword),
	}, nil
}

// VerifyFinger sends one finger image record. A miss is an answer, not an
// error: it carries the tries left; a lock ends the identification.
func (c *Client) VerifyFinger(ctx context.Context, ref string, record []byte, position int) (domain.FingerResult, error) {
	// The flow zeroes record when this returns; JSON encoding copies it.
	var s api.Session
	err := c.call(ctx, http.MethodPost, "/v1/identity/verifications/"+url.PathEscape(ref)+"/fingerprint", "", api.FingerprintRequest{Record: record}, &s)
	var ae *apiError
	switch {
	case err == nil:
		if s.Token == "" {
			return domain.FingerResult{}, fmt.Errorf("centre: session answer without a token: %w", errMalformed)
		}
		return domain.FingerResult{Matched: true, Identified: domain.Identified{Token: s.Token}}, nil
	case errors.As(err, &ae) && ae.body.Code == api.CodeFingerprintNoMatch:
		left := 0
		if ae.body.TriesLeft != nil {
			left = *ae.body.TriesLeft
		}
		return domain.FingerResult{TriesLeft: left}, nil
	case errors.As(err, &ae) && ae.body.Code == api.CodeFingerprintLocked:
		return domain.FingerResult{Locked: true, LockReason: string(domain.ProblemNotMatched), Lock: ae.retryAfter()}, nil
	}
	return domain.FingerResult{}, err
}

// VerifyPassword is the first half of the fallback: the centre sends a
// code to the registered mobile.
func (c *Client) VerifyPassword(ctx context.Context, ref, password string) (domain.CodeSent, error) {
	var ch api.SMSChallenge
	if err := c.call(ctx, http.MethodPost, "/v1/identity/verifications/"+url.PathEscape(ref)+"/password", "", api.PasswordRequest{Password: password}, &ch); err != nil {
		return domain.CodeSent{}, err
	}
	return c.codeSent(ch), nil
}

// ResendCode asks for a new sign-in code.
func (c *Client) ResendCode(ctx context.Context, ref string) (domain.CodeSent, error) {
	var ch api.SMSChallenge
	if err := c.call(ctx, http.MethodPost, "/v1/identity/verifications/"+url.PathEscape(ref)+"/sms/resend", "", struct{}{}, &ch); err != nil {
		return domain.CodeSent{}, err
	}
	return c.codeSent(ch), nil
}

// VerifyCode completes the fallback with the SMS code.
func (c *Client) VerifyCode(ctx context.Context, ref, code string) (domain.Identified, error) {
	var s api.Session
	if err := c.call(ctx, http.MethodPost, "/v1/identity/verifications/"+url.PathEscape(ref)+"/sms/verify", "", api.SMSCodeRequest{Code: code}, &s); err != nil {
		return domain.Identified{}, err
	}
	if s.Token == "" {
		return domain.Identified{}, fmt.Errorf("centre: session answer without a token: %w", errMalformed)
	}
	return domain.Identified{Token: s.Token}, nil
}

// RequestMobileCode sends a code to the new number. The centre keeps one
// challenge per session and number, so a resend is the same call.
func (c *Client) RequestMobileCode(ctx context.Context, token, mobile string) (domain.CodeSent, error) {
	var mc api.MobileChallenge
	if err := c.call(ctx, http.MethodPost, "/v1/services/update_mobile/code", token, api.MobileChangeRequest{Mobile: mobile}, &mc); err != nil {
		return domain.CodeSent{}, err
	}
	if mc.ChallengeID == "" {
		return domain.CodeSent{}, fmt.Errorf("centre: mobile challenge without an id: %w", errMalformed)
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
	var g api.MobileGrant
	err := c.call(ctx, http.MethodPost, "/v1/services/update_mobile/confirm", token, api.MobileConfirmRequest{ChallengeID: id, Code: code}, &g)
	if ae := (*apiError)(nil); errors.As(err, &ae) && ae.body.Code == api.CodeNotFound {
		// The centre forgot the challenge (it restarted): a new code is needed.
		return api.MobileGrant{}, errors.Join(&domain.Refusal{Code: domain.ProblemCodeExpired}, ae)
	}
	if err != nil {
		return api.MobileGrant{}, err
	}
	if g.Grant == "" {
		return api.MobileGrant{}, fmt.Errorf("centre: mobile grant answer without a grant: %w", errMalformed)
	}
	c.mu.Lock()
	delete(c.challenges, challengeKey{token, mobile})
	c.mu.Unlock()
	return g, nil
}

func (c *Client) codeSent(ch api.SMSChallenge) domain.CodeSent {
	var wait time.Duration
	if !ch.ResendAfter.IsZero() {
		wait = max(ch.ResendAfter.Sub(c.now()), 0)
	}
	return domain.CodeSent{MaskedMobile: ch.SentTo, ResendIn: wait}
}

var errMalformed = errors.New("the centre's answer is malformed; check that kiosk and centre run matching versions")

// apiError is a non-2xx answer with the centre's error body.
type apiError struct {
	status int
	body   api.Error
}

func (e *apiError) Error() string {
	return fmt.Sprintf("centre answered %d %s: %s", e.status, e.body.Code, pii.Scrub(e.body.Message))
}

func (e *apiError) retryAfter() time.Duration {
	return time.Duration(e.body.RetryAfterSeconds) * time.Second
}

// call does one request with the client's deadline and decodes the answer
// into out, or maps the failure.
func (c *Client) call(ctx context.Context, method, path, token string, in, out any) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("centre: encode request for %s: %w", path, err)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.JoinPath(path).String(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("centre: build request for %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if errors.Is(err, context.Canceled) && ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("centre: %s: %w", path, context.Canceled)
		}
		return fmt.Errorf("centre: %s: %v: %w", path, err, domain.ErrUnreachable)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return fmt.Errorf("centre: read answer of %s: %v: %w", path, err, domain.ErrUnreachable)
	}
	if len(data) > maxAnswer {
		return fmt.Errorf("centre: answer of %s is over %d bytes: %w", path, maxAnswer, errMalformed)
	}
	return decodeAnswer(path, resp.StatusCode, data, out)
}

// decodeAnswer maps one answer: 2xx is decoded strictly into out, 5xx is
// the centre being unavailable, other statuses are refusals.
func decodeAnswer(path string, status int, data []byte, out any) error {
	if status >= 200 && status < 300 {
		if err := strictJSON(data, out); err != nil {
			return fmt.Errorf("centre: answer of %s: %v: %w", path, err, errMalformed)
		}
		return nil
	}
	var er api.ErrorResponse
	decErr := strictJSON(data, &er)
	if status >= 500 {
		return fmt.Errorf("centre: %s answered %d: %w", path, status, domain.ErrUnreachable)
	}
	if decErr != nil || er.Error.Code == "" {
		return fmt.Errorf("centre: %s answered %d without an error body: %w", path, status, errMalformed)
	}
	ae := &apiError{status: status, body: er.Error}
	if code, ok := refusals[er.Error.Code]; ok {
		return errors.Join(&domain.Refusal{Code: code, RetryAfter: ae.retryAfter()}, ae)
	}
	// Anything else (bad request, certificate, forbidden) is the kiosk's
	// own fault: no retry by the user will change it.
	return ae
}

// refusals maps the centre's stable codes to what the flow shows.
var refusals = map[string]domain.ProblemCode{
	api.CodeUnknownPerson:       domain.ProblemUnknownPerson,
	api.CodeBadCheckDigit:       pii.BadCheckDigit,
	api.CodeBadIDFormat:         pii.BadPrefix,
	api.CodeBadMobile:           pii.NotMobile,
	api.CodeFingerprintNoMatch:  domain.ProblemNotMatched,
	api.CodeFingerprintLocked:   domain.ProblemLocked,
	api.CodePasswordLocked:      domain.ProblemLocked,
	api.CodeSMSAttemptsExceeded: domain.ProblemLocked,
	api.CodeWrongPassword:       domain.ProblemWrongPassword,
	api.CodeWrongSMSCode:        domain.ProblemCodeWrong,
	api.CodeSMSCodeExpired:      domain.ProblemCodeExpired,
	api.CodeSMSSendsExceeded:    domain.ProblemResendLimit,
	api.CodeSMSResendTooSoon:    domain.ProblemResendTooSoon,
	api.CodeNoFingerprint:       domain.ProblemNoAccount,
	api.CodeNoAbsherAccount:     domain.ProblemNoAccount,
	api.CodeNoRegisteredMobile:  domain.ProblemNoAccount,
	api.CodeSessionRequired:     domain.ProblemSessionExpired,
	api.CodeSessionExpired:      domain.ProblemSessionExpired,
	api.CodeVerificationUnknown: domain.ProblemSessionExpired,
	api.CodeVerificationExpired: domain.ProblemSessionExpired,
	api.CodeVerificationDone:    domain.ProblemSessionExpired,
}

func strictJSON(data []byte, out any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON value")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}
