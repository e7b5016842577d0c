package client

import (
	"errors"
	"testing"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/sync/api"
)

func TestAnswerBadInput(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   func(error) bool
	}{
		{"5xx is unreachable", 503, `{"error":{"code":"internal_error","message":"x"}}`, func(e error) bool { return errors.Is(e, domain.ErrUnreachable) }},
		{"5xx without body", 500, ``, func(e error) bool { return errors.Is(e, domain.ErrUnreachable) }},
		{"empty 200", 200, ``, func(e error) bool { return errors.Is(e, errMalformed) }},
		{"not JSON", 200, `<html>`, func(e error) bool { return errors.Is(e, errMalformed) }},
		{"unknown field", 200, `{"verification_id":"a","extra":1}`, func(e error) bool { return errors.Is(e, errMalformed) }},
		{"wrong type", 200, `{"verification_id":5}`, func(e error) bool { return errors.Is(e, errMalformed) }},
		{"trailing data", 200, `{"verification_id":"a"} {}`, func(e error) bool { return errors.Is(e, errMalformed) }},
		{"4xx without body", 404, ``, func(e error) bool { return errors.Is(e, errMalformed) }},
		{"4xx with empty code", 422, `{"error":{"code":"","message":"x"}}`, func(e error) bool { return errors.Is(e, errMalformed) }},
		{"4xx unknown code is no refusal", 400, `{"error":{"code":"bad_request","message":"x"}}`, func(e error) bool {
			var r *domain.Refusal
			return e != nil && !errors.As(e, &r) && !errors.Is(e, domain.ErrUnreachable)
		}},
		{"lock with wait", 423, `{"error":{"code":"password_attempts_exceeded","message":"x","retry_after_seconds":900}}`, func(e error) bool {
			var r *domain.Refusal
			return errors.As(e, &r) && r.Code == domain.ProblemLocked && r.RetryAfter.Minutes() == 15
		}},
		{"wrong code", 401, `{"error":{"code":"wrong_sms_code","message":"x","tries_left":2}}`, func(e error) bool {
			var r *domain.Refusal
			return errors.As(e, &r) && r.Code == domain.ProblemCodeWrong
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := answer[api.Verification](tt.status, nil, []byte(tt.body))
			if !tt.want(err) {
				t.Fatalf("got %v", err)
			}
		})
	}
}

func TestAnswerGood(t *testing.T) {
	v, err := answer[api.Verification](201, nil, []byte(`{"verification_id":"abc","id_masked":"******1234","methods":["fingerprint"],"finger_tries_left":3,"expires_at":"2026-11-23T09:00:00Z"}`))
	if err != nil {
		t.Fatal(err)
	}
	if v.ID != "abc" || len(v.Methods) != 1 {
		t.Fatalf("%+v", v)
	}
}

func FuzzAnswer(f *testing.F) {
	f.Add(200, []byte(`{"verification_id":"a","methods":[]}`))
	f.Add(401, []byte(`{"error":{"code":"fingerprint_no_match","message":"m","tries_left":1}}`))
	f.Add(423, []byte(`{"error":{"code":"fingerprint_attempts_exceeded","message":"m","retry_after_seconds":-5}}`))
	f.Add(500, []byte(`{`))
	f.Add(200, []byte("\xff\x00"))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		_, err := answer[api.Verification](status, nil, body)
		if status < 200 || status >= 300 {
			if err == nil {
				t.Fatalf("status %d accepted", status)
			}
		}
		if err != nil && err.Error() == "" {
			t.Fatal("error without text")
		}
	})
}
