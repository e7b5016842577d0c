package central

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/absher-kiosk/kiosk/central/store"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// countingStore records how the server stores events, and can refuse
// batches, to check transaction boundaries from the server's side.
type countingStore struct {
	store.Store
	mu      sync.Mutex
	single  int   // InsertEvent calls
	batches []int // InsertEvents batch sizes
	failing bool
}

var errStoreDown = errors.New("disk unavailable")

func (c *countingStore) InsertEvent(ctx context.Context, e store.Event, ch *store.PersonChange) (bool, *store.Event, error) {
	c.mu.Lock()
	c.single++
	c.mu.Unlock()
	return c.Store.InsertEvent(ctx, e, ch)
}

func (c *countingStore) InsertEvents(ctx context.Context, es []store.Event, chs []*store.PersonChange) ([]store.InsertResult, error) {
	c.mu.Lock()
	c.batches = append(c.batches, len(es))
	failing := c.failing
	c.mu.Unlock()
	if failing {
		return nil, errStoreDown
	}
	return c.Store.InsertEvents(ctx, es, chs)
}

func (c *countingStore) setFailing(v bool) {
	c.mu.Lock()
	c.failing = v
	c.mu.Unlock()
}

func wrapStore(h *harness) *countingStore {
	c := &countingStore{Store: h.srv.Store}
	h.srv.Store = c
	return c
}

func uuidN(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

func statuses(res api.EventBatchResponse) string {
	var b strings.Builder
	for i, r := range res.Results {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(string(r.Status))
		if r.Code != "" {
			b.WriteString(":" + r.Code)
		}
	}
	return b.String()
}

func (h *harness) ingest(events ...api.Event) api.EventBatchResponse {
	h.t.Helper()
	r := h.do("kiosk-001", "POST", "/v1/sync/events", "", api.EventBatch{Events: events})
	want(h.t, r, 200, "")
	res := decode[api.EventBatchResponse](h.t, r)
	if len(res.Results) != len(events) {
		h.t.Fatalf("%d results for %d events", len(res.Results), len(events))
	}
	for i, e := range events {
		if res.Results[i].IdempotencyKey != e.IdempotencyKey {
			h.t.Fatalf("result %d answers key %q, sent %q", i, res.Results[i].IdempotencyKey, e.IdempotencyKey)
		}
	}
	return res
}

// mobileGrant walks the mobile change for Ali up to the grant.
func (h *harness) mobileGrant(tok, mobile string) api.MobileGrant {
	h.t.Helper()
	r := h.do("kiosk-001", "POST", "/v1/services/update_mobile/code", tok, api.MobileChangeRequest{Mobile: mobile})
	want(h.t, r, 200, "")
	mc := decode[api.MobileChallenge](h.t, r)
	r = h.do("kiosk-001", "POST", "/v1/services/update_mobile/confirm", tok, api.MobileConfirmRequest{ChallengeID: mc.ChallengeID, Code: h.lastCode(mc.Mobile)})
	want(h.t, r, 200, "")
	return decode[api.MobileGrant](h.t, r)
}

func TestIngestStoresABatchInOneTransaction(t *testing.T) {
	h := newHarness(t)
	c := wrapStore(h)
	at := h.clk.Now()
	var events []api.Event
	for i := range 50 {
		events = append(events, event(uuidN(i), api.EventAudit, at, api.Audit{Action: "login", Outcome: "ok"}))
	}
	events = append(events, event(uuidN(100), api.EventHeartbeat, at, api.Heartbeat{Version: "9.9.9", PrinterState: api.DeviceOnline}))
	events = append(events, event("not-a-uuid", api.EventAudit, at, api.Audit{Action: "login"}))
	res := h.ingest(events...)
	want := strings.TrimSpace(strings.Repeat("stored ", 51)) + " rejected:bad_idempotency_key"
	if got := statuses(res); got != want {
		t.Fatalf("statuses\n got %s\nwant %s", got, want)
	}
	if c.single != 0 || fmt.Sprint(c.batches) != "[51]" {
		t.Fatalf("stored with %d single inserts and batches %v; want one batch of 51", c.single, c.batches)
	}
	if n, _ := h.srv.Store.CountEvents(context.Background(), "kiosk-001", ""); n != 51 {
		t.Fatalf("%d events stored, want 51", n)
	}
	l, err := h.srv.KioskList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range l.Kiosks {
		if k.ID == "kiosk-001" && (k.Heartbeat == nil || k.Heartbeat.Version != "9.9.9") {
			t.Fatalf("the batch's heartbeat was not recorded: %+v", k)
		}
	}
	// A batch of nothing acceptable does not reach the store.
	res = h.ingest(event("bad", api.EventAudit, at, api.Audit{Action: "a"}))
	if statuses(res) != "rejected:bad_idempotency_key" || len(c.batches) != 1 {
		t.Fatalf("%s, batches %v", statuses(res), c.batches)
	}
}

func TestIngestSameKeyTwiceInABatch(t *testing.T) {
	at := newClock().Now()
	audit := func(n int, outcome string) api.Event {
		return event(uuidN(n), api.EventAudit, at, api.Audit{Action: "login", Outcome: outcome})
	}
	badThenGood := audit(4, "ok")
	badThenGood.Payload = []byte(`{"action":"login","outcome":"ok","extra":1}`)
	cases := []struct {
		name   string
		events []api.Event
		want   string
	}{
		{"same payload", []api.Event{audit(1, "ok"), audit(1, "ok")}, "stored duplicate"},
		{"other payload", []api.Event{audit(2, "ok"), audit(2, "failed")}, "stored conflict:idempotency_conflict"},
		{"other kind", []api.Event{audit(3, "ok"), event(uuidN(3), api.EventPrintJob, at, api.PrintJob{Outcome: "printed"})}, "stored conflict:idempotency_conflict"},
		{"rejected first", []api.Event{badThenGood, audit(4, "ok")}, "rejected:bad_payload stored"},
		{"three times", []api.Event{audit(5, "ok"), audit(5, "failed"), audit(5, "ok")}, "stored conflict:idempotency_conflict duplicate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			if got := statuses(h.ingest(tc.events...)); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
			if n, _ := h.srv.Store.CountEvents(context.Background(), "kiosk-001", ""); n != 1 {
				t.Fatalf("%d events stored, want 1", n)
			}
		})
	}
}

