package central

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// BenchmarkIngest posts batches of heartbeat-sized audit events over real
// TLS on loopback with a kiosk certificate, each event new (sealed, and
// the batch stored in one SQLite transaction).
func BenchmarkIngest(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			clk := newClock()
			s := start(b, b.TempDir(), clk)
			defer s.Close()
			tc, err := s.ClientTLS("kiosk-001")
			if err != nil {
				b.Fatal(err)
			}
			c := &http.Client{Transport: &http.Transport{TLSClientConfig: tc}, Timeout: 30 * time.Second}
			payload, _ := json.Marshal(api.Audit{Action: "service_started", Outcome: "ok", Service: domain.UpdateMobile, IDMasked: "******0008"})
			seq := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				batch := api.EventBatch{Events: make([]api.Event, n)}
				for j := range batch.Events {
					seq++
					batch.Events[j] = api.Event{IdempotencyKey: fmt.Sprintf("00000000-0000-4000-8000-%012d", seq), Kind: api.EventAudit, CreatedAt: clk.Now(), Payload: payload}
				}
				body, _ := json.Marshal(batch)
				res, err := c.Post(s.URL+"/v1/sync/events", "application/json", bytes.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					b.Fatalf("status %d", res.StatusCode)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
