package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/ui"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// walk goes through Update Mobile on the screens' events, against the
// real centre, up to the result screen.
func walk(t *testing.T, w *world, k *kiosk) ui.View {
	t.Helper()
	v := k.toFingerprint(t, "en", w.id)
	if v.Finger != "right_index" {
		t.Fatalf("first finger %q", v.Finger)
	}
	k.await(t, "mobile entry", step(ui.ScreenMobile))
	// The screen draws the places the flow gives (the local form's ten),
	// not a number of its own; the flow takes the longer forms too.
	if got, fv := k.scr.View().Places, k.scr.M.View(); got != fv.EntryPlaces || got != 10 || fv.MaxEntry < got {
		t.Fatalf("mobile entry: %d places on screen, the flow's %d of at most %d", got, fv.EntryPlaces, fv.MaxEntry)
	}
	k.typeDigits("0512345678")
	k.send(ui.Event{Kind: ui.EvConfirm})
	v = k.await(t, "code", func(v ui.View) bool { return v.Screen == ui.ScreenCode && v.ResendIn > 0 })
	if v.MobileLast4 != "5678" || v.ResendIn != 60 {
		t.Fatalf("code screen %+v", v)
	}
	k.typeDigits("000000")
	k.typeDigits(w.code(t, newMobile)[:0])
	for range 6 {
		k.send(ui.Event{Kind: ui.EvDelete})
	}
	k.typeDigits(w.code(t, newMobile))
	k.send(ui.Event{Kind: ui.EvConfirm})
	return k.await(t, "result", step(ui.ScreenResult))
}

func TestUpdateMobileQueuedWhenNotDelivered(t *testing.T) {
	w := newWorld(t)
	sub := &Submitter{Centre: w.client, Queue: w.queue, Wait: time.Second, After: func(time.Duration) <-chan time.Time {
		c := make(chan time.Time, 1)
		c <- time.Time{}
		return c
	}}
	k := newKiosk(t, w, sub)
	v := walk(t, w, k)
	if v.Done || !strings.HasPrefix(v.Reference, "K-") || len(v.Reference) != 10 {
		t.Fatalf("result %+v", v)
	}
	st, err := w.queue.Stats(context.Background())
	if err != nil || st.Depth != 1 {
		t.Fatalf("queue %+v, %v", st, err)
	}
	// Delivered later, exactly once.
	res := w.deliver(t)
	if len(res) != 1 || res[0].Status != api.ItemStored {
		t.Fatalf("delivery %+v", res)
	}
	k.send(ui.Event{Kind: ui.EvConfirm})
	k.await(t, "thanks", step(ui.ScreenThanks))
}

func TestUpdateMobileDoneWhenAcknowledged(t *testing.T) {
	w := newWorld(t)
	sub := w.delivering(t)
	k := newKiosk(t, w, sub)
	v := walk(t, w, k)
	if !v.Done || !strings.HasPrefix(v.Reference, "K-") {
		t.Fatalf("result %+v", v)
	}
	if st, _ := w.queue.Stats(context.Background()); st.Depth != 0 {
		t.Fatalf("row left after ack: %+v", st)
	}
	if m, ok := w.s.SMSSink.Last(newMobile); !ok || m.Text == "" {
		t.Fatal("no code was sent to the new number")
	}
}
