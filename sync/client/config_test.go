package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/sync/api"
)

// TestConfigPuller takes a new config from the real centre over a
// long-poll, refuses one the kiosk's validation rejects (reported once,
// old kept), and starts from the stored one after a restart.
func TestConfigPuller(t *testing.T) {
	dir := t.TempDir()
	cdir := filepath.Join(dir, "centre")
	s := startCentre(t, cdir)
	o := openOutbox(t, filepath.Join(dir, "kiosk.db"))
	ctx := context.Background()
	var mu sync.Mutex
	var got []api.Config
	onConfig := func(c api.Config) { mu.Lock(); got = append(got, c); mu.Unlock() }
	last := func() (api.Config, int) { mu.Lock(); defer mu.Unlock(); return got[len(got)-1], len(got) }
	// The kiosk refuses configs without an announcement; the contract's
	// own checks accept them.
	validate := func(c api.Config) error {
		if len(c.Announcements) == 0 {
			return errors.New("no announcement")
		}
		return nil
	}
	c := newClient(t, s, "")
	p := NewConfigPuller(c, o, validate, onConfig, PullOptions{Wait: 10 * time.Second})

	good := api.DefaultConfig()
	good.Announcements = []api.Announcement{{Text: api.Text{AR: "مرحبا", EN: "Welcome"}}}
	good.HeartbeatIntervalSeconds = 30
	type result struct {
		tag string
		err error
	}
	res := make(chan result, 1)
	// Default config first: refused by the kiosk (no announcement).
	tag0, err := p.PollOnce(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok, _ := p.Stored(ctx); ok {
		t.Fatal("a refused config was stored")
	}
	// Long-poll on the refused ETag; ops set a good config while it waits.
	go func() { tag, err := p.PollOnce(ctx, tag0); res <- result{tag, err} }()
	time.Sleep(100 * time.Millisecond)
	if _, err := s.SetConfig(ctx, kiosk, good); err != nil {
		t.Fatal(err)
	}
	r := <-res
	if r.err != nil || r.tag == tag0 {
		t.Fatalf("long-poll: %+v", r)
	}
	if cfg, _ := last(); cfg.HeartbeatIntervalSeconds != 30 {
		t.Fatalf("OnConfig got %+v", cfg)
	}
	// Ops set a config the kiosk refuses: the old one stays.
	bad := good
	bad.Announcements = nil
	if _, err := s.SetConfig(ctx, kiosk, bad); err != nil {
		t.Fatal(err)
	}
	tagBad, err := p.PollOnce(ctx, r.tag)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.PollOnce(ctx, ""); err != nil { // the same bad one again: one report
		t.Fatal(err)
	}
	stored, tag, ok, err := p.Stored(ctx)
	if err != nil || !ok || tag != r.tag || stored.HeartbeatIntervalSeconds != 30 {
		t.Fatalf("stored after refusal: %+v %q %v %v", stored, tag, ok, err)
	}
	if _, n := last(); n != 1 {
		t.Fatalf("OnConfig called %d times, want 1", n)
	}
	// Restart: the stored config is handed over before any poll.
	ctx2, cancel := context.WithCancel(ctx)
	p2 := NewConfigPuller(c, o, validate, func(c api.Config) { onConfig(c); cancel() }, PullOptions{Wait: 10 * time.Second})
	if err := p2.Serve(ctx2); !errors.Is(err, context.Canceled) {
		t.Fatalf("Serve: %v", err)
	}
	if cfg, n := last(); n != 2 || cfg.HeartbeatIntervalSeconds != 30 {
		t.Fatalf("after restart OnConfig got %+v (%d calls)", cfg, n)
	}
	drain(t, NewUploader(c, o, UploaderOptions{}), o, 10*time.Second)
	var refused []string
	for _, e := range centreEvents(t, cdir, kiosk) {
		var a api.Audit
		if e.Kind == "audit" && json.Unmarshal(e.Payload, &a) == nil && a.Action == "config_refused" {
			refused = append(refused, a.Detail["etag"]+" "+a.Detail["reason"])
		}
	}
	if len(refused) != 2 || refused[0] == refused[1] {
		t.Fatalf("refusals at the centre %q, want one for %s and one for %s", refused, tag0, tagBad)
	}
}

// TestConfigBadDocumentsRefused serves documents the kiosk must not take:
// each is refused with a report, nothing is stored, nothing panics.
func TestConfigBadDocumentsRefused(t *testing.T) {
	docs := []string{
		``, `{}`, `null`, `[]`, `{"services":[]`, `{"services":[],"extra":1}`, "\xff\xfe",
		`{"services":[],"fees":[],"timeouts":{"idle_seconds":5,"warning_seconds":20,"online_call_seconds":15},"technician_pin_hash":"","announcements":[],"out_of_service_message":{"ar":"","en":""},"heartbeat_interval_seconds":60}`,
	}
	var i int
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", fmt.Sprintf(`"%d"`, i))
		w.Write([]byte(docs[i]))
	}))
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL, KioskID: kiosk, HTTP: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	o := openOutbox(t, filepath.Join(t.TempDir(), "k.db"))
	ctx := context.Background()
	p := NewConfigPuller(c, o, nil, func(api.Config) { t.Error("a bad config was handed over") }, PullOptions{})
	for i = range docs {
		if _, err := p.PollOnce(ctx, ""); err != nil {
			t.Fatalf("doc %d: %v", i, err)
		}
		if _, _, ok, _ := p.Stored(ctx); ok {
			t.Fatalf("doc %d stored", i)
		}
	}
	items, err := o.Next(ctx, 100, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != len(docs) {
		t.Fatalf("%d refusals queued, want %d", len(items), len(docs))
	}
}
