package central

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/central/store"
	"github.com/absher-kiosk/kiosk/internal/golden"
	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/seal"
)

func TestIsOnline(t *testing.T) {
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	tests := []struct {
		name     string
		last     *time.Time
		interval time.Duration
		want     bool
	}{
		{"never seen", nil, time.Minute, false},
		{"just now", at(0), time.Minute, true},
		{"one interval", at(time.Minute), time.Minute, true},
		{"exactly 2.5 intervals", at(150 * time.Second), time.Minute, true},
		{"just past 2.5 intervals", at(150*time.Second + time.Millisecond), time.Minute, false},
		{"short interval, 3 s late", at(3 * time.Second), time.Second, false},
		{"clock skew ahead", at(-time.Minute), time.Minute, true},
		{"no interval", at(0), 0, false},
	}
	for _, tc := range tests {
		if got := IsOnline(now, tc.last, tc.interval); got != tc.want {
			t.Errorf("%s: online %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestPaperLabel(t *testing.T) {
	for in, want := range map[string]string{api.PaperOK: "ok", api.PaperLow: "near end", api.PaperOut: "out", api.PaperUnknown: "unknown", "": "unknown", "soggy": "unknown"} {
		if got := PaperLabel(in); got != want {
			t.Errorf("PaperLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseCommandForm(t *testing.T) {
	long := strings.Repeat("ب", maxArgLen+1)
	tests := []struct {
		name    string
		form    string
		want    api.NewCommandRequest
		wantErr string
	}{
		{"out of service with messages", "kiosk=kiosk-001&kind=out_of_service&message_en=Use+gate+3&message_ar=%D8%A7%D9%84%D8%A8%D9%88%D8%A7%D8%A8%D8%A9+3&reason=paper&ttl_minutes=30",
			api.NewCommandRequest{Kind: api.CmdOutOfService, Args: map[string]string{"message_en": "Use gate 3", "message_ar": "البوابة 3", "reason": "paper"}, TTLSeconds: 1800}, ""},
		{"plain restart, default expiry", "kiosk=kiosk-002&kind=restart", api.NewCommandRequest{Kind: api.CmdRestart, TTLSeconds: 3600}, ""},
		{"spaces trimmed", "kiosk=+kiosk-002+&kind=in_service&reason=+back+", api.NewCommandRequest{Kind: api.CmdInService, Args: map[string]string{"reason": "back"}, TTLSeconds: 3600}, ""},
		{"no kiosk", "kind=restart", api.NewCommandRequest{}, "choose a kiosk"},
		{"unknown kind", "kiosk=kiosk-001&kind=format_disk", api.NewCommandRequest{}, "not one the kiosks know"},
		{"empty kind", "kiosk=kiosk-001", api.NewCommandRequest{}, "not one the kiosks know"},
		{"message with another kind", "kiosk=kiosk-001&kind=restart&message_en=x", api.NewCommandRequest{}, "only with out_of_service"},
		{"message too long", "kiosk=kiosk-001&kind=out_of_service&message_ar=" + url.QueryEscape(long), api.NewCommandRequest{}, "keep it to 200"},
		{"control characters", "kiosk=kiosk-001&kind=out_of_service&message_en=a%0Ab", api.NewCommandRequest{}, "control characters"},
		{"expiry zero", "kiosk=kiosk-001&kind=restart&ttl_minutes=0", api.NewCommandRequest{}, "whole minutes"},
		{"expiry too long", "kiosk=kiosk-001&kind=restart&ttl_minutes=10081", api.NewCommandRequest{}, "whole minutes"},
		{"expiry not a number", "kiosk=kiosk-001&kind=restart&ttl_minutes=1h", api.NewCommandRequest{}, "whole minutes"},
	}
	for _, tc := range tests {
		v, err := url.ParseQuery(tc.form)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		f, err := ParseCommandForm(v)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got := f.Request(); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: request %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func FuzzParseCommandForm(f *testing.F) {
	for _, s := range []string{"kiosk=kiosk-001&kind=out_of_service&message_en=Use+gate+3&ttl_minutes=30", "kind=restart", "kiosk=%ff&kind=%00", "ttl_minutes=-1&kiosk=a&kind=restart", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		v, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		form, err := ParseCommandForm(v)
		if err != nil {
			return
		}
		req := form.Request()
		if !api.KnownCommandKind(req.Kind) || form.Kiosk == "" || req.TTLSeconds < 60 || req.TTLSeconds > maxTTLMinutes*60 {
			t.Fatalf("accepted %q as %+v", body, req)
		}
		for k, a := range req.Args {
			if len([]rune(a)) > maxArgLen || a == "" || strings.ContainsAny(a, "\r\n\x00") {
				t.Fatalf("accepted arg %s=%q", k, a)
			}
		}
	})
}

// heartbeat posts one heartbeat from a kiosk at the harness clock.
func (h *harness) heartbeat(kiosk string, n int, hb api.Heartbeat) {
	h.t.Helper()
	key := fmt.Sprintf("44444444-4444-4444-8444-%012d", n)
	res := decode[api.EventBatchResponse](h.t, h.do(kiosk, "POST", "/v1/sync/events", "", api.EventBatch{Events: []api.Event{event(key, api.EventHeartbeat, h.clk.Now(), hb)}}))
	if res.Results[0].Status != api.ItemStored {
		h.t.Fatalf("heartbeat %d: %+v", n, res.Results[0])
	}
}

func (h *harness) opsGet(path string, accept ...string) (int, string) {
	h.t.Helper()
	base := strings.TrimSuffix(h.srv.OpsURL, "/ops/")
	res, err := http.Get(base + path)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (h *harness) opsPost(form url.Values, hdr ...string) (int, string) {
	h.t.Helper()
	req, _ := http.NewRequest("POST", strings.TrimSuffix(h.srv.OpsURL, "/ops/")+"/ops/command", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

type fleetJSON struct {
	Kiosks []FleetRow `json:"kiosks"`
}

func (h *harness) fleetRow(id string) FleetRow {
	h.t.Helper()
	code, body := h.opsGet("/ops/fleet.json")
	var f fleetJSON
	if code != 200 || json.Unmarshal([]byte(body), &f) != nil {
		h.t.Fatalf("fleet.json: %d %s", code, body)
	}
	for _, r := range f.Kiosks {
		if r.ID == id {
			return r
		}
	}
	h.t.Fatalf("fleet.json lacks %s: %s", id, body)
	return FleetRow{}
}

func TestConsoleOnlineFollowsHeartbeatInterval(t *testing.T) {
	h := newHarness(t)
	if r := h.fleetRow("kiosk-001"); r.Online || r.Reported || r.IntervalSeconds != 60 {
		t.Fatalf("a kiosk never heard from: %+v", r)
	}
	h.heartbeat("kiosk-001", 1, api.Heartbeat{Version: "2.0.0", PrinterPaper: api.PaperOK, PrinterState: api.DeviceOnline, ScannerState: api.DeviceOnline, HeartbeatIntervalSeconds: 10})
	steps := []struct {
		advance time.Duration
		online  bool
	}{{0, true}, {25 * time.Second, true}, {time.Second, false}}
	for _, s := range steps {
		h.clk.Add(s.advance)
		if r := h.fleetRow("kiosk-001"); r.Online != s.online || r.IntervalSeconds != 10 {
			t.Fatalf("after %v more: %+v, want online %v", s.advance, r, s.online)
		}
	}
	// Without its own interval the config's counts: 5 s × 2.5.
	cfg := api.DefaultConfig()
	cfg.HeartbeatIntervalSeconds = 5
	if _, err := h.srv.SetConfig(t.Context(), "kiosk-002", cfg); err != nil {
		t.Fatal(err)
	}
	h.heartbeat("kiosk-002", 2, api.Heartbeat{Version: "2.0.0"})
	h.clk.Add(12 * time.Second)
	if r := h.fleetRow("kiosk-002"); !r.Online || r.IntervalSeconds != 5 {
		t.Fatalf("kiosk-002 at 12 s: %+v", r)
	}
	h.clk.Add(time.Second)
	if r := h.fleetRow("kiosk-002"); r.Online {
		t.Fatalf("kiosk-002 at 13 s: %+v", r)
	}
	// Other uploads are contact but not heartbeats: still offline.
	res := decode[api.EventBatchResponse](t, h.do("kiosk-002", "POST", "/v1/sync/events", "", api.EventBatch{Events: []api.Event{event("55555555-5555-4555-8555-000000000001", api.EventAudit, h.clk.Now(), api.Audit{Action: "boot"})}}))
	if res.Results[0].Status != api.ItemStored {
		t.Fatalf("audit: %+v", res)
	}
	if r := h.fleetRow("kiosk-002"); r.Online {
		t.Fatalf("an audit upload made kiosk-002 online: %+v", r)
	}
}

func TestConsolePagesAndGolden(t *testing.T) {
	h := newHarness(t)
	parked := []api.ParkedEvent{{ID: 17, Kind: "print_job", CreatedAt: h.clk.Now().Add(-time.Hour), Attempts: 8, Reason: "rejected: outcome is required"}}
	hb := api.Heartbeat{Version: "2.1.0", UptimeSeconds: 3600, QueueDepth: 3, OldestQueuedAgeSeconds: 95, ParkedCount: 1, PrinterPaper: api.PaperLow, PrinterState: api.DeviceOnline,
		ScannerState: api.DeviceNoDevice, HeartbeatIntervalSeconds: 60, Parked: parked, Devices: []api.DeviceStatus{{Name: "printer", Class: "printer", State: api.DeviceOnline, Detail: map[string]string{"port": "/dev/ttyUSB0"}}}}
	h.heartbeat("kiosk-001", 1, hb)
	h.clk.Add(time.Minute)
	h.heartbeat("kiosk-001", 2, hb)
	h.clk.Add(4 * time.Minute) // a gap: offline for a while
	hb.OutOfService, hb.OutOfServiceReason, hb.PrinterPaper = true, "Use gate 3", api.PaperOut
	h.heartbeat("kiosk-001", 3, hb)
	h.clk.Add(10 * time.Second)

	// The fleet rows as the live refresh fetches them.
	code, rows := h.opsGet("/ops/live/fleet")
	if code != 200 {
		t.Fatalf("rows: %d %s", code, rows)
	}
	checkGolden(t, "fleet_rows.html", rows)

	// Command form: JSON for the page's script, with the kiosk page's answer.
	form := url.Values{"kiosk": {"kiosk-001"}, "kind": {"out_of_service"}, "message_en": {"Use gate 3"}, "ttl_minutes": {"15"}}
	code, body := h.opsPost(form, "Accept", "application/json", "Origin", strings.TrimSuffix(h.srv.OpsURL, "/ops/"))
	if code != 200 || !strings.Contains(body, `"ok":true`) || !strings.Contains(body, "queued out_of_service for kiosk-001 as #1") {
		t.Fatalf("command: %d %s", code, body)
	}
	envs, _, err := h.srv.Store.Commands(t.Context(), "kiosk-001", 0)
	if err != nil || len(envs) != 1 {
		t.Fatalf("%d commands stored, %v", len(envs), err)
	}
	var c api.Command
	json.Unmarshal(envs[0], &c)
	if err := api.VerifyCommand(h.srv.Pub, &c, "kiosk-001", h.clk.Now(), 0); err != nil || c.Args["message_en"] != "Use gate 3" || c.Expiry.Sub(c.IssuedAt) != 15*time.Minute {
		t.Fatalf("queued command %+v: %v", c, err)
	}
	res := decode[api.EventBatchResponse](t, h.do("kiosk-001", "POST", "/v1/sync/events", "", api.EventBatch{Events: []api.Event{
		event("66666666-6666-4666-8666-000000000001", api.EventCommandResult, h.clk.Now(), api.CommandResult{CommandID: c.ID, Seq: 1, Outcome: "applied"})}}))
	if res.Results[0].Status != api.ItemStored {
		t.Fatalf("command result: %+v", res)
	}

	code, page := h.opsGet("/ops/kiosks/kiosk-001")
	if code != 200 {
		t.Fatalf("kiosk page: %d %s", code, page)
	}
	for _, s := range []string{"rejected: outcome is required", `id="command-1" data-outcome="applied"`, "message_en: Use gate 3", "port: /dev/ttyUSB0",
		`<tr class="late">`, "4 min (offline)", "out of service: Use gate 3", `name="back" value="kiosk"`} {
		if !strings.Contains(page, s) {
			t.Errorf("kiosk page lacks %q", s)
		}
	}
	var k KioskPage
	code, body = h.opsGet("/ops/kiosks/kiosk-001/json")
	if err := json.Unmarshal([]byte(body), &k); err != nil || code != 200 {
		t.Fatalf("kiosk json: %d %s", code, body)
	}
	if len(k.History) != 3 || !k.History[0].Late || k.History[1].Late || k.History[0].GapSeconds != 240 || k.History[2].GapSeconds != 0 ||
		!k.History[0].Heartbeat.OutOfService || len(k.Parked) != 1 || k.Commands[0].Outcome != "applied" {
		t.Fatalf("kiosk json: %+v", k)
	}

	// Refusals.
	for _, tc := range []struct {
		name string
		form url.Values
		hdr  []string
		code int
		want string
	}{
		{"unknown kiosk", url.Values{"kiosk": {"kiosk-999"}, "kind": {"restart"}}, nil, 422, "unknown kiosk"},
		{"unknown kind", url.Values{"kiosk": {"kiosk-001"}, "kind": {"format_disk"}}, nil, 422, "not one the kiosks know"},
		{"cross-site origin", url.Values{"kiosk": {"kiosk-001"}, "kind": {"restart"}}, []string{"Origin", "http://evil.example"}, 403, "cross-site"},
		{"cross-site fetch", url.Values{"kiosk": {"kiosk-001"}, "kind": {"restart"}}, []string{"Sec-Fetch-Site", "cross-site"}, 403, "cross-site"},
		{"back to kiosk page", url.Values{"kiosk": {"kiosk-001"}, "kind": {"restart"}, "message_en": {"x"}, "back": {"kiosk"}}, nil, 422, "Send a signed command to kiosk-001"},
	} {
		code, body := h.opsPost(tc.form, tc.hdr...)
		if code != tc.code || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %s", tc.name, code, body)
		}
	}
	if envs, _, _ := h.srv.Store.Commands(t.Context(), "kiosk-001", 0); len(envs) != 1 {
		t.Errorf("a refused form queued a command: %d stored", len(envs))
	}
	for path, want := range map[string]int{"/ops/kiosks/kiosk-999": 404, "/ops/live/kiosks/kiosk-999": 404, "/ops/kiosks/kiosk-999/json": 404,
		"/ops/static/console.js": 200, "/ops/static/console.css": 200, "/ops/static/fleet.html": 404, "/ops/live/kiosks/kiosk-001": 200} {
		if code, _ := h.opsGet(path); code != want {
			t.Errorf("GET %s: %d, want %d", path, code, want)
		}
	}
}

// TestConsoleShowsNoPersonalData: the console shows what kiosks report
// about themselves; an ID number used at a kiosk must not reach it.
func TestConsoleShowsNoPersonalData(t *testing.T) {
	h := newHarness(t)
	h.sessionByPassword("kiosk-001", idSara)
	h.heartbeat("kiosk-001", 1, api.Heartbeat{Version: "1"})
	for _, p := range []string{"/ops/", "/ops/live/fleet", "/ops/kiosks/kiosk-001", "/ops/fleet.json", "/ops/kiosks/kiosk-001/json"} {
		_, body := h.opsGet(p)
		if strings.Contains(body, idSara) || strings.Contains(body, "+966500000002") {
			t.Errorf("%s shows an ID or a full mobile number", p)
		}
	}
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	want := golden.Read(t, filepath.Join("testdata", name), []byte(got))
	if string(want) != got {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

// FuzzHistoryFromKioskBytes: whatever a kiosk's stored heartbeat holds,
// the kiosk page reads and renders it without panicking, and markup in it
// stays text.
func FuzzHistoryFromKioskBytes(f *testing.F) {
	for _, s := range []string{`{"version":"1","parked":[{"id":1,"kind":"audit","created_at":"2026-03-10T09:00:00Z","attempts":3,"reason":"<b>x</b>"}]}`,
		`{"version":"<script>alert(1)</script>","out_of_service":true,"out_of_service_reason":"\u202egate"}`, `null`, `[]`, `{"devices":[{"detail":{"a":"b"}}]}`, "\xff", ""} {
		f.Add([]byte(s))
	}
	keys, err := seal.LoadOrCreate(filepath.Join(f.TempDir(), "records.key"))
	if err != nil {
		f.Fatal(err)
	}
	s := &Server{keys: keys}
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, payload []byte) {
		kid, sealed, err := keys.Seal(eventAAD("kiosk-001", "k"), payload)
		if err != nil {
			t.Fatal(err)
		}
		evs := []store.Event{{Kiosk: "kiosk-001", Key: "k", Kind: "heartbeat", ReceivedAt: at, KeyID: kid, Payload: sealed}}
		h := s.history("kiosk-001", evs, 60)
		if len(h) != 1 || (h[0].Heartbeat == nil) == (h[0].Problem == "") {
			t.Fatalf("history %+v", h)
		}
		p := KioskPage{Row: FleetRow{ID: "kiosk-001"}, History: h, Parked: []api.ParkedEvent{}, Commands: []CommandEntry{}}
		if hb := h[0].Heartbeat; hb != nil {
			p.Parked, p.Devices = hb.Parked, hb.Devices
			p.Row.Version, p.Row.OOSReason, p.Row.Reported = hb.Version, hb.OutOfServiceReason, true
		}
		var b strings.Builder
		if err := consoleTmpl.ExecuteTemplate(&b, "kiosk-live", consoleData{Now: at, Kiosk: &p}); err != nil {
			t.Fatalf("render: %v", err)
		}
		if strings.Contains(b.String(), "<script") {
			t.Fatalf("kiosk bytes became markup: %s", b.String())
		}
	})
}
