package central

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/central/civil"
	"github.com/absher-kiosk/kiosk/central/demo"
	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// Test persons. IDs carry valid check digits.
var (
	idAli     = mustID("100000000") // citizen, fingers, password, mobile
	idSara    = mustID("200000001") // resident, no fingers, password
	idVisitor = mustID("200000002") // visitor hosted by Ali
	idNoAcct  = mustID("100000003") // fingers only
	password  = "Kiosk#1234"
	aliMobile = "+966500000001"
)

func mustID(p string) string {
	id, err := pii.WithCheckDigit(p)
	if err != nil {
		panic(err)
	}
	return id
}

func population(now time.Time) []people.Person {
	today := civil.Of(now)
	hash := demo.HashPassword(password, []byte("0123456789abcdef"))
	return []people.Person{
		{ID: idAli, Kind: people.Citizen, NameAR: "علي", NameEN: "Ali", Nationality: "SAU", Mobile: aliMobile, PasswordHash: hash, AbsherActive: true,
			Fingers: []people.Finger{{Position: people.RightIndex, Seed: 1}, {Position: people.LeftIndex, Seed: 2}}, InsideKingdom: true,
			Passport:  &people.Passport{Number: "A1", Issued: today.AddYears(-1), Expiry: today.AddYears(4)},
			Fines:     []people.Fine{{Number: "F1", Code: "SPD", Violation: "Speeding", AmountSAR: 300, Date: today.AddMonths(-1)}},
			Insurance: &people.Insurance{Provider: "Tawuniya", Policy: "P1", Start: today.AddYears(-1), End: today.AddYears(1)}},
		{ID: idSara, Kind: people.Resident, NameEN: "Sara", Nationality: "IND", Mobile: "+966500000002", PasswordHash: hash, AbsherActive: true, InsideKingdom: true},
		{ID: idVisitor, Kind: people.Visitor, NameEN: "Guest", Nationality: "EGY", HostID: idAli, InsideKingdom: true,
			Visas: []people.Visa{{Number: "V1", Kind: people.VisitVisa, Status: people.VisaIssued, Issued: today.AddMonths(-3), Expiry: today.AddDays(2)}}},
		{ID: idNoAcct, Kind: people.Citizen, NameEN: "Omar", Fingers: []people.Finger{{Position: people.RightIndex, Seed: 3}}},
	}
}

// fingers accepts the record "match" and refuses "nomatch"; anything else
// is a malformed record. The real matcher is tested in its own package.
type fingers struct{}

