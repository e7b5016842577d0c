package app

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/config"
	"github.com/absher-kiosk/kiosk/kiosk/supervise"
	"github.com/absher-kiosk/kiosk/kiosk/watchdog"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// TestHungUIExitsWithoutTheUIThread: the UI thread never answers the
// watchdog's probe, as when it is frozen. The kiosk must end the process
// itself with watchdog.ExitHung, from the watchdog's goroutine, within the
// watchdog's timeout (plus the ping interval it is noticed on) and the
// bounded shutdown; by then the hang is in the store, the background
// services have stopped and the store is closed. Exit, the orderly path
// that quits the window on the UI thread, cannot end a hung program.
func TestHungUIExitsWithoutTheUIThread(t *testing.T) { synctest.Test(t, testHungUIExits) }

func testHungUIExits(t *testing.T) {
	dir := t.TempDir()
	cfg := config.Defaults()
	cfg.Watchdog = config.Watchdog{Timeout: config.Duration{Duration: 2 * time.Second}, Interval: config.Duration{Duration: 500 * time.Millisecond}}

	type ending struct {
		code            int
		at              time.Time
		stopped, closed bool
	}
	ended := make(chan ending, 1)
	var stopOnce sync.Once
	stopped := make(chan struct{})
	q := openOutbox(t, dir)
	k := unopened(context.Background(), cfg, slog.New(slog.DiscardHandler), Options{
		// The orderly exit is what a frozen UI never completes.
		Exit: func(int) {},
		Terminate: func(code int) {
			e := ending{code: code, at: time.Now()}
			select {
			case <-stopped:
				e.stopped = true
			default:
			}
			_, err := q.Next(context.Background(), 1, 1<<20)
			e.closed = err != nil
			ended <- e
		},
	})
	defer k.Close()
	k.queue = q
	k.sup = supervise.New(supervise.Options{})
	k.sup.Add("background", supervise.Func(func(ctx context.Context) error {
		<-ctx.Done()
		stopOnce.Do(func() { close(stopped) })
		return ctx.Err()
	}))
	k.served = make(chan struct{})
	go func() { defer close(k.served); _ = k.sup.Serve(k.ctx) }()

	start := time.Now()
	// The posted probe is dropped: this UI thread never runs anything.
	if err := k.watch(func(func()) {}); err != nil {
		t.Fatal(err)
	}
	limit := cfg.Watchdog.Timeout.Duration + cfg.Watchdog.Interval.Duration + hangShutdown
	var e ending
	select {
	case e = <-ended:
	case <-time.After(limit + time.Minute):
		t.Fatalf("the process was not ended within %v of the UI hanging", limit+time.Minute)
	}
	if took := e.at.Sub(start); e.code != watchdog.ExitHung || took > limit {
		t.Fatalf("ended with %d after %v; want %d within %v", e.code, took, watchdog.ExitHung, limit)
	}
	if !e.stopped || !e.closed {
		t.Fatalf("at the exit: background services stopped %v, store closed %v; want both", e.stopped, e.closed)
	}

	// The report waits in the store for the kiosk that starts next.
	again := openOutbox(t, dir)
	defer again.Close()
	items, err := again.Next(context.Background(), 10, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Kind != string(api.EventAudit) {
		t.Fatalf("queued %+v, want the hang report alone", items)
	}
	var a api.Audit
	if err := json.Unmarshal(items[0].Payload, &a); err != nil {
		t.Fatal(err)
	}
	if a.Action != watchdog.ActionUIHung || a.Outcome != "exiting_to_restart" || a.Detail["exit_status"] != "75" {
		t.Fatalf("hang report %+v", a)
	}
}
