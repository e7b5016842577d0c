package central

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/absher-kiosk/kiosk/central/devpki"
	"github.com/absher-kiosk/kiosk/sync/api"
)

type ctxKey int

const kioskKey ctxKey = 0

func kioskOf(r *http.Request) string { s, _ := r.Context().Value(kioskKey).(string); return s }

func (s *Server) apiHandler() http.Handler {
	mux := http.NewServeMux()
	k := s.requireKiosk
	mux.Handle("POST /v1/identity/verifications", k(s.startVerification))
	mux.Handle("POST /v1/identity/verifications/{vid}/fingerprint", k(s.verifyFingerprint))
	mux.Handle("POST /v1/identity/verifications/{vid}/password", k(s.verifyPassword))
	mux.Handle("POST /v1/identity/verifications/{vid}/sms/resend", k(s.resendVerificationSMS))
	mux.Handle("POST /v1/identity/verifications/{vid}/sms/verify", k(s.verifySMS))
	mux.Handle("GET /v1/person", k(s.withSession(s.profile)))
	mux.Handle("GET /v1/person/documents", k(s.withSession(s.documents)))
	mux.Handle("GET /v1/person/dependents", k(s.withSession(s.dependents)))
	mux.Handle("GET /v1/person/visas", k(s.withSession(s.visas)))
	mux.Handle("GET /v1/person/passport", k(s.withSession(s.passport)))
	mux.Handle("GET /v1/person/fines", k(s.withSession(s.fines)))
	mux.Handle("GET /v1/person/insurance", k(s.withSession(s.insurance)))
	mux.Handle("POST /v1/services/update_mobile/code", k(s.withSession(s.mobileCode)))
	mux.Handle("POST /v1/services/update_mobile/confirm", k(s.withSession(s.mobileConfirm)))
	mux.Handle("POST /v1/services/{service}/eligibility", k(s.withSession(s.eligibility)))
	mux.Handle("POST /v1/services/activate_absher/code", k(s.withSession(s.activationCode)))
	// The path under the rules' old name, for kiosks of the previous release.
	mux.Handle("POST /v1/services/activate_account/code", k(s.withSession(s.activationCode)))
	mux.Handle("POST /v1/services/{service}/submissions", k(s.withSession(s.submitService)))
	mux.Handle("POST /v1/sync/events", k(s.ingest))
	mux.Handle("GET /v1/kiosks/{id}/config", k(s.ownKiosk(s.getConfig)))
	mux.Handle("GET /v1/kiosks/{id}/commands", k(s.ownKiosk(s.getCommands)))
	o := s.requireOps
	mux.Handle("GET /v1/ops/kiosks", o(s.opsKiosks))
	mux.Handle("PUT /v1/ops/kiosks/{id}/config", o(s.opsSetConfig))
	mux.Handle("POST /v1/ops/kiosks/{id}/commands", o(s.opsAddCommand))
	mux.Handle("GET /v1/ops/sms", o(s.opsSMS))
	mux.HandleFunc("GET /verify/{code}", s.verifyPage)
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fail(w, http.StatusNotFound, api.CodeNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path)
	}))
	return mux
}

func clientCN(r *http.Request) string {
	if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 {
		return ""
	}
	return r.TLS.VerifiedChains[0][0].Subject.CommonName
}

func (s *Server) requireKiosk(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cn := clientCN(r)
		if cn == "" {
			fail(w, http.StatusUnauthorized, api.CodeClientCertRequired, "a kiosk client certificate issued by the centre's CA is required")
			return
		}
		if cn == devpki.Ops {
			fail(w, http.StatusForbidden, api.CodeForbidden, "the ops certificate cannot act as a kiosk")
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), kioskKey, cn)))
	})
}

func (s *Server) requireOps(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch clientCN(r) {
		case "":
			fail(w, http.StatusUnauthorized, api.CodeClientCertRequired, "the ops client certificate is required")
		case devpki.Ops:
			h(w, r)
		default:
			fail(w, http.StatusForbidden, api.CodeForbidden, "ops endpoints need the ops certificate, not a kiosk's")
		}
	})
}

// ownKiosk refuses a kiosk asking for another kiosk's resources.
func (s *Server) ownKiosk(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") != kioskOf(r) {
			fail(w, http.StatusForbidden, api.CodeForbidden, "a kiosk may only read its own config and commands")
			return
		}
		h(w, r)
	}
}

func fail(w http.ResponseWriter, status int, code, msg string) {
	failWith(w, status, api.Error{Code: code, Message: msg})
}

func failWith(w http.ResponseWriter, status int, e api.Error) {
	if e.RetryAfterSeconds > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(e.RetryAfterSeconds))
	}
	writeJSON(w, status, api.ErrorResponse{Error: e})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// readBody reads at most api.MaxBodyBytes; it answers the refusal itself
// and returns ok=false.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, api.MaxBodyBytes))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		fail(w, http.StatusRequestEntityTooLarge, api.CodeBodyTooLarge, fmt.Sprintf("request body is over %d bytes; send less (split event batches)", api.MaxBodyBytes))
		return nil, false
	}
	if err != nil {
		fail(w, http.StatusBadRequest, api.CodeBadRequest, "reading the request body failed: "+err.Error())
		return nil, false
	}
	return b, true
}

// decodeBody reads and strictly decodes a request of type T.
func decodeBody[T any](w http.ResponseWriter, r *http.Request) (*T, bool) {
	b, ok := readBody(w, r)
	if !ok {
		return nil, false
	}
	v, err := api.Decode[T](b)
	if err != nil {
		fail(w, http.StatusBadRequest, api.CodeMalformedJSON, err.Error())
		return nil, false
	}
	return v, true
}

func locked(code string, until, now time.Time) api.Error {
	return api.Error{Code: code, Message: fmt.Sprintf("locked until %s after too many tries", until.UTC().Format(time.RFC3339)),
		LockedUntil: &until, RetryAfterSeconds: int(until.Sub(now).Seconds() + 0.999)}
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if t, ok := strings.CutPrefix(h, "Bearer "); ok {
		return strings.TrimSpace(t)
	}
	return ""
}
