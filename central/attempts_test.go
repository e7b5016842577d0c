package central

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// countingFingers is fingers that counts the records it evaluates, so a
// test can tell how many attempts got past the limits. Each match takes a
// moment, as the real matcher does, so that a burst overlaps it; the tests
// assert the count, which does not depend on how long that is.
type countingFingers struct {
	fingers
	n atomic.Int64
}

func (c *countingFingers) Verify(ctx context.Context, p people.Person, rec []byte) (float64, bool, error) {
	c.n.Add(1)
	time.Sleep(20 * time.Millisecond)
	return c.fingers.Verify(ctx, p, rec)
}

func countingHarness(t *testing.T) (*harness, *countingFingers) {
	clk := newClock()
	cf := &countingFingers{}
	s, err := Start(context.Background(), Options{StateDir: t.TempDir(), Clock: clk.Now, Population: population(clk.Now()), Fingers: cf, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &harness{t: t, srv: s, clk: clk}, cf
}

func wantLock(t *testing.T, r resp, code string, until time.Time) {
	t.Helper()
	want(t, r, 423, code)
	e := r.err()
	if e.LockedUntil == nil || !e.LockedUntil.Equal(until) || e.RetryAfterSeconds <= 0 {
		t.Fatalf("lock %+v, want until %s", e, until)
	}
}

func (h *harness) startVerif(cn, id string) resp {
	h.t.Helper()
	return h.do(cn, "POST", "/v1/identity/verifications", "", api.StartVerificationRequest{IDNumber: id})
}

// A new verification does not start the count again: 20 wrong passwords
// spread two to a verification lock the person like three in one do.
func TestPasswordGuessesAcrossVerificationsLock(t *testing.T) {
	h := newHarness(t)
	until := h.clk.Now().Add(LockDuration)
	wrong := 0
	for i := 0; i < 10; i++ {
		kiosk := fmt.Sprintf("kiosk-%03d", 1+i%2)
		r := h.startVerif(kiosk, idSara)
		if r.status == 423 {
			wantLock(t, r, api.CodePasswordLocked, until)
			continue
		}
		want(t, r, 201, "")
		v := decode[api.Verification](t, r)
		for j := 0; j < 2; j++ {
			r := h.do(kiosk, "POST", "/v1/identity/verifications/"+v.ID+"/password", "", api.PasswordRequest{Password: fmt.Sprintf("guess-%d-%d", i, j)})
			wrong++
			switch {
			case wrong < MaxPersonFailures:
				want(t, r, 401, api.CodeWrongPassword)
			case wrong == MaxPersonFailures:
				wantLock(t, r, api.CodePasswordLocked, until)
			default:
				if r.status != 404 && r.status != 423 {
					t.Fatalf("guess %d after the lock: %d %s", wrong, r.status, r.body)
				}
			}
		}
	}
	wantLock(t, h.startVerif("kiosk-002", idSara), api.CodePasswordLocked, until)
}

func TestLockSurvivesRestart(t *testing.T) {
	clk := newClock()
	dir := t.TempDir()
	s := start(t, dir, clk)
	h := &harness{t: t, srv: s, clk: clk}
	v := h.verification("kiosk-001", idAli)
	until := clk.Now().Add(LockDuration)
	for i := 0; i < MaxFingerTries; i++ {
		h.do("kiosk-001", "POST", "/v1/identity/verifications/"+v.ID+"/fingerprint", "", api.FingerprintRequest{Record: []byte("nomatch")})
	}
	wantLock(t, h.startVerif("kiosk-001", idAli), api.CodeFingerprintLocked, until)
	s.Close()
	h.srv = start(t, dir, clk)
	defer h.srv.Close()
	wantLock(t, h.startVerif("kiosk-002", idAli), api.CodeFingerprintLocked, until)
	clk.Add(LockDuration)
	h.session("kiosk-002", idAli)
}

// Locks that follow one another without a success grow, so that waiting
// out each lock does not buy a steady rate of guesses; a success forgives.
func TestRepeatedLocksGrow(t *testing.T) {
	h := newHarness(t)
	miss := func(d time.Duration) {
		t.Helper()
		v := h.verification("kiosk-001", idAli)
		var r resp
		for i := 0; i < MaxFingerTries; i++ {
			r = h.do("kiosk-001", "POST", "/v1/identity/verifications/"+v.ID+"/fingerprint", "", api.FingerprintRequest{Record: []byte("nomatch")})
		}
		wantLock(t, r, api.CodeFingerprintLocked, h.clk.Now().Add(d))
		h.clk.Add(d)
	}
	miss(LockDuration)
	miss(2 * LockDuration)
	miss(4 * LockDuration)
	h.session("kiosk-001", idAli)
	miss(LockDuration)
}

// SMS codes are guesses too: a wrong code counts toward the person's lock
// even though each code has its own three tries.
func TestSMSCodeFailuresCountTowardTheLock(t *testing.T) {
	h := newHarness(t)
	v := h.verification("kiosk-001", idSara)
	base := "/v1/identity/verifications/" + v.ID
	want(t, h.do("kiosk-001", "POST", base+"/password", "", api.PasswordRequest{Password: password}), 200, "")
	code := h.lastCode("+966500000002")
	wrong := fmt.Sprintf("%06d", (atoi(code)+1)%1000000)
	want(t, h.do("kiosk-001", "POST", base+"/sms/verify", "", api.SMSCodeRequest{Code: wrong}), 401, api.CodeWrongSMSCode)
	want(t, h.do("kiosk-001", "POST", base+"/sms/verify", "", api.SMSCodeRequest{Code: wrong}), 401, api.CodeWrongSMSCode)
	want(t, h.do("kiosk-001", "POST", base+"/sms/verify", "", api.SMSCodeRequest{Code: wrong}), 429, api.CodeSMSAttemptsExceeded)
	h.clk.Add(SMSResendAfter)
	want(t, h.do("kiosk-001", "POST", base+"/sms/resend", "", nil), 200, "")
	code = h.lastCode("+966500000002")
	wrong = fmt.Sprintf("%06d", (atoi(code)+1)%1000000)
	r := h.do("kiosk-001", "POST", base+"/sms/verify", "", api.SMSCodeRequest{Code: wrong})
	want(t, r, 401, api.CodeWrongSMSCode)
	if left := r.err().TriesLeft; left == nil || *left != 1 {
		t.Fatalf("answer %s, want 1 try left before the person's lock", r.body)
	}
	until := h.clk.Now().Add(LockDuration)
	wantLock(t, h.do("kiosk-001", "POST", base+"/sms/verify", "", api.SMSCodeRequest{Code: wrong}), api.CodePasswordLocked, until)
	r = h.do("kiosk-001", "POST", base+"/sms/verify", "", api.SMSCodeRequest{Code: code})
	if r.status == 200 {
		t.Fatalf("the right code signed in a locked person: %s", r.body)
	}
	wantLock(t, h.startVerif("kiosk-001", idSara), api.CodePasswordLocked, until)
}

// burst posts the same record to every path at once and counts the
// answers by status.
func (h *harness) burst(paths []string, record string) map[int]int {
	var mu sync.Mutex
	got := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := h.do("kiosk-001", "POST", p, "", api.FingerprintRequest{Record: []byte(record)})
			mu.Lock()
			got[r.status]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return got
}

func TestParallelAttemptsOnOneVerification(t *testing.T) {
	h, cf := countingHarness(t)
	v := h.verification("kiosk-001", idAli)
	held := h.verification("kiosk-001", idAli)
	paths := make([]string, 50)
	for i := range paths {
		paths[i] = "/v1/identity/verifications/" + v.ID + "/fingerprint"
	}
	got := h.burst(paths, "nomatch")
	if n := cf.n.Load(); n != MaxFingerTries {
		t.Fatalf("%d records evaluated, want %d; answers %v", n, MaxFingerTries, got)
	}
	if got[401] != MaxFingerTries-1 || got[401]+got[423]+got[404] != len(paths) {
		t.Fatalf("answers %v", got)
	}
	r := h.do("kiosk-001", "POST", "/v1/identity/verifications/"+held.ID+"/fingerprint", "", api.FingerprintRequest{Record: []byte("match")})
	wantLock(t, r, api.CodeFingerprintLocked, h.clk.Now().Add(LockDuration))
	if n := cf.n.Load(); n != MaxFingerTries {
		t.Fatalf("%d records evaluated after the lock, want %d", n, MaxFingerTries)
	}
}

func TestParallelAttemptsAcrossVerifications(t *testing.T) {
	h, cf := countingHarness(t)
	paths := make([]string, 10)
	for i := range paths {
		paths[i] = "/v1/identity/verifications/" + h.verification("kiosk-001", idAli).ID + "/fingerprint"
	}
	held := h.verification("kiosk-001", idAli)
	got := h.burst(paths, "nomatch")
	if n := cf.n.Load(); n != MaxPersonFailures {
		t.Fatalf("%d records evaluated, want %d; answers %v", n, MaxPersonFailures, got)
	}
	if got[401] != MaxPersonFailures-1 || got[401]+got[423]+got[404] != len(paths) {
		t.Fatalf("answers %v", got)
	}
	r := h.do("kiosk-001", "POST", "/v1/identity/verifications/"+held.ID+"/fingerprint", "", api.FingerprintRequest{Record: []byte("match")})
	wantLock(t, r, api.CodeFingerprintLocked, h.clk.Now().Add(LockDuration))
}
