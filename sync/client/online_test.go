package client

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/google/uuid"
)

var codeRE = regexp.MustCompile(`\b\d{6}\b`)

func smsCode(t *testing.T, s interface {
	Last(string) (api.SMSMessage, bool)
}, to string) string {
	t.Helper()
	m, ok := s.Last(to)
	if !ok {
		t.Fatalf("no SMS to %s", pii.Mask(to))
	}
	return codeRE.FindString(m.Text)
}

func wantAnswer(t *testing.T, err error, status int, code string) *answerError {
	t.Helper()
	var ae *answerError
	if !errors.As(err, &ae) || ae.status != status || ae.code != code {
		t.Fatalf("got %v, want HTTP %d %s", err, status, code)
	}
	if errors.Is(err, ErrUnreachable) {
		t.Fatalf("a refusal must not read as unreachable: %v", err)
	}
	return ae
}

// TestOnlineCallsFallbackAndMobileUpdate walks the fallback identification
// and a mobile number change against the real centre, then submits the
// change through the outbox twice under one key: applied once.
func TestOnlineCallsFallbackAndMobileUpdate(t *testing.T) {
	dir := t.TempDir()
	cdir := filepath.Join(dir, "centre")
	s := startCentre(t, cdir)
	c := newClient(t, s, "")
	ctx := context.Background()

	_, err := c.StartVerification(ctx, "1000000000")
	wantAnswer(t, err, 422, api.CodeBadCheckDigit)
	if code, _ := domain.RefusalCode(err); code != pii.BadCheckDigit {
		t.Fatalf("bad check digit refused as %q", code)
	}
	v, err := c.StartVerification(ctx, testID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Ref == "" || !v.FingersEnrolled || !v.HasAccount {
		t.Fatalf("verification %+v", v)
	}
	_, err = c.VerifyFinger(ctx, v.Ref, []byte("not a record"), 0)
	wantAnswer(t, err, 422, api.CodeBadFingerRecord)
	ae := func() *answerError {
		_, err := c.VerifyPassword(ctx, v.Ref, "wrong")
		return wantAnswer(t, err, 401, api.CodeWrongPassword)
	}()
	if ae.triesLeft == nil || *ae.triesLeft != 2 {
		t.Fatalf("tries left %v", ae.triesLeft)
	}
	ch, err := c.VerifyPassword(ctx, v.Ref, testPass)
	if err != nil {
		t.Fatal(err)
	}
	if ch.MaskedMobile == testMobile {
		t.Fatalf("challenge shows the full number")
	}
	_, err = c.ResendCode(ctx, v.Ref)
	if ae := wantAnswer(t, err, 429, api.CodeSMSResendTooSoon); ae.retryAfter <= 0 {
		t.Fatalf("resend refusal without a wait: %+v", ae)
	}
	se, err := c.VerifyCode(ctx, v.Ref, smsCode(t, s.SMSSink, testMobile))
	if err != nil {
		t.Fatal(err)
	}
	prof, err := c.Profile(ctx, se.Token)
	if err != nil || prof.NameEN != "Ali" {
		t.Fatalf("profile %+v %v", prof, err)
	}
	if _, err := c.Documents(ctx, se.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Subjects(ctx, se.Token); err != nil {
		t.Fatal(err)
	}
	el, err := c.Eligibility(ctx, se.Token, domain.UpdateMobile, "", nil)
	if err != nil || !el.Eligible {
		t.Fatalf("eligibility %+v %v", el, err)
	}
	_, err = c.Profile(ctx, "nonsense")
	if !errors.As(err, new(*answerError)) {
		t.Fatalf("bad token: %v", err)
	}

	const newMobile = "+966512345678"
	mc, err := c.RequestMobileCode(ctx, se.Token, "0512345678")
	if err != nil || mc.MaskedMobile == newMobile {
		t.Fatalf("mobile code %+v %v", mc, err)
	}
	_, err = c.ConfirmMobile(ctx, se.Token, "0512345678", "000000")
	if !errors.As(err, new(*answerError)) {
		t.Fatalf("wrong code: %v", err)
	}
	g, err := c.ConfirmMobile(ctx, se.Token, "0512345678", smsCode(t, s.SMSSink, newMobile))
	if err != nil || g.Mobile != newMobile {
		t.Fatalf("grant %+v %v", g, err)
	}
	key := uuid.NewString()
	ev, err := MobileUpdatedEvent(key, g, "K-1", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	o := openOutbox(t, filepath.Join(dir, "kiosk.db"))
	u := NewUploader(c, o, UploaderOptions{})
	for range 2 {
		if _, err := o.Enqueue(ctx, ev); err != nil {
			t.Fatal(err)
		}
		drain(t, u, o, 10*time.Second)
	}
	if p, _ := o.Parked(ctx); len(p) != 0 {
		t.Fatalf("parked: %+v", p)
	}
	if n, _ := s.Store.CountEvents(ctx, kiosk, string(api.EventMobileUpdated)); n != 1 {
		t.Fatalf("centre holds %d mobile updates, want 1", n)
	}
	for _, bad := range []struct {
		key string
		g   api.MobileGrant
	}{{"nope", g}, {key, api.MobileGrant{}}} {
		if _, err := MobileUpdatedEvent(bad.key, bad.g, "K-1", time.Time{}); err == nil {
			t.Errorf("MobileUpdatedEvent(%q, %+v) accepted", bad.key, bad.g)
		}
	}
}

// TestUnreachable: nothing listening, and a listener that never answers
// within the deadline; both read as ErrUnreachable, not as refusals.
func TestUnreachable(t *testing.T) {
	dir := t.TempDir()
	s := startCentre(t, filepath.Join(dir, "centre"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	silent := ln.Addr().String()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	defer ln.Close()
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	refused := closed.Addr().String()
	closed.Close()
	for _, addr := range []string{refused, silent} {
		cfg := clientConfig(s, kiosk, "https://"+addr)
		cfg.Timeout = 300 * time.Millisecond
		c, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.StartVerification(context.Background(), testID)
		if !errors.Is(err, ErrUnreachable) || errors.As(err, new(*answerError)) {
			t.Errorf("%s: %v, want ErrUnreachable", addr, err)
		}
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	dir := t.TempDir()
	s := startCentre(t, filepath.Join(dir, "centre"))
	good := clientConfig(s, kiosk, s.URL)
	for name, mod := range map[string]func(c *Config){
		"http":     func(c *Config) { c.BaseURL = "http://127.0.0.1:1" },
		"no host":  func(c *Config) { c.BaseURL = "https://" },
		"no kiosk": func(c *Config) { c.KioskID = "" },
		"no CA":    func(c *Config) { c.CAFile = filepath.Join(dir, "missing.pem") },
		"CA not PEM": func(c *Config) {
			c.CAFile = good.KeyFile + ".x"
			if err := writeFile(c.CAFile, "junk"); err != nil {
				t.Fatal(err)
			}
		},
		"key mismatch": func(c *Config) { c.KeyFile = s.PKI.Clients["kiosk-002"].Key },
	} {
		c := good
		mod(&c)
		if _, err := New(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// Without a client certificate the centre says so, as a refusal.
	c, err := New(Config{BaseURL: s.URL, KioskID: kiosk, HTTP: mustNoCertClient(t, s.PKI.CA)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.StartVerification(context.Background(), testID)
	wantAnswer(t, err, 401, api.CodeClientCertRequired)
}
