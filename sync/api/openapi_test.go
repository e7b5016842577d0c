package api

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
)

func loadDoc(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPI)
	if err != nil {
		t.Fatalf("openapi.yaml does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is not valid OpenAPI: %v", err)
	}
	return doc
}

// examples are filled payloads of every wire type, keyed by schema name.
func examples() map[string]any {
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	left := 2
	_, priv, _ := ed25519.GenerateKey(nil)
	cmd := Command{ID: "c1", Kiosk: "kiosk-001", Seq: 1, IssuedAt: at, Expiry: at.Add(time.Hour), Kind: CmdOutOfService, Args: map[string]string{"reason": "paper"}}
	cmd.Sign(priv)
	hb := Heartbeat{Version: "1.0.0", UptimeSeconds: 60, QueueDepth: 2, OldestQueuedAgeSeconds: 9, ParkedCount: 1, OutOfService: true, OutOfServiceReason: "paper",
		PrinterPaper: PaperLow, PrinterState: DeviceOnline, ScannerState: DeviceNoDevice, ConfigETag: `"ab"`, LastCommandSeq: 3,
		Devices: []DeviceStatus{{Name: "printer", Class: "printer", State: DeviceOnline, Detail: map[string]string{"paper": "low"}}}}
	cfg := DefaultConfig()
	cfg.TechnicianPINHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"
	cfg.Announcements = []Announcement{{Text: Text{AR: "مرحبا", EN: "Welcome"}, From: &at, Until: &at}}
	sms := SMSChallenge{SentTo: "*********5678", ExpiresAt: at, ResendAfter: at, SendsLeft: 2}
	mk := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	return map[string]any{
		"ErrorResponse":            ErrorResponse{Error: Error{Code: CodeFingerprintLocked, Message: "locked", TriesLeft: &left, LockedUntil: &at, RetryAfterSeconds: 900}},
		"StartVerificationRequest": StartVerificationRequest{IDNumber: "1000000008"},
		"Verification":             Verification{ID: "v", IDMasked: "******0008", Methods: []string{MethodFingerprint, MethodPassword}, FingerPositions: []int{2, 7}, FingerTriesLeft: 3, ExpiresAt: at},
		"FingerprintRequest":       FingerprintRequest{Record: []byte("FIR\x00")},
		"PasswordRequest":          PasswordRequest{Password: "x"},
		"SMSChallenge":             sms,
		"SMSCodeRequest":           SMSCodeRequest{Code: "123456"},
		"Session":                  Session{Token: "t", ExpiresAt: at, IDMasked: "******0008", Method: MethodFingerprint},
		"Profile":                  Profile{IDNumber: "1000000008", Kind: "citizen", NameAR: "علي", NameEN: "Ali", BirthDate: "1990-01-01", Nationality: "SAU", MobileMasked: "*********5678", AbsherActive: true, Dependents: 1, AsOf: at},
		"DocumentList":             DocumentList{Documents: []Document{{ID: "d", Kind: DocTrafficStatement, TitleAR: "بيان", TitleEN: "Statement", Lines: []DocumentLine{{LabelAR: "a", LabelEN: "b", Value: "c"}}, VerifyCode: "ABC", VerifyURL: "https://x/verify/ABC", IssuedAt: at}}},
		"DependentList":            DependentList{Dependents: []Dependent{{IDNumber: "2000000006", Kind: "visitor", NameAR: "ض", NameEN: "G", Relation: "visitor"}}},
		"VisaList":                 VisaList{Visas: []Visa{{Number: "V", Kind: "visit", Status: "issued", Issued: "2026-01-01", Expiry: "2026-04-01"}}},
		"Passport":                 Passport{Number: "A", Issued: "2020-01-01", Expiry: "2030-01-01", Valid: true},
		"FineList":                 FineList{Fines: []Fine{{Number: "F", Code: "SPD", Violation: "Speeding", AmountSAR: 300, Date: "2026-01-01"}}, UnpaidSAR: 300, UnpaidCount: 1},
		"Insurance":                Insurance{Provider: "P", Policy: "1", Start: "2026-01-01", End: "2027-01-01", Active: true},
		"MobileChangeRequest":      MobileChangeRequest{Mobile: "0512345678"},
		"MobileChallenge":          MobileChallenge{ChallengeID: "c", Mobile: "+966512345678", SMS: sms},
		"MobileConfirmRequest":     MobileConfirmRequest{ChallengeID: "c", Code: "123456"},
		"MobileGrant":              MobileGrant{Grant: "g", Mobile: "+966512345678", ExpiresAt: at},
		"EligibilityRequest":       EligibilityRequest{SubjectID: "2000000006", Options: map[string]string{"months": "3"}},
		"ServiceSubmission":        ServiceSubmission{IdempotencyKey: "k-1", SubjectID: "2000000006", Options: map[string]string{"years": "5"}, ChallengeID: "c", Code: "123456", FingerRecord: []byte("FIR")},
		"ServiceOutcome":           ServiceOutcome{Service: domain.LicenceRenewal, Completed: true, Reasons: []string{}, Reference: "S-1", FeeSAR: 200, Details: map[string]string{"new_expiry": "2031-01-01"}, DecidedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		"Eligibility":              Eligibility{Service: domain.VisaExtension, Reasons: []string{"unpaid_fines"}, FeeSAR: 100, Details: map[string]string{"a": "b"}},
		"EventBatch": EventBatch{Events: []Event{
			{IdempotencyKey: "4b0ad4f1-6a57-4d8e-9d1c-2a1f6a7c0e11", Kind: EventHeartbeat, CreatedAt: at, Payload: mk(hb)},
			{IdempotencyKey: "4b0ad4f1-6a57-4d8e-9d1c-2a1f6a7c0e12", Kind: EventMobileUpdated, CreatedAt: at, Payload: mk(MobileUpdated{Grant: "g", Mobile: "+966512345678", Reference: "K-1"})}}},
		"EventBatchResponse": EventBatchResponse{Results: []EventResult{{IdempotencyKey: "k", Status: ItemConflict, HTTPStatus: 409, Code: "idempotency_conflict", Message: "m"}}},
		"MobileUpdated":      MobileUpdated{Grant: "g", Mobile: "+966512345678", Reference: "K-1"},
		"Audit":              Audit{Action: "a", Outcome: "ok", Service: domain.UpdateMobile, IDMasked: "******0008", Detail: map[string]string{"a": "b"}},
		"Heartbeat":          hb,
		"PrintJob":           PrintJob{Reference: "K-1", Document: "receipt", Outcome: "printed", Reason: "r"},
		"CommandResult":      CommandResult{CommandID: "c1", Seq: 1, Outcome: "refused", Reason: "expired"},
		"Config":             cfg,
		"ConfigUpdate":       ConfigUpdate{Config: cfg},
		"Command":            cmd,
		"CommandList":        CommandList{Commands: []Command{cmd}, LastSeq: 1},
		"NewCommandRequest":  NewCommandRequest{Kind: CmdRestart, Args: map[string]string{"a": "b"}, TTLSeconds: 60},
		"KioskList":          KioskList{Kiosks: []KioskStatus{{ID: "kiosk-001", LastSeen: &at, Heartbeat: &hb, ConfigETag: `"ab"`, LastSeq: 3}, {ID: "kiosk-002"}}},
		"SMSList":            SMSList{Messages: []SMSMessage{{To: "+966512345678", Text: "code", SentAt: at, Kiosk: "kiosk-001"}}},
	}
}

// TestGoTypesMatchOpenAPI validates every example against its schema with
// kin-openapi. Schemas forbid unknown properties, so a Go field missing
// from the document fails here too.
func TestGoTypesMatchOpenAPI(t *testing.T) {
	doc := loadDoc(t)
	for name, v := range examples() {
		ref, ok := doc.Components.Schemas[name]
		if !ok {
			t.Errorf("openapi.yaml has no schema %s", name)
			continue
		}
		b, _ := json.Marshal(v)
		var generic any
		json.Unmarshal(b, &generic)
		if err := ref.Value.VisitJSON(generic); err != nil {
			t.Errorf("%s example %s does not validate: %v", name, b, err)
		}
	}
}

// TestOpenAPIRejectsWhatGoRejects keeps the document from being looser
// than the code on the points kiosks rely on.
func TestOpenAPIRejectsWhatGoRejects(t *testing.T) {
	doc := loadDoc(t)
	bad := map[string]string{
		"Event":         `{"idempotency_key":"4b0ad4f1-6a57-4d8e-9d1c-2a1f6a7c0e11","kind":"party","created_at":"2026-01-01T00:00:00Z","payload":{}}`,
		"EventBatch":    `{"events":[],"extra":1}`,
		"Command":       `{"id":"c","kiosk":"k","seq":0,"issued_at":"2026-01-01T00:00:00Z","expiry":"2026-01-01T00:00:00Z","kind":"restart","signature":"AA=="}`,
		"Timeouts":      `{"idle_seconds":5,"warning_seconds":20,"online_call_seconds":1}`,
		"ErrorResponse": `{"error":{"message":"no code"}}`,
	}
	for name, body := range bad {
		var v any
		json.Unmarshal([]byte(body), &v)
		if err := doc.Components.Schemas[name].Value.VisitJSON(v); err == nil {
			t.Errorf("schema %s accepted %s", name, body)
		}
	}
}

// TestEveryTypeHasASchema: each exported struct that travels on the wire
// has an example above, so a new type cannot skip the document.
func TestEveryTypeHasASchema(t *testing.T) {
	doc := loadDoc(t)
	var names []string
	for n := range doc.Components.Schemas {
		names = append(names, n)
	}
	sort.Strings(names)
	ex := examples()
	nested := map[string]bool{"Error": true, "Document": true, "DocumentLine": true, "Dependent": true, "Visa": true, "Fine": true, "Event": true, "EventResult": true, "DeviceStatus": true, "ServiceEntry": true, "Fee": true, "Timeouts": true, "Text": true, "Announcement": true, "KioskStatus": true, "SMSMessage": true}
	for _, n := range names {
		if _, ok := ex[n]; !ok && !nested[n] {
			t.Errorf("schema %s has no Go example", n)
		}
	}
	if reflect.TypeOf(Config{}).NumField() != len(doc.Components.Schemas["Config"].Value.Properties) {
		t.Error("Config and its schema have different numbers of fields")
	}
}
