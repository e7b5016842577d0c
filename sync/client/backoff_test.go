package client

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/store"
	"github.com/absher-kiosk/kiosk/sync/outbox"
)

func TestBackoffDelay(t *testing.T) {
	top := func(n int64) int64 { return n - 1 } // the largest value rand may give
	for _, tc := range []struct {
		failures int
		want     time.Duration
	}{
		{0, 500 * time.Millisecond},
		{1, 500 * time.Millisecond},
		{2, time.Second},
		{3, 2 * time.Second},
		{10, 256 * time.Second},
		{11, 5 * time.Minute},
		{64, 5 * time.Minute},
		{1 << 30, 5 * time.Minute},
	} {
		if got := (Backoff{Rand: top}).Delay(tc.failures); got != tc.want {
			t.Errorf("Delay(%d) = %s, want %s", tc.failures, got, tc.want)
		}
	}
	if got := (Backoff{Rand: func(int64) int64 { return 0 }}).Delay(5); got != 0 {
		t.Errorf("full jitter must reach zero, got %s", got)
	}
	// The real source stays within the ceiling.
	for i := range 1000 {
		if d := (Backoff{Base: time.Millisecond, Max: time.Second}).Delay(i%15 + 1); d < 0 || d > time.Second {
			t.Fatalf("delay %s out of [0, 1s]", d)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"7", 7 * time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"0", 0, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"12abc", 0, false},
		{"99999999999999999999999", 24 * time.Hour, true},
		{"Mon, 23 Nov 2026 10:00:30 GMT", 30 * time.Second, true},
		{"Mon, 23 Nov 2026 09:00:00 GMT", 0, true},
		{"Tue, 23 Nov 2027 10:00:00 GMT", 24 * time.Hour, true},
		{"tomorrow", 0, false},
	} {
		got, ok := ParseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseRetryAfter(%q) = %s, %v; want %s, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseError(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		name   string
		status int
		hdr    string
		body   string
		code   string
		retry  time.Duration
	}{
		{"documented", 401, "", `{"error":{"code":"wrong_password","message":"no","tries_left":2}}`, "wrong_password", 0},
		{"retry in body", 429, "", `{"error":{"code":"sms_resend_too_soon","message":"wait","retry_after_seconds":42}}`, "sms_resend_too_soon", 42 * time.Second},
		{"header wins", 503, "3", `{"error":{"code":"internal_error","message":"x","retry_after_seconds":42}}`, "internal_error", 3 * time.Second},
		{"html", 502, "", `<html>bad gateway</html>`, "unexpected_answer", 0},
		{"empty", 500, "", ``, "unexpected_answer", 0},
		{"unknown field", 400, "", `{"error":{"code":"x","message":"y","extra":1}}`, "unexpected_answer", 0},
		{"trailing", 400, "", `{"error":{"code":"x","message":"y"}} {}`, "unexpected_answer", 0},
		{"no code", 400, "", `{"error":{"message":"y"}}`, "unexpected_answer", 0},
	} {
		h := http.Header{}
		if tc.hdr != "" {
			h.Set("Retry-After", tc.hdr)
		}
		e := parseError(tc.status, h, []byte(tc.body), now)
		if e.status != tc.status || e.code != tc.code || e.retryAfter != tc.retry {
			t.Errorf("%s: got %+v, want code %s retry %s", tc.name, e, tc.code, tc.retry)
		}
	}
}

// TestUploaderBackoffWithoutSleeping runs the uploader in a synctest
// bubble against a server answering a scripted sequence: it honours
// Retry-After, grows the jitter ceiling per failure, counts attempts only
// when the centre answered with a failure, and starts over after success.
// The server runs outside the bubble; the client drops each connection
// after its answer, so no goroutine in the bubble stays blocked on the
// network and the bubble's clock can move.
func TestUploaderBackoffWithoutSleeping(t *testing.T) {
	// The bubble's clock starts at midnight UTC on 2000-01-01.
	start := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	type step struct {
		status int
		header string
	}
	script := []step{
		{503, "7"}, // busy: wait Retry-After (7 s), rows not charged
		{429, start.Add(time.Minute).Format(http.TimeFormat)}, // an HTTP date
		{500, ""}, // the centre failed: rows charged one attempt
		{0, ""},   // connection dropped
		{200, ""}, // stored
	}
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		st := script[min(calls, len(script)-1)]
		calls++
		mu.Unlock()
		switch st.status {
		case 0:
			panic(http.ErrAbortHandler)
		case 200:
			b, _ := readBatch(r)
			w.Write(b)
		default:
			if st.header != "" {
				w.Header().Set("Retry-After", st.header)
			}
			w.WriteHeader(st.status)
			w.Write([]byte(`{"error":{"code":"internal_error","message":"scripted"}}`))
		}
	}))
	defer srv.Close()
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.DisableKeepAlives = true
	c, err := New(Config{BaseURL: srv.URL, KioskID: kiosk, HTTP: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		// The outbox is opened in the bubble: the uploader waits on its
		// wake channel, and only the bubble's own channels let it go idle.
		o := openOutbox(t, filepath.Join(dir, "k.db"))
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		if _, err := o.Enqueue(ctx, outbox.Event{Kind: "audit", Payload: auditPayload(t, "x", 1)}); err != nil {
			t.Fatal(err)
		}
		q := &failCounter{Store: o}
		u := NewUploader(c, q, UploaderOptions{Poll: time.Hour, Backoff: Backoff{Rand: func(n int64) int64 { return n - 1 }}})
		done := make(chan error)
		go func() { done <- u.Serve(ctx) }()

		expect := func(want time.Duration, failures int) {
			t.Helper()
			synctest.Wait()
			st := u.Status()
			if st.ConsecutiveFailures != failures {
				t.Fatalf("status %+v, want %d failures", st, failures)
			}
			if got := st.NextAttempt.Sub(st.LastAttempt); got != want {
				t.Fatalf("wait %s, want %s", got, want)
			}
			time.Sleep(want - time.Millisecond)
			synctest.Wait()
			if n := u.Status().ConsecutiveFailures; n != failures || q.nexts.Load() != int64(failures) {
				t.Fatalf("tried again %v before the wait of %s was over", time.Millisecond, want)
			}
			time.Sleep(time.Millisecond)
		}
		expect(7*time.Second, 1)  // Retry-After above the 500 ms jitter ceiling
		expect(53*time.Second, 2) // HTTP date, 00:01:00 seen at 00:00:07
		expect(2*time.Second, 3)  // 500: ceiling 500 ms·2²
		expect(4*time.Second, 4)  // transport failure
		synctest.Wait()           // idle after success
		if st := u.Status(); st.ConsecutiveFailures != 0 || st.LastSuccess.IsZero() {
			t.Fatalf("status after success %+v", st)
		}
		// Idle, it looks at the outbox again after the poll interval.
		reads := q.nexts.Load()
		time.Sleep(time.Hour - time.Millisecond)
		synctest.Wait()
		if q.nexts.Load() != reads {
			t.Fatal("idle uploader read the outbox before the poll interval")
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if q.nexts.Load() != reads+1 {
			t.Fatalf("idle uploader read the outbox %d times at the poll interval, want once", q.nexts.Load()-reads)
		}
		st, _ := o.Stats(ctx)
		if st.Depth != 0 {
			t.Fatalf("queue %+v after success", st)
		}
		if q.fails.Load() != 1 {
			t.Fatalf("rows charged %d times, want once (the 500 only)", q.fails.Load())
		}
		cancel()
		if err := <-done; err != context.Canceled {
			t.Fatalf("Serve returned %v, want context.Canceled", err)
		}
	})
}

// failCounter counts the attempts charged to rows and the reads.
type failCounter struct {
	*store.Store
	fails atomic.Int64
	nexts atomic.Int64
}

func (f *failCounter) Next(ctx context.Context, maxCount, maxBytes int) ([]outbox.Item, error) {
	f.nexts.Add(1)
	return f.Store.Next(ctx, maxCount, maxBytes)
}

func (f *failCounter) Fail(ctx context.Context, ids []int64, reason string, next time.Time) error {
	f.fails.Add(1)
	return f.Store.Fail(ctx, ids, reason, next)
}
