package app

import (
	"context"
	"math/rand"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/central"
	"github.com/absher-kiosk/kiosk/central/demo"
	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/devices/fingerprint/synth"
	"github.com/absher-kiosk/kiosk/internal/centretest"
	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/flow"
	"github.com/absher-kiosk/kiosk/kiosk/ui"
	"github.com/absher-kiosk/kiosk/sync/client"
)

// demoNow is the day the demo population is generated for: its edges
// (days before a visa's expiry, passport months left) count from it.
var demoNow = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

// demoWorld is the real centre with the seed-1 demo population over TLS
// on loopback and the kiosk's real centre client.
type demoWorld struct {
	s      *central.Server
	client *client.Client
	ppl    []people.Person
}

func newDemoWorld(t testing.TB, fixtures string) *demoWorld {
	t.Helper()
	if fixtures == "" {
		fixtures = t.TempDir()
	}
	ppl, err := demo.Generate(1, demoNow, fixtures)
	if err != nil {
		t.Fatal(err)
	}
	s := centretest.Start(t, central.Options{Clock: func() time.Time { return demoNow }, Seed: 1, FixtureDir: fixtures})
	c := centretest.Client(t, s, client.Config{Timeout: 30 * time.Second, Clock: func() time.Time { return demoNow }})
	return &demoWorld{s: s, client: c, ppl: ppl}
}

var smsCode = regexp.MustCompile(`\b(\d{6})\b`)

// lastCode is the six-digit code of the last SMS to mobile.
func (w *demoWorld) lastCode(t *testing.T, mobile string) string {
	t.Helper()
	m, ok := w.s.SMSSink.Last(mobile)
	if !ok {
		t.Fatalf("no SMS to %s", mobile)
	}
	c := smsCode.FindStringSubmatch(m.Text)
	if c == nil {
		t.Fatalf("no code in the SMS")
	}
	return c[1]
}

// fingers presents synthetic impressions of the given enrolled fingers,
// one per capture, the last one again when the list is used up.
type fingers struct {
	mu    sync.Mutex
	seeds []int64
	rnd   *rand.Rand
}

func newFingers(seeds ...int64) *fingers {
	return &fingers{seeds: seeds, rnd: rand.New(rand.NewSource(9))}
}

func (f *fingers) Usable() bool { return true }

func (f *fingers) Capture(ctx context.Context) (flow.ScanImage, error) {
	f.mu.Lock()
	seed := f.seeds[0]
	if len(f.seeds) > 1 {
		f.seeds = f.seeds[1:]
	}
	r := rand.New(rand.NewSource(f.rnd.Int63()))
	f.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return flow.ScanImage{}, err
	}
	return flow.ScanImage{Image: synth.NewFinger(seed).Capture(r), DPI: 500}, nil
}

// newServiceKiosk is the program's wiring of the services (WithServices)
// over the demo world, seen through the screens' adapter.
func newServiceKiosk(t *testing.T, w *demoWorld, scanner flow.Scanner, printer flow.Printer) *kiosk {
	t.Helper()
	d := WithServices(context.Background(), w.client, nil, flow.Deps{
		Services:     flow.Services(),
		Centre:       w.client,
		Scanner:      scanner,
		EncodeRecord: EncodeRecord,
		Printer:      printer,
		Submitter:    refuseQueued{t},
	})
	k := &kiosk{scr: NewScreens(flow.New(d), 3*time.Second), views: make(chan ui.View, 4096)}
	k.scr.Subscribe(func(v ui.View) {
		select {
		case k.views <- v:
		default: // a test that stopped reading does not block the flow
		}
	})
	return k
}

// refuseQueued fails the test when a service that must go online is
// routed to the outbox instead.
type refuseQueued struct{ t *testing.T }

func (r refuseQueued) Submit(_ context.Context, tx domain.Txn) (domain.Ack, error) {
	r.t.Errorf("%s was routed to the outbox", tx.Kind)
	return domain.Ack{}, context.Canceled
}

// identify walks from the attract screen to the service's first step
// after a matched fingerprint.
func (k *kiosk) identify(t *testing.T, lang, id string, menu domain.ServiceID) {
	t.Helper()
	k.send(ui.Event{Kind: ui.EvTouch}, ui.Event{Kind: ui.EvLanguage, Value: lang})
	k.typeDigits(id)
	k.send(ui.Event{Kind: ui.EvConfirm})
	v := k.await(t, "menu", step(ui.ScreenMenu))
	offered := false
	for _, s := range v.Services {
		offered = offered || s == menu
	}
	if !offered {
		t.Fatalf("menu %v does not offer %s", v.Services, menu)
	}
	k.send(ui.Event{Kind: ui.EvService, Value: string(menu)})
	k.await(t, "fingerprint", func(v ui.View) bool { return v.Screen == ui.ScreenFinger && !v.Scanning })
	k.await(t, "past the fingerprint", func(v ui.View) bool { return v.Screen != ui.ScreenFinger && v.Screen != ui.ScreenMenu })
}
