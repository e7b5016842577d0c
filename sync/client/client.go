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
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// ErrUnreachable means the centre could not answer: no connection, a
// timeout, a broken or unreadable answer, or a 5xx. The request may be
// tried again later; for a walk-up user the kiosk says the service is
// unavailable right now. It is the kiosk's one domain.ErrUnreachable, so
// errors.Is reads the same for every client of the centre.
var ErrUnreachable = domain.ErrUnreachable

// APIError is a refusal the centre answered on purpose (4xx): Code is one
// of the stable api.Code… values, to be shown as translated text.
type APIError struct {
	Status      int
	Code        string
	Message     string
	RetryAfter  time.Duration
	TriesLeft   *int
	LockedUntil *time.Time
}

func (e *APIError) Error() string {
	return fmt.Sprintf("centre refused (HTTP %d, %s): %s", e.Status, e.Code, e.Message)
}

// Config says where the centre is and who this kiosk is.
type Config struct {
	BaseURL  string // https://host:port
	KioskID  string // the CommonName of the client certificate
	CAFile   string // the centre's CA, PEM
	CertFile string // this kiosk's certificate, PEM
	KeyFile  string // its private key, PEM (0600)
	// Timeout bounds each online call; default 15 s. Long-polls get their
	// wait on top.
	Timeout time.Duration
	// HTTP replaces the mTLS client built from the files above.
	HTTP *http.Client
}

// Client talks to one centre as one kiosk. It is safe for concurrent use.
type Client struct {
	base    *url.URL
	kiosk   string
	timeout time.Duration
	hc      *http.Client
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
	hc := c.HTTP
	if hc == nil {
		tc, err := TLSConfig(c.CAFile, c.CertFile, c.KeyFile)
		if err != nil {
			return nil, err
		}
		hc = &http.Client{Transport: &http.Transport{
			TLSClientConfig:     tc,
			ForceAttemptHTTP2:   true,
			MaxIdleConnsPerHost: 4,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: c.Timeout,
		}}
	}
	return &Client{base: u, kiosk: c.KioskID, timeout: c.Timeout, hc: hc}, nil
}

// TLSConfig loads the CA and the kiosk's certificate pair.
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
// whole answer. Transport failures, 5xx and unreadable answers wrap
// ErrUnreachable; 4xx are *APIError.
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
	ae := parseError(r.status, r.header, b, time.Now()) // a Retry-After date counts from the answer's arrival
	if r.status >= 500 {
		return r, fmt.Errorf("%s %s: %w: %w", method, path, ErrUnreachable, ae)
	}
	return r, ae
}

// parseError turns an error answer into an *APIError. A body that is not
// the documented error shape still gives a usable error with the status.
func parseError(status int, h http.Header, body []byte, now time.Time) *APIError {
	ae := &APIError{Status: status}
	if er, err := api.Decode[api.ErrorResponse](body); err == nil && er.Error.Code != "" {
		ae.Code, ae.Message = er.Error.Code, er.Error.Message
		ae.TriesLeft, ae.LockedUntil = er.Error.TriesLeft, er.Error.LockedUntil
		if er.Error.RetryAfterSeconds > 0 {
			ae.RetryAfter = time.Duration(er.Error.RetryAfterSeconds) * time.Second
		}
	} else {
		ae.Code = "unexpected_answer"
		ae.Message = fmt.Sprintf("HTTP %d without a readable error body", status)
	}
	if d, ok := ParseRetryAfter(h.Get("Retry-After"), now); ok {
		ae.RetryAfter = d
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

// call is one JSON request whose 2xx answer decodes strictly into T.
func call[T any](c *Client, ctx context.Context, method, path, token string, in any) (*T, error) {
	var hdr http.Header
	if token != "" {
		hdr = http.Header{"Authorization": {"Bearer " + token}}
	}
	r, err := c.do(ctx, method, path, nil, hdr, in, 0)
	if err != nil {
		return nil, err
	}
	v, err := api.Decode[T](r.body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: the centre's answer does not read: %w: %w", method, path, ErrUnreachable, err)
	}
	return v, nil
}