func TestIngestMobileTwiceInABatchAppliesOnce(t *testing.T) {
	h := newHarness(t)
	tok := h.session("kiosk-001", idAli)
	g := h.mobileGrant(tok, "0555000111")
	at := h.clk.Now()
	ev := event(uuidN(1), api.EventMobileUpdated, at, api.MobileUpdated{Grant: g.Grant, Mobile: g.Mobile, Reference: "K-1"})
	other := event(uuidN(1), api.EventMobileUpdated, at, api.MobileUpdated{Grant: g.Grant, Mobile: g.Mobile, Reference: "K-2"})
	forged := event(uuidN(2), api.EventMobileUpdated, at, api.MobileUpdated{Grant: "x.y", Mobile: g.Mobile})
	audit := event(uuidN(3), api.EventAudit, at, api.Audit{Action: "service_done", Outcome: "ok"})
	res := h.ingest(audit, ev, forged, ev, other)
	if got, want := statuses(res), "stored stored rejected:bad_grant duplicate conflict:idempotency_conflict"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if p, _ := h.srv.person(idAli); p.Mobile != "+966555000111" {
		t.Fatalf("mobile is %s", pii.Mask(p.Mobile))
	}
	cs, err := h.srv.Store.PersonChanges(context.Background())
	if err != nil || len(cs) != 1 {
		t.Fatalf("person changes %d, %v; want 1", len(cs), err)
	}
	if n, _ := h.srv.Store.CountEvents(context.Background(), "kiosk-001", string(api.EventMobileUpdated)); n != 1 {
		t.Fatalf("%d mobile events stored, want 1", n)
	}
}

// A failed commit must leave neither the event nor its effect, in the
// database or in memory, so the kiosk's retry is the first delivery.
func TestIngestStoreFailureAppliesNothing(t *testing.T) {
	h := newHarness(t)
	tok := h.session("kiosk-001", idAli)
	g := h.mobileGrant(tok, "0555000222")
	c := wrapStore(h)
	c.setFailing(true)
	ev := event(uuidN(1), api.EventMobileUpdated, h.clk.Now(), api.MobileUpdated{Grant: g.Grant, Mobile: g.Mobile, Reference: "K-1"})
	audit := event(uuidN(2), api.EventAudit, h.clk.Now(), api.Audit{Action: "a"})
	r := h.do("kiosk-001", "POST", "/v1/sync/events", "", api.EventBatch{Events: []api.Event{audit, ev}})
	want(t, r, 503, api.CodeInternal)
	if p, _ := h.srv.person(idAli); p.Mobile != aliMobile {
		t.Fatalf("a change that was not stored was applied: %s", pii.Mask(p.Mobile))
	}
	if n, _ := h.srv.Store.CountEvents(context.Background(), "kiosk-001", ""); n != 0 {
		t.Fatalf("%d events kept from a failed batch", n)
	}
	c.setFailing(false)
	if got := statuses(h.ingest(audit, ev)); got != "stored stored" {
		t.Fatalf("retry: %s", got)
	}
	if p, _ := h.srv.person(idAli); p.Mobile != "+966555000222" {
		t.Fatalf("retry did not apply the change: %s", pii.Mask(p.Mobile))
	}
}