func (fingers) Verify(ctx context.Context, p people.Person, rec []byte) (float64, bool, error) {
	switch string(rec) {
	case "match":
		return 90, true, nil
	case "nomatch":
		return 3, false, nil
	}
	return 0, false, fmt.Errorf("decode: %w", ErrBadFingerRecord)
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func newClock() *clock               { return &clock{t: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)} }
func quiet() *slog.Logger            { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

type harness struct {
	t   *testing.T
	srv *Server
	clk *clock
}

func start(t testing.TB, dir string, clk *clock) *Server {
	t.Helper()
	s, err := Start(context.Background(), Options{StateDir: dir, Clock: clk.Now, Population: population(clk.Now()), Fingers: fingers{}, Logger: quiet(), OpsAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newHarness(t *testing.T) *harness {
	clk := newClock()
	s := start(t, t.TempDir(), clk)
	t.Cleanup(func() { s.Close() })
	return &harness{t: t, srv: s, clk: clk}
}

func (h *harness) client(cn string) *http.Client {
	var tc *tls.Config
	if cn == "" {
		pool, err := h.srv.PKI.CAPool()
		if err != nil {
			h.t.Fatal(err)
		}
		tc = &tls.Config{RootCAs: pool}
	} else {
		var err error
		if tc, err = h.srv.ClientTLS(cn); err != nil {
			h.t.Fatal(err)
		}
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: tc}, Timeout: 10 * time.Second}
}

type resp struct {
	status int
	body   []byte
	header http.Header
}

func (r resp) err() api.Error {
	var e api.ErrorResponse
	json.Unmarshal(r.body, &e)
	return e.Error
}

func (h *harness) do(cn, method, path, token string, body any, hdr ...string) resp {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, h.srv.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := h.client(cn).Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, b, res.Header}
}

func want(t *testing.T, r resp, status int, code string) {
	t.Helper()
	if r.status != status || (code != "" && r.err().Code != code) {
		t.Fatalf("got %d %s, want %d %s", r.status, r.body, status, code)
	}
}

func decode[T any](t *testing.T, r resp) T {
	t.Helper()
	v, err := api.Decode[T](r.body)
	if err != nil {
		t.Fatalf("response %s does not decode strictly: %v", r.body, err)
	}
	return *v
}

func (h *harness) verification(cn, id string) api.Verification {
	h.t.Helper()
	r := h.do(cn, "POST", "/v1/identity/verifications", "", api.StartVerificationRequest{IDNumber: id})
	want(h.t, r, 201, "")
	return decode[api.Verification](h.t, r)
}

func (h *harness) session(cn, id string) string {
	h.t.Helper()
	v := h.verification(cn, id)
	r := h.do(cn, "POST", "/v1/identity/verifications/"+v.ID+"/fingerprint", "", api.FingerprintRequest{Record: []byte("match")})
	want(h.t, r, 200, "")
	return decode[api.Session](h.t, r).Token
}

func (h *harness) lastCode(to string) string {
	h.t.Helper()
	m, ok := h.srv.SMSSink.Last(to)
	if !ok {
		h.t.Fatalf("no SMS to %s", pii.Mask(to))
	}
	i := strings.Index(m.Text, "code is ")
	return m.Text[i+8 : i+14]
}

func TestClientCertificateRequired(t *testing.T) {
	h := newHarness(t)
	want(t, h.do("", "POST", "/v1/identity/verifications", "", api.StartVerificationRequest{IDNumber: idAli}), 401, api.CodeClientCertRequired)
	want(t, h.do("", "GET", "/v1/kiosks/kiosk-001/config", "", nil), 401, api.CodeClientCertRequired)
	want(t, h.do("ops", "POST", "/v1/sync/events", "", `{"events":[]}`), 403, api.CodeForbidden)
	want(t, h.do("kiosk-001", "GET", "/v1/ops/kiosks", "", nil), 403, api.CodeForbidden)
	want(t, h.do("", "GET", "/v1/ops/kiosks", "", nil), 401, api.CodeClientCertRequired)
	want(t, h.do("kiosk-001", "GET", "/v1/nothing", "", nil), 404, api.CodeNotFound)
}

func TestStartVerificationRefusals(t *testing.T) {
	h := newHarness(t)
	bad := idAli[:9] + string('0'+(idAli[9]-'0'+1)%10)
	for _, tc := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"bad check digit", `{"id_number":"` + bad + `"}`, 422, api.CodeBadCheckDigit},
		{"bad format", `{"id_number":"3000000000"}`, 422, api.CodeBadIDFormat},
		{"unknown", `{"id_number":"` + mustID("199999999") + `"}`, 404, api.CodeUnknownPerson},
		{"malformed", `{"id_number":`, 400, api.CodeMalformedJSON},
		{"unknown field", `{"id":"1"}`, 400, api.CodeMalformedJSON},
		{"over-long body", `{"id_number":"` + strings.Repeat("1", api.MaxBodyBytes) + `"}`, 413, api.CodeBodyTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want(t, h.do("kiosk-001", "POST", "/v1/identity/verifications", "", tc.body), tc.status, tc.code)
		})
	}
	arabic := strings.Map(func(r rune) rune { return '٠' + (r - '0') }, idAli)
	v := h.verification("kiosk-001", arabic)
	if v.IDMasked != pii.Mask(idAli) || len(v.Methods) != 2 || v.FingerPositions[0] != people.RightIndex {
		t.Fatalf("verification %+v", v)
	}
}

func TestFingerprintLimitAndLock(t *testing.T) {
	h := newHarness(t)
	v := h.verification("kiosk-001", idAli)
	path := "/v1/identity/verifications/" + v.ID + "/fingerprint"
	want(t, h.do("kiosk-002", "POST", path, "", api.FingerprintRequest{Record: []byte("match")}), 404, api.CodeVerificationUnknown)
	want(t, h.do("kiosk-001", "POST", path, "", api.FingerprintRequest{Record: []byte("garbage")}), 422, api.CodeBadFingerRecord)
	for left := 2; left >= 1; left-- {
		r := h.do("kiosk-001", "POST", path, "", api.FingerprintRequest{Record: []byte("nomatch")})
		want(t, r, 401, api.CodeFingerprintNoMatch)
		if *r.err().TriesLeft != left {
			t.Fatalf("tries left %d, want %d", *r.err().TriesLeft, left)
		}
	}
	r := h.do("kiosk-001", "POST", path, "", api.FingerprintRequest{Record: []byte("nomatch")})
	want(t, r, 423, api.CodeFingerprintLocked)
	if e := r.err(); e.LockedUntil == nil || !e.LockedUntil.Equal(h.clk.Now().Add(LockDuration)) || e.RetryAfterSeconds != 900 {
		t.Fatalf("lock %+v", e)
	}
	// The lock is on the person, not the verification.
	want(t, h.do("kiosk-002", "POST", "/v1/identity/verifications", "", api.StartVerificationRequest{IDNumber: idAli}), 423, api.CodeFingerprintLocked)
	h.clk.Add(LockDuration)
	h.session("kiosk-002", idAli)
}

