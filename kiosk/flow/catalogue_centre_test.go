package flow

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"math/rand"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/central"
	"github.com/absher-kiosk/kiosk/central/demo"
	"github.com/absher-kiosk/kiosk/devices/fingerprint/fir"
	"github.com/absher-kiosk/kiosk/devices/fingerprint/synth"
	"github.com/absher-kiosk/kiosk/internal/centretest"
	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// centreLink speaks the wire contract to a real centre for the flow: the
// parts of Centre, CatalogueCentre and Submitter the password route and the
// catalogue services use. It lives in this test because the program's own
// adapter belongs to the kiosk's wiring; here it proves the flow and the
// centre agree on every rule.
type centreLink struct {
	t      *testing.T
	url    string
	client *http.Client
}

func (c *centreLink) call(ctx context.Context, method, path, token string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.url+path, body)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", domain.ErrUnreachable, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		var e api.ErrorResponse
		json.Unmarshal(b, &e)
		return &domain.Refusal{Code: domain.ProblemCode(e.Error.Code)}
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

func (c *centreLink) StartVerification(ctx context.Context, id string) (domain.Verification, error) {
	var v api.Verification
	err := c.call(ctx, "POST", "/v1/identity/verifications", "", api.StartVerificationRequest{IDNumber: id}, &v)
	return domain.Verification{Ref: v.ID, FingersEnrolled: slices.Contains(v.Methods, api.MethodFingerprint), HasAccount: slices.Contains(v.Methods, api.MethodPassword)}, err
}

func (c *centreLink) VerifyFinger(ctx context.Context, ref string, rec []byte, pos int) (domain.FingerResult, error) {
	var s api.Session
	err := c.call(ctx, "POST", "/v1/identity/verifications/"+ref+"/fingerprint", "", api.FingerprintRequest{Record: slices.Clone(rec)}, &s)
	var r *domain.Refusal
	if errors.As(err, &r) && r.Code == api.CodeFingerprintNoMatch {
		return domain.FingerResult{TriesLeft: 2}, nil
	}
	return domain.FingerResult{Matched: err == nil, Identified: domain.Identified{Token: s.Token}}, err
}

func (c *centreLink) VerifyPassword(ctx context.Context, ref, pw string) (domain.CodeSent, error) {
	var ch api.SMSChallenge
	err := c.call(ctx, "POST", "/v1/identity/verifications/"+ref+"/password", "", api.PasswordRequest{Password: pw}, &ch)
	return domain.CodeSent{MaskedMobile: ch.SentTo}, err
}

func (c *centreLink) VerifyCode(ctx context.Context, ref, code string) (domain.Identified, error) {
	var s api.Session
	err := c.call(ctx, "POST", "/v1/identity/verifications/"+ref+"/sms/verify", "", api.SMSCodeRequest{Code: code}, &s)
	return domain.Identified{Token: s.Token}, err
}

func (c *centreLink) ResendCode(ctx context.Context, ref string) (domain.CodeSent, error) {
	return domain.CodeSent{}, fmt.Errorf("not used")
}
func (c *centreLink) RequestMobileCode(ctx context.Context, token, mobile string) (domain.CodeSent, error) {
	return domain.CodeSent{}, fmt.Errorf("not used")
}
func (c *centreLink) ResendMobileCode(ctx context.Context, token, mobile string) (domain.CodeSent, error) {
	return domain.CodeSent{}, fmt.Errorf("not used")
}
func (c *centreLink) RequestActivationCode(ctx context.Context, token, mobile string) (domain.CodeSent, error) {
	var ch api.MobileChallenge
	err := c.call(ctx, "POST", "/v1/services/activate_account/code", token, api.MobileChangeRequest{Mobile: mobile}, &ch)
	return domain.CodeSent{MaskedMobile: ch.SMS.SentTo}, err
}

func (c *centreLink) Subjects(ctx context.Context, token string) ([]domain.SubjectInfo, error) {
	var l api.DependentList
	err := c.call(ctx, "GET", "/v1/person/dependents", token, nil, &l)
	var out []domain.SubjectInfo
	for _, d := range l.Dependents {
		out = append(out, domain.SubjectInfo{ID: d.IDNumber, NameAR: d.NameAR, NameEN: d.NameEN, Relation: d.Relation})
	}
	return out, err
}

func (c *centreLink) Eligibility(ctx context.Context, token string, service domain.ServiceID, subject string, opts map[string]string) (domain.Eligibility, error) {
	var e api.Eligibility
	err := c.call(ctx, "POST", "/v1/services/"+string(service)+"/eligibility", token, api.EligibilityRequest{SubjectID: subject, Options: opts}, &e)
	return domain.Eligibility{Eligible: e.Eligible, Reasons: e.Reasons, FeeSAR: e.FeeSAR, Details: e.Details}, err
}

