package app

import (
	"context"
	"math/rand"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/central"
	"github.com/absher-kiosk/kiosk/central/demo"
	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/internal/centretest"
	"github.com/absher-kiosk/kiosk/kiosk/simscanner"
	"github.com/absher-kiosk/kiosk/kiosk/store"
	"github.com/absher-kiosk/kiosk/kiosk/ui"
	"github.com/absher-kiosk/kiosk/sync/client"
	"github.com/absher-kiosk/kiosk/sync/seal"
)

// showcaseWorld is the real centre with the demo population, so the
// showcase people are exactly those a visitor meets at a demo kiosk.
func showcaseWorld(t *testing.T) (*world, []demo.Case, map[string]people.Person) {
	t.Helper()
	ppl, err := demo.Generate(1, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), "")
	if err != nil {
		t.Fatal(err)
	}
	s := centretest.Start(t, central.Options{Population: ppl})
	c := centretest.Client(t, s, client.Config{Timeout: 30 * time.Second})
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
	byID := map[string]people.Person{}
	for _, p := range ppl {
		byID[p.ID] = p
	}
	return &world{s: s, client: c, queue: q, tls: &http.Client{Transport: &http.Transport{TLSClientConfig: centretest.TLS(t, s)}}},
		demo.Showcase(ppl), byID
}