func TestPrepareMobileRefusals(t *testing.T) {
	h := newHarness(t)
	tok := h.session("kiosk-001", idAli)
	g := h.mobileGrant(tok, "0555000333")
	at := h.clk.Now()
	raw := func(payload string) api.Event {
		return api.Event{IdempotencyKey: uuidN(9), Kind: api.EventMobileUpdated, CreatedAt: at, Payload: json.RawMessage(payload)}
	}
	cases := []struct {
		name, payload, code string
	}{
		// Check refuses these over HTTP; prepareMobile must not rely on it.
		{"not json", `{"grant":`, "bad_payload"},
		{"wrong type", `{"grant":5,"mobile":"+966555000333"}`, "bad_payload"},
		{"array", `[]`, "bad_payload"},
		{"forged grant", `{"grant":"AAAA.BBBB","mobile":"+966555000333"}`, "bad_grant"},
		{"other mobile", fmt.Sprintf(`{"grant":%q,"mobile":"+966555000444"}`, g.Grant), "bad_grant"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var p pending
			e := raw(tc.payload)
			r, err := h.srv.prepareMobile(context.Background(), "kiosk-001", &e, at, false, &p)
			if err != nil {
				t.Fatal(err)
			}
			if r == nil || r.Status != api.ItemRejected || r.Code != tc.code || r.Message == "" {
				t.Fatalf("got %+v, want rejected %s", r, tc.code)
			}
			if p.change != nil || p.apply != nil {
				t.Fatal("a refused event carries a change")
			}
		})
	}
	e := raw(fmt.Sprintf(`{"grant":%q,"mobile":%q}`, g.Grant, g.Mobile))
	var p pending
	if r, err := h.srv.prepareMobile(context.Background(), "kiosk-001", &e, at, false, &p); r != nil || err != nil || p.change == nil || p.apply == nil {
		t.Fatalf("a good grant: %+v %v %+v", r, err, p)
	}
	if r, err := h.srv.prepareMobile(context.Background(), "kiosk-002", &e, at, false, &pending{}); err != nil || r == nil || r.Code != "bad_grant" {
		t.Fatalf("another kiosk's grant: %+v %v", r, err)
	}
}

func TestCloseTwice(t *testing.T) {
	s := start(t, t.TempDir(), newClock())
	first := s.Close()
	if err := s.Close(); err != first {
		t.Fatalf("second Close = %v, first %v", err, first)
	}
	if first != nil {
		t.Fatalf("Close: %v", first)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() { defer wg.Done(); s.Close() }()
	}
	wg.Wait()
}

// FuzzIngestEvent: events reach ingest after only the batch decoder, so
// whatever an event holds must give one answer per event, never a panic,
// store only what Check accepts, and answer an identical re-send from what
// was stored the first time (exactly once).
func FuzzIngestEvent(f *testing.F) {
	clk := newClock()
	s := start(f, f.TempDir(), clk)
	defer s.Close()
	g, err := s.sealGrant(grant{Kiosk: "kiosk-001", Person: idAli, Mobile: "+966555000555", Expires: clk.Now().Add(GrantTTL)})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uuidN(1), "mobile_updated", fmt.Sprintf(`{"grant":%q,"mobile":"+966555000555","reference":"K-1"}`, g))
	f.Add(uuidN(2), "mobile_updated", fmt.Sprintf(`{"grant":%q,"mobile":"+966555000556"}`, g))
	f.Add(uuidN(3), "mobile_updated", `{"grant":"a.b","mobile":"+966555000555"}`)
	f.Add(uuidN(4), "audit", `{"action":"login","outcome":"ok"}`)
	f.Add(uuidN(4), "audit", ` { "action" : "login" , "outcome":"failed"} `)
	f.Add(uuidN(5), "heartbeat", `{"version":"1"}`)
	f.Add(uuidN(6), "print_job", `{"outcome":"printed"}`)
	f.Add("x", "audit", `{}`)
	f.Add(uuidN(7), "teleport", `{}`)
	f.Add(uuidN(8), "audit", `{"action":`)
	f.Fuzz(func(t *testing.T, key, kind, payload string) {
		e := api.Event{IdempotencyKey: key, Kind: api.EventKind(kind), CreatedAt: clk.Now(), Payload: json.RawMessage(payload)}
		ctx := context.Background()
		first, err := s.ingestBatch(ctx, "kiosk-001", []api.Event{e}, clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(first) != 1 {
			t.Fatalf("%d results", len(first))
		}
		accepted := first[0].Status != api.ItemRejected
		if code, _ := e.Check(); code != "" && accepted {
			t.Fatalf("an event Check refuses (%s) was %s", code, first[0].Status)
		}
		if !accepted && first[0].Code == "" {
			t.Fatalf("a refusal without a code: %+v", first[0])
		}
		again, err := s.ingestBatch(ctx, "kiosk-001", []api.Event{e}, clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		want := first[0].Status
		if want == api.ItemStored {
			want = api.ItemDuplicate
		}
		if again[0].Status != want {
			t.Fatalf("re-sent: %s, first %s", again[0].Status, first[0].Status)
		}
	})
}
