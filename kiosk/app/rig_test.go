package app

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand"
	"net/http"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/central"
	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/internal/centretest"
	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/flow"
	"github.com/absher-kiosk/kiosk/kiosk/simscanner"
	"github.com/absher-kiosk/kiosk/kiosk/store"
	"github.com/absher-kiosk/kiosk/kiosk/ui"
	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/client"
	"github.com/absher-kiosk/kiosk/sync/seal"
)

const (
	fingerSeed = centretest.FingerSeed
	registered = centretest.Mobile
	newMobile  = "+966512345678"
)

// world is a real centre over TLS on loopback, the kiosk's real client and
// a real outbox file, with the demo scanner presenting the person's finger.
type world struct {
	s      *central.Server
	client *client.Client
	queue  *store.Store
	id     string
	tls    *http.Client
}

func newWorld(t *testing.T) *world {
	t.Helper()
	p := centretest.Person()
	s := centretest.Start(t, central.Options{Population: []people.Person{p}})
	c := centretest.Client(t, s, client.Config{Timeout: 30 * time.Second})
	return &world{s: s, client: c, queue: openQueue(t), id: p.ID, tls: &http.Client{Transport: &http.Transport{TLSClientConfig: centretest.TLS(t, s)}}}
}

// openQueue opens a real outbox file in a fresh folder.
func openQueue(t *testing.T) *store.Store {
	t.Helper()
	dir := t.TempDir()
	keys, err := seal.LoadOrCreate(filepath.Join(dir, "outbox.key"))
	if err != nil {
		t.Fatal(err)
	}
	q, err := store.Open(context.Background(), filepath.Join(dir, "kiosk.db"), keys, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return q
}

// deliver sends every due row to the centre and acks the accepted ones:
// what the uploader does, reduced to one batch for the test.
func (w *world) deliver(t *testing.T) []api.EventResult {
	t.Helper()
	ctx := context.Background()
	items, err := w.queue.Next(ctx, 100, 1<<20)
	if err != nil || len(items) == 0 {
		return nil
	}
	var b api.EventBatch
	for _, it := range items {
		b.Events = append(b.Events, api.Event{IdempotencyKey: it.Key, Kind: api.EventKind(it.Kind), CreatedAt: it.Created, Payload: it.Payload})
	}
	body, _ := json.Marshal(b)
	res, err := w.tls.Post(w.s.URL+"/v1/sync/events", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Error(err)
		return nil
	}
	defer res.Body.Close()
	var out api.EventBatchResponse
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Error(err)
		return nil
	}
	var ids []int64
	for i, r := range out.Results {
		if r.Status == api.ItemStored || r.Status == api.ItemDuplicate {
			ids = append(ids, items[i].ID)
		}
	}
	if err := w.queue.Ack(ctx, ids); err != nil {
		t.Error(err)
	}
	return out.Results
}

var codeRE = regexp.MustCompile(`\b(\d{6})\b`)

func (w *world) code(t *testing.T, mobile string) string {
	t.Helper()
	m, ok := w.s.SMSSink.Last(mobile)
	if !ok {
		t.Fatalf("no SMS to %s", mobile)
	}
	c := codeRE.FindStringSubmatch(m.Text)
	if c == nil {
		t.Fatalf("no code in %q", m.Text)
	}
	return c[1]
}

// kiosk is the flow machine over the world, seen through the screens'
// adapter, with every view change collected.
type kiosk struct {
	scr   *Screens
	views chan ui.View
}

func newKiosk(t *testing.T, w *world, sub flow.Submitter) *kiosk {
	t.Helper()
	scanner := simscanner.New(func(string) int64 { return fingerSeed }, rand.New(rand.NewSource(5)))
	return updateMobileKiosk(simscanner.Presenting{Centre: w.client, Scanner: scanner}, scanner, sub)
}

// updateMobileKiosk is the screens' machine over an Update Mobile flow
// made of the given parts, with every view change collected.
func updateMobileKiosk(c flow.Centre, sc flow.Scanner, sub flow.Submitter) *kiosk {
	m := flow.New(flow.Deps{Centre: c, Scanner: sc, EncodeRecord: EncodeRecord, Submitter: sub,
		Services: flow.Services(), Menu: []flow.ServiceItem{{ID: domain.UpdateMobile, Enabled: true}}})
	k := &kiosk{scr: NewScreens(m, 3*time.Second), views: make(chan ui.View, 4096)}
	k.scr.Subscribe(func(v ui.View) { k.views <- v })
	return k
}

// delivering is the outbox submitter with the uploader's delivery run
// while the person waits, so the centre acknowledges at once.
func (w *world) delivering(t *testing.T) *Submitter {
	never := make(chan time.Time)
	return &Submitter{Centre: w.client, Queue: w.queue, Wait: time.Minute, After: func(d time.Duration) <-chan time.Time {
		if d == time.Minute {
			return never
		}
		w.deliver(t)
		c := make(chan time.Time, 1)
		c <- time.Time{}
		return c
	}}
}

// toFingerprint walks from the attract screen to Update Mobile's
// fingerprint screen for id.
func (k *kiosk) toFingerprint(t *testing.T, lang, id string) ui.View {
	t.Helper()
	k.send(ui.Event{Kind: ui.EvTouch}, ui.Event{Kind: ui.EvLanguage, Value: lang})
	k.typeDigits(id)
	k.send(ui.Event{Kind: ui.EvConfirm})
	k.await(t, "menu", step(ui.ScreenMenu))
	k.send(ui.Event{Kind: ui.EvService, Value: "update_mobile"})
	return k.await(t, "fingerprint", func(v ui.View) bool { return v.Screen == ui.ScreenFinger && !v.Scanning })
}

func (k *kiosk) send(evs ...ui.Event) {
	for _, e := range evs {
		k.scr.Send(e)
	}
}

func (k *kiosk) typeDigits(s string) {
	for _, r := range s {
		k.scr.Send(ui.Event{Kind: ui.EvKey, Key: r})
	}
}

// await reads views until one satisfies ok; the bound only keeps a broken
// build from hanging the suite.
func (k *kiosk) await(t *testing.T, what string, ok func(ui.View) bool) ui.View {
	t.Helper()
	if v := k.scr.View(); ok(v) {
		return v
	}
	bound := time.After(60 * time.Second)
	for {
		select {
		case v := <-k.views:
			if ok(v) {
				return v
			}
		case <-bound:
			t.Fatalf("never reached %s; last view %+v", what, k.scr.View())
		}
	}
}

func step(s ui.Screen) func(ui.View) bool { return func(v ui.View) bool { return v.Screen == s } }

// workQueue holds the operations the flow hands to Deps.Go, so a test runs
// them when it chooses. The flow queues from whichever goroutine sent the
// event (a timer's, for the screens' arming), so the queue is locked.
type workQueue struct {
	mu      sync.Mutex
	pending []func()
}

// Go is the flow's Deps.Go.
func (q *workQueue) Go(f func()) { q.mu.Lock(); q.pending = append(q.pending, f); q.mu.Unlock() }

// drain runs what is queued, and what that queues, until nothing is left.
func (q *workQueue) drain() {
	for {
		q.mu.Lock()
		if len(q.pending) == 0 {
			q.mu.Unlock()
			return
		}
		f := q.pending[0]
		q.pending = q.pending[1:]
		q.mu.Unlock()
		f()
	}
}
