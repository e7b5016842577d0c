package central

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/sync/api"
)

// seedFleet stores history heartbeats for each of n kiosks the way ingest
// does (sealed, one transaction each), a minute apart.
func seedFleet(b *testing.B, s *Server, clk *clock, kiosks, history int) {
	b.Helper()
	ctx := context.Background()
	hb := api.Heartbeat{Version: "2.1.0", QueueDepth: 2, OldestQueuedAgeSeconds: 30, ParkedCount: 1, PrinterPaper: api.PaperOK, PrinterState: api.DeviceOnline,
		ScannerState: api.DeviceOnline, HeartbeatIntervalSeconds: 60, Parked: []api.ParkedEvent{{ID: 1, Kind: "audit", CreatedAt: clk.Now(), Attempts: 10, Reason: "rejected"}}}
	payload, _ := json.Marshal(hb)
	start := clk.Now()
	for h := range history {
		at := start.Add(time.Duration(h) * time.Minute)
		for k := range kiosks {
			e := api.Event{IdempotencyKey: fmt.Sprintf("00000000-0000-4000-8000-%06d%06d", k, h), Kind: api.EventHeartbeat, CreatedAt: at, Payload: payload}
			if r, err := s.ingestOne(ctx, fmt.Sprintf("kiosk-%04d", k), e, at); err != nil || r.Status != api.ItemStored {
				b.Fatalf("seed: %+v %v", r, err)
			}
		}
	}
	clk.Add(time.Duration(history) * time.Minute)
}

// BenchmarkConsoleFleetRows is one live refresh of the fleet table: the
// rows fragment over loopback HTTP, as the page's script fetches it.
func BenchmarkConsoleFleetRows(b *testing.B) {
	for _, n := range []int{10, 100, 500} {
		b.Run(fmt.Sprintf("kiosks=%d", n), func(b *testing.B) {
			clk := newClock()
			s := start(b, b.TempDir(), clk)
			defer s.Close()
			seedFleet(b, s, clk, n, 2)
			url := strings.TrimSuffix(s.OpsURL, "/ops/") + "/ops/live/fleet"
			b.ResetTimer()
			for range b.N {
				res, err := http.Get(url)
				if err != nil {
					b.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != 200 || strings.Count(string(body), "<tr ") < n {
					b.Fatalf("%d, %d rows", res.StatusCode, strings.Count(string(body), "<tr "))
				}
			}
		})
	}
}

// BenchmarkConsoleKioskPage is one refresh of a kiosk page with a full
// history: HistoryRows heartbeats read and unsealed.
func BenchmarkConsoleKioskPage(b *testing.B) {
	clk := newClock()
	s := start(b, b.TempDir(), clk)
	defer s.Close()
	seedFleet(b, s, clk, 1, HistoryRows+20)
	url := strings.TrimSuffix(s.OpsURL, "/ops/") + "/ops/live/kiosks/kiosk-0000"
	b.ResetTimer()
	for range b.N {
		res, err := http.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || strings.Count(string(body), "<tr class=") != HistoryRows {
			b.Fatalf("%d, %d history rows", res.StatusCode, strings.Count(string(body), "<tr class="))
		}
	}
}