func TestPasswordAndSMSFallback(t *testing.T) {
	h := newHarness(t)
	v := h.verification("kiosk-001", idSara)
	if len(v.Methods) != 1 || v.Methods[0] != api.MethodPassword {
		t.Fatalf("methods %v", v.Methods)
	}
	base := "/v1/identity/verifications/" + v.ID
	want(t, h.do("kiosk-001", "POST", base+"/fingerprint", "", api.FingerprintRequest{Record: []byte("match")}), 409, api.CodeNoFingerprint)
	want(t, h.do("kiosk-001", "POST", base+"/sms/verify", "", api.SMSCodeRequest{Code: "000000"}), 409, api.CodeSMSNotSent)
	want(t, h.do("kiosk-001", "POST", base+"/password", "", api.PasswordRequest{Password: "nope"}), 401, api.CodeWrongPassword)
	r := h.do("kiosk-001", "POST", base+"/password", "", api.PasswordRequest{Password: password})
	want(t, r, 200, "")
	ch := decode[api.SMSChallenge](t, r)
	if ch.SentTo != pii.Mask("+966500000002") || ch.SendsLeft != 2 || !ch.ExpiresAt.Equal(h.clk.Now().Add(SMSCodeTTL)) {
		t.Fatalf("challenge %+v", ch)
	}
	want(t, h.do("kiosk-001", "POST", base+"/sms/resend", "", nil), 429, api.CodeSMSResendTooSoon)
	code := h.lastCode("+966500000002")
	wrong := fmt.Sprintf("%06d", (atoi(code)+1)%1000000)
	want(t, h.do("kiosk-001", "POST", base+"/sms/verify", "", api.SMSCodeRequest{Code: wrong}), 401, api.CodeWrongSMSCode)
	want(t, h.do("kiosk-001", "POST", base+"/sms/verify", "", api.SMSCodeRequest{Code: wrong}), 401, api.CodeWrongSMSCode)
	want(t, h.do("kiosk-001", "POST", base+"/sms/verify", "", api.SMSCodeRequest{Code: wrong}), 429, api.CodeSMSAttemptsExceeded)
	want(t, h.do("kiosk-001", "POST", base+"/sms/verify", "", api.SMSCodeRequest{Code: code}), 429, api.CodeSMSAttemptsExceeded)
	h.clk.Add(SMSResendAfter)
	want(t, h.do("kiosk-001", "POST", base+"/sms/resend", "", nil), 200, "")
	code = h.lastCode("+966500000002")
	h.clk.Add(SMSCodeTTL)
	want(t, h.do("kiosk-001", "POST", base+"/sms/verify", "", api.SMSCodeRequest{Code: code}), 410, api.CodeSMSCodeExpired)
	want(t, h.do("kiosk-001", "POST", base+"/sms/resend", "", nil), 200, "")
	h.clk.Add(SMSResendAfter)
	want(t, h.do("kiosk-001", "POST", base+"/sms/resend", "", nil), 429, api.CodeSMSSendsExceeded)
	code = h.lastCode("+966500000002")
	r = h.do("kiosk-001", "POST", base+"/sms/verify", "", api.SMSCodeRequest{Code: code})
	want(t, r, 200, "")
	if s := decode[api.Session](t, r); s.Method != api.MethodPassword || s.Token == "" {
		t.Fatalf("session %+v", s)
	}
	want(t, h.do("kiosk-001", "POST", base+"/sms/verify", "", api.SMSCodeRequest{Code: code}), 409, api.CodeVerificationDone)
}

func atoi(s string) int { n := 0; fmt.Sscan(s, &n); return n }

func TestPasswordLock(t *testing.T) {
	h := newHarness(t)
	v := h.verification("kiosk-001", idSara)
	base := "/v1/identity/verifications/" + v.ID
	h.do("kiosk-001", "POST", base+"/password", "", api.PasswordRequest{Password: "a"})
	h.do("kiosk-001", "POST", base+"/password", "", api.PasswordRequest{Password: "b"})
	want(t, h.do("kiosk-001", "POST", base+"/password", "", api.PasswordRequest{Password: "c"}), 423, api.CodePasswordLocked)
	v = h.verification("kiosk-001", idNoAcct)
	want(t, h.do("kiosk-001", "POST", "/v1/identity/verifications/"+v.ID+"/password", "", api.PasswordRequest{Password: "x"}), 409, api.CodeNoAbsherAccount)
}

func TestVerificationExpires(t *testing.T) {
	h := newHarness(t)
	v := h.verification("kiosk-001", idAli)
	h.clk.Add(VerificationTTL)
	want(t, h.do("kiosk-001", "POST", "/v1/identity/verifications/"+v.ID+"/fingerprint", "", api.FingerprintRequest{Record: []byte("match")}), 410, api.CodeVerificationExpired)
}