func (c *centreLink) Submit(ctx context.Context, t domain.Txn) (domain.Ack, error) {
	sub := api.ServiceSubmission{IdempotencyKey: t.Key, SubjectID: t.Fields["subject_id"], Options: map[string]string{}}
	for k, v := range t.Fields {
		if name, ok := strings.CutPrefix(k, "option."); ok {
			sub.Options[name] = v
		}
	}
	if m := t.Fields["mobile"]; m != "" {
		sub.Options["mobile"], sub.Code = m, t.Fields["code"]
	}
	if f := t.Fields["finger_record"]; f != "" {
		rec, err := base64.StdEncoding.DecodeString(f)
		if err != nil {
			return domain.Ack{}, err
		}
		sub.FingerRecord = rec
	}
	var out api.ServiceOutcome
	if err := c.call(ctx, "POST", "/v1/services/"+string(t.Kind)+"/submissions", t.Token, sub, &out); err != nil {
		return domain.Ack{}, err
	}
	if !out.Completed {
		return domain.Ack{}, &domain.Refusal{Code: domain.ProblemCode(out.Reasons[0])}
	}
	return domain.Ack{Done: true, Reference: out.Reference, Details: out.Details}, nil
}

// TestCatalogueThroughTheRealCentre walks every demo case of the catalogue
// services through the flow against the real centre over TLS: the edges
// (8 and 7 days before expiry, 3 and 4 days after, insurance a day short,
// passport valid 3 months less a day, fee unpaid) come out as the same
// named rules on the kiosk, and the eligible ones complete.
func TestCatalogueThroughTheRealCentre(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the centre with the demo population")
	}
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	srv := centretest.Start(t, central.Options{Clock: func() time.Time { return now }, Seed: 1, FixtureDir: t.TempDir()})
	link := &centreLink{t: t, url: srv.URL, client: &http.Client{Transport: &http.Transport{TLSClientConfig: centretest.TLS(t, srv)}, Timeout: 10 * time.Second}}

	walked := []domain.ServiceID{domain.VisaExtension, domain.ExitReentry, domain.LicenceRenewal, domain.ReportLostPassport}
	ppl, err := demo.Generate(1, now, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range demo.Cases(ppl) {
		svc := c.Service
		if !slices.Contains(walked, svc) || c.Password == "" {
			continue
		}
		n++
		if raceOn && n%4 != 1 {
			continue
		}
		t.Run(string(c.Service)+"/"+c.NameEN, func(t *testing.T) {
			r := newRig(t, noScanner, func(d *Deps, r *rig) {
				d.Centre, d.Catalogue, d.Submitter = link, link, link
				d.Menu = []ServiceItem{{ID: svc, Enabled: true}}
				keys := 0
				d.NewKey = func() string { keys++; return fmt.Sprintf("%s-%s-%d", t.Name(), c.ID, keys) }
			})
			lang := []string{"ar", "en"}[n%2]
			r.send(Start{}, ChooseLanguage{lang})
			r.typeIn(c.ID)
			r.send(ChooseService{svc})
			r.want(StepFallbackPassword)
			for _, ch := range c.Password {
				r.send(Key{ch})
			}
			r.send(SubmitEntry{})
			r.want(StepFallbackCode)
			msgs := srv.SMSSink.Messages()
			text := msgs[len(msgs)-1].Text
			i := strings.Index(text, "code is ")
			r.typeIn(text[i+8 : i+14])
			notMine := slices.Contains(c.WantReasons, "not_your_visitor") || slices.Contains(c.WantReasons, "not_your_dependent")
			if notMine {
				// The list offers only the person's own dependents and
				// visitors, which is how the kiosk refuses anyone else
				// (with nobody else to list it goes straight on for oneself).
				for _, s := range r.m.subjects() {
					if s.Relation != RelationSelf && (s.ID == c.SubjectID || c.SubjectID == "") {
						t.Fatalf("%s: %s offered", c.Story, s.Relation)
					}
				}
				return
			}
			if r.m.View().Step == StepSubject {
				idx := -1
				for i, s := range r.m.subjects() {
					if (c.SubjectID == "" && s.Relation == RelationSelf) || (c.SubjectID != "" && s.ID == c.SubjectID) {
						idx = i
					}
				}
				if idx < 0 {
					t.Fatalf("subject not listed for %s", c.Story)
				}
				r.send(ChooseSubject{idx})
			}
			if r.m.View().Step == StepOptions {
				for _, name := range []string{"visa_type", "months", "years"} {
					if v, ok := c.Options[name]; ok {
						r.send(ChooseOption{name, v})
					}
				}
				r.send(SubmitEntry{})
			}
			r.want(StepEligibility)
			v := r.m.View().Catalogue
			if v.Eligible != c.WantEligible || (!c.WantEligible && !reflect.DeepEqual(v.Reasons, c.WantReasons)) {
				t.Fatalf("%s: kiosk shows eligible=%v %v, want %v %v", c.Story, v.Eligible, v.Reasons, c.WantEligible, c.WantReasons)
			}
			r.send(SubmitEntry{})
			if !c.WantEligible {
				r.want(StepThankYou)
				return
			}
			r.want(StepResult)
			res := r.m.View()
			if !res.Done || !strings.HasPrefix(res.Reference, "S-") {
				t.Fatalf("result %+v", res)
			}
			switch c.Service {
			case "visa_extension", "licence_renewal":
				if res.Catalogue.Details["new_expiry"] == "" {
					t.Fatalf("no new expiry: %+v", res.Catalogue)
				}
			case "exit_reentry":
				if res.Catalogue.Details["visa"] == "" {
					t.Fatalf("no visa number: %+v", res.Catalogue)
				}
			}
		})
	}
	if n < 15 {
		t.Fatalf("only %d catalogue cases walked", n)
	}
}

