// Package client is the kiosk's side of the wire: online calls the walk-up
// flow makes while a user waits, and the services that keep the kiosk and
// the centre in step in the background (uploader, config and command
// pullers, heartbeat). Everything goes over mutual TLS; the kiosk is known
// to the centre by its client certificate.
package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// ErrUnreachable means the centre could not answer: no connection, a
// timeout, a broken answer, or a 5xx. The request may be tried again
// later; for a walk-up user the kiosk says the service is unavailable
// right now. It is the kiosk's one domain.ErrUnreachable, so errors.Is
// reads the same in every layer.
var ErrUnreachable = domain.ErrUnreachable

// errMalformed is an answer that is not the contract's: kiosk and centre
// disagree on the API. Retrying the same call will not help.
var errMalformed = errors.New("the centre's answer is malformed; check that kiosk and centre run matching versions")

// unexpectedAnswer is the code of an error answer without the documented
// error body (a proxy's HTML page, an empty body).
const unexpectedAnswer = "unexpected_answer"

// answerError is an error answer (4xx, 5xx) as the centre sent it. A 4xx
// whose code the flow can show also carries a *domain.Refusal (see
// refusals); others are the kiosk's own fault (a bad request, a missing
// certificate) that no retry by the person changes. The background loops
// read the status and the wait from it.
type answerError struct {
	status      int
	code        string // one of the api.Code… values, or unexpectedAnswer
	message     string
	retryAfter  time.Duration
	triesLeft   *int
	lockedUntil *time.Time
}

func (e *answerError) Error() string {
	return fmt.Sprintf("centre answered HTTP %d, %s: %s", e.status, e.code, pii.Scrub(e.message))
}

// Unwrap makes an answer without the documented error body a malformed one.
func (e *answerError) Unwrap() error {
	if e.code == unexpectedAnswer {
		return errMalformed
	}
	return nil
}

// refusals reads the contract's stable error codes as the problems the
// flow shows. A code not listed is no refusal: the kiosk erred.
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

// Config says where the centre is and who this kiosk is.
type Config struct {
	BaseURL  string // https://host:port
	KioskID  string // the CommonName of the client certificate
	CAFile   string // the centre's CA, PEM
	CertFile string // this kiosk's certificate, PEM
	KeyFile  string // its private key, PEM (0600)
	// TLS replaces the configuration read from the three files (the demo's
	// in-process centre issues its certificates in memory).
	TLS *tls.Config
	// Timeout bounds each online call; default 15 s. Long-polls get their
	// wait on top.
	Timeout time.Duration
	// HTTP replaces the mutual-TLS client altogether (tests).
	HTTP *http.Client
	// Clock reads the centre's own times ("resend after") as waits; nil is
	// time.Now. Tests against a centre on a fixed clock pass that clock.
	Clock func() time.Time
}

// Client talks to one centre as one kiosk: the walk-up calls a person
// waits for (it is the flow's Centre and CatalogueCentre, the receipt
// desk's document source and the submitter's online half) and the
// background loops. It is safe for concurrent use.
type Client struct {
	base    *url.URL
	kiosk   string
	timeout time.Duration
	hc      *http.Client
	now     func() time.Time

	mu         sync.Mutex
	challenges map[challengeKey]string // open mobile changes, see RequestMobileCode
}

// New checks the config and builds the mutual-TLS HTTP client (TLS 1.3,
// trusting only the given CA).
func New(c Config) (*Client, error) {
	u, err := url.Parse(c.BaseURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("client: base URL %q must be https://host:port; fix centre.url in the kiosk configuration", c.BaseURL)
	}
	if c.KioskID == "" {
		return nil, errors.New("client: kiosk id is empty; it must match the client certificate's name")
	}
	if c.Timeout <= 0 {
		c.Timeout = 15 * time.Second
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	hc := c.HTTP
	if hc == nil {
		tc := c.TLS
		if tc == nil {
			if tc, err = TLSConfig(c.CAFile, c.CertFile, c.KeyFile); err != nil {
				return nil, err
			}
		}
		hc = &http.Client{Transport: &http.Transport{
			TLSClientConfig:     tc,
			ForceAttemptHTTP2:   true,
			MaxIdleConnsPerHost: 4,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: c.Timeout,
		}}
	}
	return &Client{base: u, kiosk: c.KioskID, timeout: c.Timeout, hc: hc, now: c.Clock, challenges: map[challengeKey]string{}}, nil
}

// TLSConfig loads the CA and the kiosk's certificate pair: the mutual-TLS
// setup New uses when Config.TLS is nil.
func TLSConfig(caFile, certFile, keyFile string) (*tls.Config, error) {
	ca, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("client: read the centre's CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		return nil, fmt.Errorf("client: %s holds no PEM certificate; install the centre's CA there", caFile)
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("client: load the kiosk certificate (%s, %s): %w", certFile, keyFile, err)
	}
	return &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS13}, nil
}