func TestPersonEndpointsAndSession(t *testing.T) {
	h := newHarness(t)
	tok := h.session("kiosk-001", idAli)
	p := decode[api.Profile](t, h.do("kiosk-001", "GET", "/v1/person", tok, nil))
	if p.IDNumber != idAli || p.NameEN != "Ali" || p.MobileMasked != pii.Mask(aliMobile) {
		t.Fatalf("profile %+v", p)
	}
	docs := decode[api.DocumentList](t, h.do("kiosk-001", "GET", "/v1/person/documents", tok, nil))
	if len(docs.Documents) != 1 || docs.Documents[0].Kind != api.DocTrafficStatement || len(docs.Documents[0].VerifyCode) != 12 || !strings.HasSuffix(docs.Documents[0].VerifyURL, docs.Documents[0].VerifyCode) {
		t.Fatalf("documents %+v", docs)
	}
	page := h.do("", "GET", "/verify/"+docs.Documents[0].VerifyCode, "", nil)
	if page.status != 200 || !strings.Contains(string(page.body), "genuine") || !strings.Contains(string(page.body), pii.Mask(idAli)) || strings.Contains(string(page.body), idAli) {
		t.Fatalf("verify page: %d %s", page.status, page.body)
	}
	if page := h.do("", "GET", "/verify/NOPE", "", nil); page.status != 404 {
		t.Fatalf("unknown code: %d", page.status)
	}
	deps := decode[api.DependentList](t, h.do("kiosk-001", "GET", "/v1/person/dependents", tok, nil))
	if len(deps.Dependents) != 1 || deps.Dependents[0].IDNumber != idVisitor || deps.Dependents[0].Relation != "visitor" {
		t.Fatalf("dependents %+v", deps)
	}
	if pp := decode[api.Passport](t, h.do("kiosk-001", "GET", "/v1/person/passport", tok, nil)); !pp.Valid || pp.Number != "A1" {
		t.Fatalf("passport %+v", pp)
	}
	if f := decode[api.FineList](t, h.do("kiosk-001", "GET", "/v1/person/fines", tok, nil)); f.UnpaidSAR != 300 || f.UnpaidCount != 1 {
		t.Fatalf("fines %+v", f)
	}
	if i := decode[api.Insurance](t, h.do("kiosk-001", "GET", "/v1/person/insurance", tok, nil)); !i.Active {
		t.Fatalf("insurance %+v", i)
	}
	if v := decode[api.VisaList](t, h.do("kiosk-001", "GET", "/v1/person/visas", tok, nil)); len(v.Visas) != 0 {
		t.Fatalf("visas %+v", v)
	}
	// Refusals: no token, another kiosk, expiry (sliding).
	want(t, h.do("kiosk-001", "GET", "/v1/person", "", nil), 401, api.CodeSessionRequired)
	want(t, h.do("kiosk-002", "GET", "/v1/person", tok, nil), 401, api.CodeSessionExpired)
	h.clk.Add(SessionTTL - time.Second)
	want(t, h.do("kiosk-001", "GET", "/v1/person", tok, nil), 200, "")
	h.clk.Add(SessionTTL - time.Second)
	want(t, h.do("kiosk-001", "GET", "/v1/person", tok, nil), 200, "")
	h.clk.Add(SessionTTL)
	want(t, h.do("kiosk-001", "GET", "/v1/person", tok, nil), 401, api.CodeSessionExpired)
	sara := h.sessionByPassword("kiosk-001", idSara)
	want(t, h.do("kiosk-001", "GET", "/v1/person/passport", sara, nil), 404, api.CodeNotFound)
}

func (h *harness) sessionByPassword(cn, id string) string {
	v := h.verification(cn, id)
	base := "/v1/identity/verifications/" + v.ID
	want(h.t, h.do(cn, "POST", base+"/password", "", api.PasswordRequest{Password: password}), 200, "")
	p, _ := h.srv.person(id)
	r := h.do(cn, "POST", base+"/sms/verify", "", api.SMSCodeRequest{Code: h.lastCode(p.Mobile)})
	want(h.t, r, 200, "")
	return decode[api.Session](h.t, r).Token
}

func TestEligibility(t *testing.T) {
	h := newHarness(t)
	tok := h.session("kiosk-001", idAli)
	r := h.do("kiosk-001", "POST", "/v1/services/visa_extension/eligibility", tok, api.EligibilityRequest{SubjectID: idVisitor})
	want(t, r, 200, "")
	e := decode[api.Eligibility](t, r)
	if e.Eligible || len(e.Reasons) == 0 {
		t.Fatalf("visitor without insurance and with host fines should not be eligible: %+v", e)
	}
	want(t, h.do("kiosk-001", "POST", "/v1/services/teleport/eligibility", tok, api.EligibilityRequest{}), 404, api.CodeUnknownService)
	want(t, h.do("kiosk-001", "POST", "/v1/services/visa_extension/eligibility", tok, api.EligibilityRequest{SubjectID: idSara}), 403, api.CodeNotDependent)
	want(t, h.do("kiosk-001", "POST", "/v1/services/visa_extension/eligibility", tok, `{"subject_id":`), 400, api.CodeMalformedJSON)
	r = h.do("kiosk-001", "POST", "/v1/services/update_mobile/eligibility", tok, api.EligibilityRequest{})
	want(t, r, 200, "")
}

