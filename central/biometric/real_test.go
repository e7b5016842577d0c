package biometric_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand"
	"net/http"
	"testing"

	"github.com/absher-kiosk/kiosk/central"
	"github.com/absher-kiosk/kiosk/central/biometric"
	"github.com/absher-kiosk/kiosk/central/match"
	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/devices/fingerprint/fir"
	"github.com/absher-kiosk/kiosk/devices/fingerprint/synth"
	"github.com/absher-kiosk/kiosk/internal/centretest"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// TestRealMatcher verifies with the real matcher, a real record and a
// synthetic finger: another impression of the enrolled finger matches, a
// different finger does not.
func TestRealMatcher(t *testing.T) {
	if testing.Short() {
		t.Skip("template extraction takes a few hundred milliseconds; skipped with -short")
	}
	v := biometric.New[*match.Template](match.New(), biometric.DecodeFIR, biometric.Enrol, 10)
	p := people.Person{ID: "1000000008", Fingers: []people.Finger{{Position: people.RightIndex, Seed: 41}}}
	record := func(seed, impression int64) []byte {
		img := synth.NewFinger(seed).Capture(rand.New(rand.NewSource(impression)))
		b, err := fir.Encode(&fir.Record{FingerPosition: people.RightIndex, ResolutionDPI: 500, Quality: 80, Image: img})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if _, ok, err := v.Verify(context.Background(), p, record(41, 7)); err != nil || !ok {
		t.Fatalf("another impression of the enrolled finger: ok=%v err=%v", ok, err)
	}
	if _, ok, err := v.Verify(context.Background(), p, record(42, 7)); err != nil || ok {
		t.Fatalf("a different finger: ok=%v err=%v", ok, err)
	}
	var _ central.FingerVerifier = v
	if _, _, err := v.Verify(context.Background(), p, []byte("not a record")); !errors.Is(err, central.ErrBadFingerRecord) {
		t.Fatalf("garbage record: %v", err)
	}
	if _, _, err := biometric.Enrol(people.Finger{Fixture: "/nonexistent.png"}); err == nil {
		t.Fatal("a missing fixture enrolled")
	}
}

// TestOverTLS identifies a person by fingerprint through the real centre
// over TLS on loopback, with the real matcher behind it.
func TestOverTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("template extraction takes a few hundred milliseconds; skipped with -short")
	}
	p := centretest.Person()
	id := p.ID
	s := centretest.Start(t, central.Options{Population: []people.Person{p},
		Fingers: biometric.New[*match.Template](match.New(), biometric.DecodeFIR, biometric.Enrol, 10)})
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: centretest.TLS(t, s)}}
	post := func(path string, v any) (int, []byte) {
		b, _ := json.Marshal(v)
		res, err := c.Post(s.URL+path, "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		return res.StatusCode, out
	}
	st, body := post("/v1/identity/verifications", api.StartVerificationRequest{IDNumber: id})
	if st != 201 {
		t.Fatalf("start: %d %s", st, body)
	}
	var ver api.Verification
	json.Unmarshal(body, &ver)
	img := synth.NewFinger(centretest.FingerSeed).Capture(rand.New(rand.NewSource(1234)))
	rec, _ := fir.Encode(&fir.Record{FingerPosition: people.RightIndex, ResolutionDPI: 500, Quality: 80, Image: img})
	st, body = post("/v1/identity/verifications/"+ver.ID+"/fingerprint", api.FingerprintRequest{Record: rec})
	if st != 200 {
		t.Fatalf("fingerprint: %d %s", st, body)
	}
	sess, err := api.Decode[api.Session](body)
	if err != nil || sess.Method != api.MethodFingerprint {
		t.Fatalf("session %s: %v", body, err)
	}
}