// KioskID is the kiosk this client speaks for.
func (c *Client) KioskID() string { return c.kiosk }

// maxResponse bounds what is read of an answer; nothing the centre sends
// is larger than what it accepts.
const maxResponse = api.MaxBodyBytes

// response is an answer read in full.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends one request with a deadline of extra+timeout and reads the
// whole answer. Transport failures, 5xx and answers cut off wrap
// ErrUnreachable; a 4xx is an *answerError, joined with a *domain.Refusal
// when its code is one the flow shows. A request the caller cancelled is
// context.Canceled, not the centre's fault.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, hdr http.Header, in any, extra time.Duration) (*response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout+extra)
	defer cancel()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("client: encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	u := *c.base
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("client: build %s %s: %w", method, path, err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.hc.Do(req)
	if err != nil {
		if errors.Is(err, context.Canceled) && ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("%s %s: %w", method, path, context.Canceled)
		}
		return nil, fmt.Errorf("%s %s: %w: %w", method, path, ErrUnreachable, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, maxResponse+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: answer cut off (HTTP %d): %w: %w", method, path, res.StatusCode, ErrUnreachable, err)
	}
	if len(b) > maxResponse {
		return nil, fmt.Errorf("%s %s: answer larger than %d bytes: %w", method, path, maxResponse, ErrUnreachable)
	}
	r := &response{status: res.StatusCode, header: res.Header, body: b}
	if r.status < 400 {
		return r, nil
	}
	return r, fmt.Errorf("%s %s: %w", method, path, answerErr(r.status, r.header, b, time.Now())) // a Retry-After date counts from the answer's arrival
}

// answerErr maps an error answer: 5xx is the centre being unavailable,
// a 4xx with a code the flow shows is a refusal, any other 4xx is the
// answer itself.
func answerErr(status int, h http.Header, body []byte, now time.Time) error {
	ae := parseError(status, h, body, now)
	switch code, ok := refusals[ae.code]; {
	case status >= 500:
		return fmt.Errorf("%w: %w", ErrUnreachable, ae)
	case ok:
		return errors.Join(&domain.Refusal{Code: code, RetryAfter: ae.retryAfter}, ae)
	}
	return ae
}

// parseError reads an error answer. A body that is not the documented
// error shape still gives a usable error with the status.
func parseError(status int, h http.Header, body []byte, now time.Time) *answerError {
	ae := &answerError{status: status}
	if er, err := api.Decode[api.ErrorResponse](body); err == nil && er.Error.Code != "" {
		ae.code, ae.message = er.Error.Code, er.Error.Message
		ae.triesLeft, ae.lockedUntil = er.Error.TriesLeft, er.Error.LockedUntil
		if er.Error.RetryAfterSeconds > 0 {
			ae.retryAfter = time.Duration(er.Error.RetryAfterSeconds) * time.Second
		}
	} else {
		ae.code = unexpectedAnswer
		ae.message = fmt.Sprintf("HTTP %d without a readable error body", status)
	}
	if d, ok := ParseRetryAfter(h.Get("Retry-After"), now); ok {
		ae.retryAfter = d
	}
	return ae
}

// maxRetryAfter bounds what a Retry-After header can make the kiosk wait.
const maxRetryAfter = 24 * time.Hour

// ParseRetryAfter reads a Retry-After header: delay seconds or an HTTP
// date. ok is false for an empty or unreadable value; a date in the past
// is a zero wait.
func ParseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if v[0] >= '0' && v[0] <= '9' {
		var n int64
		for i := 0; i < len(v); i++ {
			ch := v[i]
			if ch < '0' || ch > '9' {
				return 0, false
			}
			n = n*10 + int64(ch-'0')
			if n > int64(maxRetryAfter/time.Second) {
				return maxRetryAfter, true
			}
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return min(max(t.Sub(now), 0), maxRetryAfter), true
}

// call is one walk-up request, its answer mapped by answer.
func call[T any](c *Client, ctx context.Context, method, path, token string, in any) (*T, error) {
	var hdr http.Header
	if token != "" {
		hdr = http.Header{"Authorization": {"Bearer " + token}}
	}
	r, err := c.do(ctx, method, path, nil, hdr, in, 0)
	if err != nil {
		return nil, err
	}
	v, err := answer[T](r.status, r.header, r.body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	return v, nil
}

// answer maps a walk-up answer read in full: a 2xx decodes strictly into
// T, anything else is its error (answerErr). A 2xx that does not read is
// malformed, not unreachable: the same call would get the same answer.
func answer[T any](status int, h http.Header, body []byte) (*T, error) {
	if status < 200 || status >= 300 {
		return nil, answerErr(status, h, body, time.Now())
	}
	v, err := api.Decode[T](body)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", err, errMalformed)
	}
	return v, nil
}