func event(key string, kind api.EventKind, at time.Time, payload any) api.Event {
	b, _ := json.Marshal(payload)
	return api.Event{IdempotencyKey: key, Kind: kind, CreatedAt: at, Payload: b}
}

func TestMobileUpdateExactlyOnceAndSurvivesRestart(t *testing.T) {
	clk := newClock()
	dir := t.TempDir()
	s := start(t, dir, clk)
	h := &harness{t: t, srv: s, clk: clk}
	tok := h.session("kiosk-001", idAli)
	want(t, h.do("kiosk-001", "POST", "/v1/services/update_mobile/code", tok, api.MobileChangeRequest{Mobile: "0412345678"}), 422, api.CodeBadMobile)
	r := h.do("kiosk-001", "POST", "/v1/services/update_mobile/code", tok, api.MobileChangeRequest{Mobile: "٠٥٥٥١٢٣٤٥٦"})
	want(t, r, 200, "")
	mc := decode[api.MobileChallenge](t, r)
	if mc.Mobile != "+966555123456" {
		t.Fatalf("challenge %+v", mc)
	}
	want(t, h.do("kiosk-001", "POST", "/v1/services/update_mobile/confirm", tok, api.MobileConfirmRequest{ChallengeID: mc.ChallengeID, Code: "12345"}), 401, api.CodeWrongSMSCode)
	want(t, h.do("kiosk-001", "POST", "/v1/services/update_mobile/confirm", tok, api.MobileConfirmRequest{ChallengeID: "unknown", Code: "123456"}), 404, api.CodeNotFound)
	want(t, h.do("kiosk-002", "POST", "/v1/services/update_mobile/code", tok, api.MobileChangeRequest{Mobile: "0555123456"}), 401, api.CodeSessionExpired)
	want(t, h.do("kiosk-001", "POST", "/v1/services/update_mobile/code", tok, api.MobileChangeRequest{Mobile: "0555123456"}), 429, api.CodeSMSResendTooSoon)
	r = h.do("kiosk-001", "POST", "/v1/services/update_mobile/confirm", tok, api.MobileConfirmRequest{ChallengeID: mc.ChallengeID, Code: h.lastCode("+966555123456")})
	want(t, r, 200, "")
	g := decode[api.MobileGrant](t, r)
	key := "6f1c2f0e-8d0b-4b8e-9a43-3c1f0d7a9b10"
	ev := event(key, api.EventMobileUpdated, clk.Now(), api.MobileUpdated{Grant: g.Grant, Mobile: g.Mobile, Reference: "K-1"})
	other := event("7f1c2f0e-8d0b-4b8e-9a43-3c1f0d7a9b10", api.EventMobileUpdated, clk.Now(), api.MobileUpdated{Grant: g.Grant, Mobile: g.Mobile, Reference: "K-2"})
	// Another kiosk cannot spend this kiosk's grant.
	res := decode[api.EventBatchResponse](t, h.do("kiosk-002", "POST", "/v1/sync/events", "", api.EventBatch{Events: []api.Event{other}}))
	if res.Results[0].Status != api.ItemRejected || res.Results[0].Code != "bad_grant" {
		t.Fatalf("foreign grant: %+v", res)
	}
	for i, wantStatus := range []api.ItemStatus{api.ItemStored, api.ItemDuplicate} {
		res := decode[api.EventBatchResponse](t, h.do("kiosk-001", "POST", "/v1/sync/events", "", api.EventBatch{Events: []api.Event{ev}}))
		if res.Results[0].Status != wantStatus {
			t.Fatalf("delivery %d: %+v", i, res)
		}
	}
	if p, _ := s.person(idAli); p.Mobile != "+966555123456" {
		t.Fatalf("mobile not updated: %s", pii.Mask(p.Mobile))
	}
	if n, _ := s.Store.CountEvents(context.Background(), "kiosk-001", string(api.EventMobileUpdated)); n != 1 {
		t.Fatalf("%d mobile events stored", n)
	}
	s.Close()
	s2 := start(t, dir, clk)
	defer s2.Close()
	if p, _ := s2.person(idAli); p.Mobile != "+966555123456" {
		t.Fatal("mobile change lost on restart")
	}
	h.srv = s2
	res = decode[api.EventBatchResponse](t, h.do("kiosk-001", "POST", "/v1/sync/events", "", api.EventBatch{Events: []api.Event{ev}}))
	if res.Results[0].Status != api.ItemDuplicate {
		t.Fatalf("replay after restart: %+v", res)
	}
	clk.Add(GrantTTL)
	// A kiosk offline past the grant's life re-sends an event the centre
	// already stored: it was delivered, so it is a duplicate, not
	// grant_expired (which would make the kiosk park it).
	res = decode[api.EventBatchResponse](t, h.do("kiosk-001", "POST", "/v1/sync/events", "", api.EventBatch{Events: []api.Event{ev}}))
	if r := res.Results[0]; r.Status != api.ItemDuplicate || r.HTTPStatus != 200 {
		t.Fatalf("replay after the grant expired: %+v", res)
	}
	changedRef := event(key, api.EventMobileUpdated, clk.Now(), api.MobileUpdated{Grant: g.Grant, Mobile: g.Mobile, Reference: "K-9"})
	res = decode[api.EventBatchResponse](t, h.do("kiosk-001", "POST", "/v1/sync/events", "", api.EventBatch{Events: []api.Event{changedRef}}))
	if r := res.Results[0]; r.Status != api.ItemConflict || r.Code != "idempotency_conflict" {
		t.Fatalf("same key, other payload, after the grant expired: %+v", res)
	}
	late := event("8f1c2f0e-8d0b-4b8e-9a43-3c1f0d7a9b10", api.EventMobileUpdated, clk.Now(), api.MobileUpdated{Grant: g.Grant, Mobile: g.Mobile})
	res = decode[api.EventBatchResponse](t, h.do("kiosk-001", "POST", "/v1/sync/events", "", api.EventBatch{Events: []api.Event{late}}))
	if res.Results[0].Code != "grant_expired" {
		t.Fatalf("expired grant: %+v", res)
	}
}

