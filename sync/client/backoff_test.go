package client

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
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
		if e.Status != tc.status || e.Code != tc.code || e.RetryAfter != tc.retry {
			t.Errorf("%s: got %+v, want code %s retry %s", tc.name, e, tc.code, tc.retry)
		}
	}
}

// fakeClock hands every wait to the test, which decides when it ends.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits chan wait
}

type wait struct {
	d    time.Duration
	fire chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), waits: make(chan wait, 16)}
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.waits <- wait{d, ch}
	return ch
}

// TestUploaderBackoffWithoutSleeping drives the uploader's waits with a
// fake clock against a server answering a scripted sequence: it honours
// Retry-After, grows the jitter ceiling per failure, counts attempts only
// when the centre answered with a failure, and starts over after success.
func TestUploaderBackoffWithoutSleeping(t *testing.T) {
	type step struct {
		status int
		header string
	}
	script := []step{
		{503, "7"},                             // busy: wait Retry-After (7 s), rows not charged
		{429, "Mon, 23 Nov 2026 10:01:00 GMT"}, // an HTTP date
		{500, ""},                              // the centre failed: rows charged one attempt
		{0, ""},                                // connection dropped
		{200, ""},                              // stored
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
	clk := newFakeClock()
	c, err := New(Config{BaseURL: srv.URL, KioskID: kiosk, HTTP: srv.Client(), Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	o := openOutboxClock(t, filepath.Join(t.TempDir(), "k.db"), clk.Now)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := o.Enqueue(ctx, outbox.Event{Kind: "audit", Payload: auditPayload(t, "x", 1)}); err != nil {
		t.Fatal(err)
	}
	q := &failCounter{Store: o}
	u := NewUploader(c, q, UploaderOptions{Clock: clk, Poll: time.Hour, Backoff: Backoff{Rand: func(n int64) int64 { return n - 1 }}})
	done := make(chan error)
	go func() { done <- u.Serve(ctx) }()

	expect := func(want time.Duration, failures int) {
		t.Helper()
		w := <-clk.waits
		if w.d != want {
			t.Fatalf("wait %s, want %s", w.d, want)
		}
		if st := u.Status(); st.ConsecutiveFailures != failures {
			t.Fatalf("status %+v, want %d failures", st, failures)
		}
		clk.Advance(w.d)
		w.fire <- clk.Now()
	}
	expect(7*time.Second, 1)  // Retry-After above the 500 ms jitter ceiling
	expect(53*time.Second, 2) // HTTP date, 10:01:00 seen at 10:00:07
	expect(2*time.Second, 3)  // 500: ceiling 500 ms·2²
	expect(4*time.Second, 4)  // transport failure
	w := <-clk.waits          // idle after success
	if w.d != time.Hour {
		t.Fatalf("idle wait %s, want the poll interval", w.d)
	}
	if st := u.Status(); st.ConsecutiveFailures != 0 || st.LastSuccess.IsZero() {
		t.Fatalf("status after success %+v", st)
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
}

func openOutboxClock(t testing.TB, path string, now func() time.Time) *store.Store {
	t.Helper()
	keys := mustKeys(t, filepath.Join(filepath.Dir(path), "outbox.key"))
	o, err := store.Open(context.Background(), path, keys, store.Options{Clock: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	return o
}

// failCounter counts the attempts charged to rows.
type failCounter struct {
	*store.Store
	fails atomic.Int64
}

func (f *failCounter) Fail(ctx context.Context, ids []int64, reason string, next time.Time) error {
	f.fails.Add(1)
	return f.Store.Fail(ctx, ids, reason, next)
}
