package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestRecentEventsNewestFirstByKiosk(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	add := func(kiosk, key, kind string, min int) {
		t.Helper()
		e := Event{Kiosk: kiosk, Key: key, Kind: kind, CreatedAt: at, ReceivedAt: at.Add(time.Duration(min) * time.Minute), KeyID: "k1", Payload: []byte(key)}
		if _, _, err := s.InsertEvent(ctx, e, nil); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		add("kiosk-001", fmt.Sprintf("hb-%d", i), "heartbeat", i)
	}
	add("kiosk-001", "audit-1", "audit", 9)
	add("kiosk-002", "hb-x", "heartbeat", 10)

	tests := []struct {
		kiosk, kind string
		limit       int
		want        []string
	}{
		{"kiosk-001", "heartbeat", 3, []string{"hb-4", "hb-3", "hb-2"}},
		{"kiosk-001", "heartbeat", 10, []string{"hb-4", "hb-3", "hb-2", "hb-1", "hb-0"}},
		{"kiosk-001", "audit", 10, []string{"audit-1"}},
		{"kiosk-002", "heartbeat", 10, []string{"hb-x"}},
		{"kiosk-003", "heartbeat", 10, nil},
		{"kiosk-001", "heartbeat", 0, nil},
	}
	for _, tc := range tests {
		got, err := s.RecentEvents(ctx, tc.kiosk, tc.kind, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, e := range got {
			keys = append(keys, e.Key)
			if e.Kiosk != tc.kiosk || e.Kind != tc.kind || string(e.Payload) != e.Key || !e.CreatedAt.Equal(at) {
				t.Errorf("%s/%s: event %+v", tc.kiosk, tc.kind, e)
			}
		}
		if fmt.Sprint(keys) != fmt.Sprint(tc.want) {
			t.Errorf("%s/%s limit %d: %v, want %v", tc.kiosk, tc.kind, tc.limit, keys, tc.want)
		}
	}
}