func TestIngestPerItem(t *testing.T) {
	h := newHarness(t)
	at := h.clk.Now()
	hb := event("11111111-1111-4111-8111-111111111111", api.EventHeartbeat, at, api.Heartbeat{Version: "1.2.3", QueueDepth: 4, OldestQueuedAgeSeconds: 30, PrinterPaper: api.PaperLow, PrinterState: api.DeviceOnline, ScannerState: api.DeviceOnline, OutOfService: true})
	audit := event("22222222-2222-4222-8222-222222222222", api.EventAudit, at, api.Audit{Action: "login", Outcome: "ok"})
	changed := event("22222222-2222-4222-8222-222222222222", api.EventAudit, at, api.Audit{Action: "login", Outcome: "failed"})
	badKey := event("nope", api.EventAudit, at, api.Audit{Action: "a"})
	batch := api.EventBatch{Events: []api.Event{hb, audit, badKey}}
	first := h.do("kiosk-001", "POST", "/v1/sync/events", "", batch)
	want(t, first, 200, "")
	res := decode[api.EventBatchResponse](t, first)
	got := []api.ItemStatus{res.Results[0].Status, res.Results[1].Status, res.Results[2].Status}
	if fmt.Sprint(got) != "[stored stored rejected]" || res.Results[2].HTTPStatus != 422 {
		t.Fatalf("first: %+v", res)
	}
	// Same batch again: one effect, and whitespace does not make a conflict.
	audit.Payload = []byte(` { "action" : "login", "outcome":"ok" } `)
	res = decode[api.EventBatchResponse](t, h.do("kiosk-001", "POST", "/v1/sync/events", "", api.EventBatch{Events: []api.Event{hb, audit, changed}}))
	if res.Results[0].Status != api.ItemDuplicate || res.Results[1].Status != api.ItemDuplicate || res.Results[2].Status != api.ItemConflict || res.Results[2].HTTPStatus != 409 {
		t.Fatalf("replay: %+v", res)
	}
	if n, _ := h.srv.Store.CountEvents(context.Background(), "kiosk-001", ""); n != 2 {
		t.Fatalf("%d events stored", n)
	}
	// The same key from another kiosk is another event.
	res = decode[api.EventBatchResponse](t, h.do("kiosk-002", "POST", "/v1/sync/events", "", api.EventBatch{Events: []api.Event{audit}}))
	if res.Results[0].Status != api.ItemStored {
		t.Fatalf("other kiosk: %+v", res)
	}
	want(t, h.do("kiosk-001", "POST", "/v1/sync/events", "", `{"events":[`), 400, api.CodeMalformedJSON)
	many := api.EventBatch{Events: make([]api.Event, api.MaxBatchEvents+1)}
	for i := range many.Events {
		many.Events[i] = event(fmt.Sprintf("33333333-3333-4333-8333-%012d", i), api.EventAudit, at, api.Audit{Action: "a"})
	}
	want(t, h.do("kiosk-001", "POST", "/v1/sync/events", "", many), 413, api.CodeBatchTooLarge)
	want(t, h.do("kiosk-001", "POST", "/v1/sync/events", "", `{"events":[{"payload":"`+strings.Repeat("x", api.MaxBodyBytes)+`"}]}`), 413, api.CodeBodyTooLarge)
	// The fleet table shows the heartbeat.
	r := h.do("ops", "GET", "/v1/ops/kiosks", "", nil)
	want(t, r, 200, "")
	fleet := decode[api.KioskList](t, r)
	var k1 *api.KioskStatus
	for i := range fleet.Kiosks {
		if fleet.Kiosks[i].ID == "kiosk-001" {
			k1 = &fleet.Kiosks[i]
		}
	}
	if k1 == nil || k1.Heartbeat == nil || k1.Heartbeat.QueueDepth != 4 || !k1.Heartbeat.OutOfService || !k1.LastSeen.Equal(at) {
		t.Fatalf("fleet %+v", fleet)
	}
	page := getOps(t, h.srv.OpsURL)
	for _, s := range []string{"kiosk-001", "1.2.3", "out of service", "low", "kiosk-003"} {
		if !strings.Contains(page, s) {
			t.Errorf("ops page lacks %q", s)
		}
	}
}