func showcaseCase(t *testing.T, cases []demo.Case, id string) demo.Case {
	t.Helper()
	for _, c := range cases {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("showcase has no person %s", id)
	return demo.Case{}
}

// showcaseKiosk is the flow over the world with the demo scanner
// presenting each showcase person's finger, seen through the screens.
func showcaseKiosk(t *testing.T, w *world, cases []demo.Case) *kiosk {
	t.Helper()
	seeds := map[string]int64{}
	for _, c := range cases {
		seeds[c.ID] = c.ScannerSeed
	}
	scanner := simscanner.New(func(id string) int64 { return seeds[id] }, rand.New(rand.NewSource(5)))
	return updateMobileKiosk(simscanner.Presenting{Centre: w.client, Scanner: scanner}, scanner, w.delivering(t))
}

// drain forgets the views seen so far, so the next await sees only what
// follows.
func (k *kiosk) drain() {
	for {
		select {
		case <-k.views:
		default:
			return
		}
	}
}

func (k *kiosk) typeText(s string) {
	for _, r := range s {
		k.scr.Send(ui.Event{Kind: ui.EvKey, Key: r})
	}
}

// passwordAndCodes finishes a visit from the password screen: the
// password, the SMS code sent to the registered number, the new mobile
// number and its code, up to the result and the thank-you screen.
func passwordAndCodes(t *testing.T, w *world, k *kiosk, registeredMobile string) {
	t.Helper()
	v := k.await(t, "password", func(v ui.View) bool { return v.Screen == ui.ScreenPassword && !v.Busy })
	if !v.CanReveal || v.Revealed || v.Entry != "" {
		t.Fatalf("password screen %+v", v)
	}
	// Each event below may be applied on another goroutine (one still
	// telling the screens about the password step), so the screen is
	// awaited, not read at once; the views seen before each event are
	// dropped first, and none of them meets what is awaited next.
	// Confirm with nothing typed is refused on the spot.
	k.drain()
	k.send(ui.Event{Kind: ui.EvConfirm})
	k.await(t, "empty password refused", func(v ui.View) bool { return v.Problem == "password_empty" })
	// A wrong password first; the centre's refusal reads as a wrong password.
	k.drain()
	k.typeText("demo@2026")
	k.await(t, "typed password shown as dots", func(v ui.View) bool { return v.Entry == "•••••••••" })
	// Show shows the password itself, and a second touch hides it again.
	k.drain()
	k.send(ui.Event{Kind: ui.EvReveal})
	k.await(t, "revealed password", func(v ui.View) bool { return v.Revealed && v.Entry == "demo@2026" })
	k.drain()
	k.send(ui.Event{Kind: ui.EvReveal})
	k.await(t, "hidden again", func(v ui.View) bool { return !v.Revealed && v.Entry == "•••••••••" })
	k.drain()
	k.send(ui.Event{Kind: ui.EvConfirm})
	v = k.await(t, "wrong password", func(v ui.View) bool { return v.Screen == ui.ScreenPassword && !v.Busy && v.Problem != "" })
	if v.Problem != "password_wrong" || v.Entry != "" {
		t.Fatalf("after a wrong password %+v", v)
	}
	k.typeText(demo.ShowcasePassword)
	k.drain()
	k.send(ui.Event{Kind: ui.EvConfirm})
	// While the centre checks the password the screen says it is busy.
	k.await(t, "busy", func(v ui.View) bool { return v.Screen == ui.ScreenPassword && v.Busy })
	v = k.await(t, "fallback code", func(v ui.View) bool { return v.Screen == ui.ScreenCode && !v.Busy })
	if v.MobileLast4 != registeredMobile[len(registeredMobile)-4:] {
		t.Fatalf("code screen %+v, registered mobile ends %s", v, registeredMobile[len(registeredMobile)-4:])
	}
	k.typeDigits(w.code(t, registeredMobile))
	k.send(ui.Event{Kind: ui.EvConfirm})
	k.await(t, "mobile entry", step(ui.ScreenMobile))
	k.typeDigits("0512345678")
	k.send(ui.Event{Kind: ui.EvConfirm})
	k.await(t, "new number's code", func(v ui.View) bool { return v.Screen == ui.ScreenCode && !v.Busy && v.MobileLast4 == "5678" })
	k.typeDigits(w.code(t, newMobile))
	k.send(ui.Event{Kind: ui.EvConfirm})
	v = k.await(t, "result", step(ui.ScreenResult))
	if !v.Done {
		t.Fatalf("result %+v", v)
	}
	k.send(ui.Event{Kind: ui.EvConfirm})
	k.await(t, "thanks", step(ui.ScreenThanks))
}

func start(k *kiosk, id string) {
	k.send(ui.Event{Kind: ui.EvTouch}, ui.Event{Kind: ui.EvLanguage, Value: "en"})
	k.typeDigits(id)
	k.send(ui.Event{Kind: ui.EvConfirm}, ui.Event{Kind: ui.EvService, Value: "update_mobile"})
}

// Majed has no fingerprints: straight to the password, then the codes.
func TestMajedPasswordAndCode(t *testing.T) {
	w, cases, byID := showcaseWorld(t)
	const majed = "1021055692"
	c := showcaseCase(t, cases, majed)
	if c.Password != demo.ShowcasePassword {
		t.Fatalf("Majed's case %+v", c)
	}
	k := showcaseKiosk(t, w, cases)
	start(k, majed)
	passwordAndCodes(t, w, k, byID[majed].Mobile)
}

// Nora's finger is refused by touch on "Try again", and she chooses the
// password instead while the fingerprint screen still offers it.
func TestNoraFingerRefusedThenPassword(t *testing.T) {
	w, cases, byID := showcaseWorld(t)
	const nora = "1546104041"
	showcaseCase(t, cases, nora)
	k := showcaseKiosk(t, w, cases)
	start(k, nora)
	v := k.await(t, "fingerprint", func(v ui.View) bool { return v.Screen == ui.ScreenFinger && !v.Scanning })
	if !v.CanFallback || v.Finger != "right_index" {
		t.Fatalf("fingerprint screen %+v", v)
	}
	v = k.await(t, "first miss", func(v ui.View) bool { return v.Screen == ui.ScreenFinger && !v.Scanning && v.Problem != "" })
	if v.Problem != "finger_no_match" || v.Finger != "left_index" {
		t.Fatalf("after the first miss %+v", v)
	}
	// Try again by touch, before the automatic re-arm.
	k.send(ui.Event{Kind: ui.EvConfirm})
	v = k.await(t, "second miss", func(v ui.View) bool {
		return v.Screen == ui.ScreenFinger && !v.Scanning && v.Problem != "" && v.TriesLeft == 1
	})
	if !v.CanFallback {
		t.Fatalf("after the second miss the fallback is not offered: %+v", v)
	}
	k.send(ui.Event{Kind: ui.EvFallback})
	passwordAndCodes(t, w, k, byID[nora].Mobile)
}