// fingers presents synthetic impressions of enrolled fingers, one per
// capture, in the order given: the device stands in, the matcher is real.
type fingers struct{ seeds []int64 }

func (f *fingers) Usable() bool { return true }
func (f *fingers) Capture(ctx context.Context) (ScanImage, error) {
	if len(f.seeds) == 0 {
		return ScanImage{}, fmt.Errorf("no finger on the scanner")
	}
	seed := f.seeds[0]
	f.seeds = f.seeds[1:]
	// Another impression than the enrolled one: a different pressure and
	// placement, as at a real scanner.
	return ScanImage{Image: synth.NewFinger(seed).Capture(rand.New(rand.NewSource(seed + 1))), DPI: 500}, nil
}

func encodeFIR(img *image.Gray, dpi, pos int) ([]byte, error) {
	return fir.Encode(&fir.Record{FingerPosition: pos, ResolutionDPI: dpi, Quality: 80, Image: img})
}

// TestActivationThroughTheRealCentre activates the showcase account through
// the flow: fingerprint identification with the real matcher, a second
// finger, the new number's SMS code, and the temporary password by SMS.
func TestActivationThroughTheRealCentre(t *testing.T) {
	if testing.Short() {
		t.Skip("extracts fingerprint templates with the real matcher")
	}
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	srv := centretest.Start(t, central.Options{Clock: func() time.Time { return now }, Seed: 1, FixtureDir: t.TempDir()})
	link := &centreLink{t: t, url: srv.URL, client: &http.Client{Transport: &http.Transport{TLSClientConfig: centretest.TLS(t, srv)}, Timeout: 30 * time.Second}}
	ppl, err := demo.Generate(1, now, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var c demo.Case
	for _, k := range demo.Showcase(ppl) {
		if k.Service == domain.ActivateAbsher && k.WantEligible {
			c = k
		}
	}
	if c.ID == "" {
		t.Fatal("no showcase activation")
	}
	scan := &fingers{seeds: []int64{demo.FingerSeed(1, c.ID, RightIndex), demo.FingerSeed(1, c.ID, LeftIndex)}}
	r := newRig(t, func(d *Deps, r *rig) {
		d.Centre, d.Catalogue, d.Submitter, d.Scanner, d.EncodeRecord = link, link, link, scan, encodeFIR
		d.Menu = d.Services.Menu(api.DefaultConfig().Services)
		d.NewKey = func() string { return "activation-" + c.ID }
	})
	r.send(Start{}, ChooseLanguage{"ar"})
	r.typeIn(c.ID)
	r.send(ChooseService{"activate_absher"})
	r.want(StepFingerprint)
	r.send(Capture{})
	r.want(StepEligibility)
	if v := r.m.View().Catalogue; !v.Eligible {
		t.Fatalf("eligibility %+v", v)
	}
	r.send(SubmitEntry{})
	r.want(StepSecondFinger)
	r.send(Capture{})
	r.want(StepMobileEntry)
	const mobile = "+966512340016"
	r.typeIn("0512340016")
	r.want(StepMobileCode)
	m, ok := srv.SMSSink.Last(mobile)
	if !ok {
		t.Fatal("no activation code sent")
	}
	i := strings.Index(m.Text, "code is ")
	r.typeIn(m.Text[i+8 : i+14])
	r.want(StepResult)
	if v := r.m.View(); !v.Done || v.Catalogue.Details["mobile"] != pii.Mask(mobile) {
		t.Fatalf("result %+v %+v", v, v.Catalogue)
	}
	if m, _ := srv.SMSSink.Last(mobile); !strings.Contains(m.Text, "Temporary password") {
		t.Fatalf("last SMS %q", m.Text)
	}
	r.send(SubmitEntry{}, DeclineReceipt{})
	r.want(StepThankYou)
	r.wantWiped()
}