func getOps(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("ops page: %d %s", res.StatusCode, b)
	}
	return string(b)
}

func TestConfigETagAndLongPoll(t *testing.T) {
	h := newHarness(t)
	r := h.do("kiosk-001", "GET", "/v1/kiosks/kiosk-001/config", "", nil)
	want(t, r, 200, "")
	cfg, err := api.DecodeConfig(r.body)
	if err != nil || cfg.Timeouts.IdleSeconds != 45 {
		t.Fatalf("default config: %+v %v", cfg, err)
	}
	etag := r.header.Get("ETag")
	want(t, h.do("kiosk-001", "GET", "/v1/kiosks/kiosk-001/config", "", nil, "If-None-Match", etag), 304, "")
	want(t, h.do("kiosk-001", "GET", "/v1/kiosks/kiosk-002/config", "", nil), 403, api.CodeForbidden)
	want(t, h.do("kiosk-001", "GET", "/v1/kiosks/kiosk-001/config?wait=x", "", nil), 400, api.CodeBadRequest)
	cfg.Timeouts.IdleSeconds = 60
	cfg.Announcements = []api.Announcement{{Text: api.Text{AR: "مرحبا", EN: "Welcome"}}}
	done := make(chan resp)
	go func() {
		done <- h.do("kiosk-001", "GET", "/v1/kiosks/kiosk-001/config?wait=30", "", nil, "If-None-Match", etag)
	}()
	// The long-poll returns when ops change the config; the wait ends it
	// early, so this does not depend on timing beyond the 30 s bound.
	waitForWatcher(t, h.srv, "kiosk-001")
	want(t, h.do("kiosk-001", "PUT", "/v1/ops/kiosks/kiosk-001/config", "", api.ConfigUpdate{Config: *cfg}), 403, api.CodeForbidden)
	want(t, h.do("ops", "PUT", "/v1/ops/kiosks/kiosk-001/config", "", api.ConfigUpdate{Config: api.Config{}}), 422, api.CodeBadRequest)
	want(t, h.do("ops", "PUT", "/v1/ops/kiosks/kiosk-001/config", "", api.ConfigUpdate{Config: *cfg}), 204, "")
	r = <-done
	want(t, r, 200, "")
	if got, _ := api.DecodeConfig(r.body); got.Timeouts.IdleSeconds != 60 || r.header.Get("ETag") == etag {
		t.Fatalf("long-poll answer %s etag %s", r.body, r.header.Get("ETag"))
	}
}

func waitForWatcher(t *testing.T, s *Server, kiosk string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		_, ok := s.watch[kiosk]
		s.mu.Unlock()
		if ok {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("the long-poll never started waiting")
}

func TestCommandsSignedAndOrdered(t *testing.T) {
	h := newHarness(t)
	want(t, h.do("ops", "POST", "/v1/ops/kiosks/kiosk-001/commands", "", api.NewCommandRequest{Kind: "format_disk"}), 422, api.CodeUnknownCommandKind)
	want(t, h.do("kiosk-001", "POST", "/v1/ops/kiosks/kiosk-001/commands", "", api.NewCommandRequest{Kind: api.CmdRestart}), 403, api.CodeForbidden)
	for _, k := range []api.CommandKind{api.CmdOutOfService, api.CmdPrintTestPage, api.CmdInService} {
		want(t, h.do("ops", "POST", "/v1/ops/kiosks/kiosk-001/commands", "", api.NewCommandRequest{Kind: k, Args: map[string]string{"reason": "test"}, TTLSeconds: 600}), 201, "")
	}
	r := h.do("kiosk-001", "GET", "/v1/kiosks/kiosk-001/commands?after=1", "", nil)
	want(t, r, 200, "")
	cl, err := api.DecodeCommandList(r.body)
	if err != nil || len(cl.Commands) != 2 || cl.LastSeq != 3 {
		t.Fatalf("commands %s %v", r.body, err)
	}
	last := int64(1)
	for _, c := range cl.Commands {
		if err := api.VerifyCommand(h.srv.Pub, &c, "kiosk-001", h.clk.Now(), last); err != nil {
			t.Fatalf("command %d does not verify: %v", c.Seq, err)
		}
		last = c.Seq
	}
	if err := api.VerifyCommand(h.srv.Pub, &cl.Commands[0], "kiosk-001", h.clk.Now().Add(10*time.Minute), 1); err == nil {
		t.Fatal("an expired command verified")
	}
	want(t, h.do("kiosk-002", "GET", "/v1/kiosks/kiosk-001/commands", "", nil), 403, api.CodeForbidden)
	want(t, h.do("kiosk-001", "GET", "/v1/kiosks/kiosk-001/commands?after=-1", "", nil), 400, api.CodeBadRequest)
	empty := decode[api.CommandList](t, h.do("kiosk-002", "GET", "/v1/kiosks/kiosk-002/commands", "", nil))
	if len(empty.Commands) != 0 {
		t.Fatalf("kiosk-002 sees %+v", empty)
	}
	done := make(chan resp)
	go func() { done <- h.do("kiosk-002", "GET", "/v1/kiosks/kiosk-002/commands?after=0&wait=30", "", nil) }()
	waitForWatcher(t, h.srv, "kiosk-002")
	if _, err := h.srv.QueueCommand(context.Background(), "kiosk-002", api.NewCommandRequest{Kind: api.CmdForceSync}); err != nil {
		t.Fatal(err)
	}
	r = <-done
	if cl := decode[api.CommandList](t, r); len(cl.Commands) != 1 || cl.Commands[0].Kind != api.CmdForceSync {
		t.Fatalf("long-poll commands %s", r.body)
	}
}

func TestOpsConsoleAndSMS(t *testing.T) {
	h := newHarness(t)
	h.sessionByPassword("kiosk-001", idSara)
	sms := decode[api.SMSList](t, h.do("ops", "GET", "/v1/ops/sms", "", nil))
	if len(sms.Messages) != 1 || sms.Messages[0].Kiosk != "kiosk-001" {
		t.Fatalf("sms %+v", sms)
	}
	res, err := http.PostForm(strings.TrimSuffix(h.srv.OpsURL, "/ops/")+"/ops/command", map[string][]string{"kiosk": {"kiosk-003"}, "kind": {"print_test_page"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(b), "queued print_test_page for kiosk-003") {
		t.Fatalf("command form: %d %s", res.StatusCode, b)
	}
	page := getOps(t, h.srv.OpsURL)
	if !strings.Contains(page, pii.Mask("+966500000002")) || strings.Contains(page, "+966500000002") {
		t.Fatal("ops page must show the SMS sink with masked numbers")
	}
	if _, err := Start(context.Background(), Options{StateDir: t.TempDir(), Population: population(h.clk.Now()), OpsAddr: "0.0.0.0:0", Logger: quiet()}); err == nil {
		t.Fatal("an ops console on a non-loopback address was allowed")
	}
}

func TestExpiredStateIsDropped(t *testing.T) {
	h := newHarness(t)
	h.session("kiosk-001", idAli)
	h.verification("kiosk-001", idNoAcct)
	h.clk.Add(SessionMax)
	h.verification("kiosk-001", idNoAcct)
	h.srv.mu.Lock()
	defer h.srv.mu.Unlock()
	if len(h.srv.sessions) != 0 || len(h.srv.verifs) != 1 {
		t.Fatalf("%d sessions and %d verifications kept after expiry", len(h.srv.sessions), len(h.srv.verifs))
	}
}

// TestDemoPopulation runs the centre as cmd/central does, with the demo
// population, and signs in a demo resident with the fallback.
func TestDemoPopulation(t *testing.T) {
	clk := newClock()
	s, err := Start(context.Background(), Options{StateDir: t.TempDir(), Clock: clk.Now, Seed: 1, Logger: quiet(), FixtureDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if len(s.persons) < 1000 {
		t.Fatalf("demo population has %d persons", len(s.persons))
	}
	ids := make([]string, 0, len(s.persons))
	for pid := range s.persons {
		ids = append(ids, pid)
	}
	sort.Strings(ids)
	var id string
	for _, pid := range ids {
		p := s.persons[pid]
		if ok, _ := demo.VerifyPassword(p.PasswordHash, demo.PopulationPassword(pid)); ok && p.AbsherActive && p.Mobile != "" && p.Kind == people.Resident {
			id = pid
			break
		}
	}
	if id == "" {
		t.Fatal("no demo resident with an Absher account")
	}
	h := &harness{t: t, srv: s, clk: clk}
	v := h.verification("kiosk-001", id)
	base := "/v1/identity/verifications/" + v.ID
	want(t, h.do("kiosk-001", "POST", base+"/password", "", api.PasswordRequest{Password: demo.PopulationPassword(id)}), 200, "")
	p, _ := s.person(id)
	want(t, h.do("kiosk-001", "POST", base+"/sms/verify", "", api.SMSCodeRequest{Code: h.lastCode(p.Mobile)}), 200, "")
}

func TestCloseEndsLongPolls(t *testing.T) {
	clk := newClock()
	s := start(t, t.TempDir(), clk)
	h := &harness{t: t, srv: s, clk: clk}
	c := h.client("kiosk-001")
	done := make(chan error)
	go func() {
		res, err := c.Get(s.URL + "/v1/kiosks/kiosk-001/commands?wait=60")
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	waitForWatcher(t, s, "kiosk-001")
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a long-poll outlived Close")
	}
	<-closed
}
