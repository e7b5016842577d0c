package store

import (
	"context"
	"fmt"
	"time"
)

// RecentEvents returns up to limit of a kiosk's stored events of one kind,
// newest received first. The ops console reads heartbeats (health
// history) and command results through it; payloads stay sealed.
func (s *SQLite) RecentEvents(ctx context.Context, kiosk, kind string, limit int) ([]Event, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT kiosk, idem_key, kind, created_at, received_at, key_id, payload FROM events
		WHERE kiosk = ? AND kind = ? ORDER BY received_at DESC, created_at DESC LIMIT ?`, kiosk, kind, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list %s events of %s: %w", kind, kiosk, err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var created, received int64
		if err := rows.Scan(&e.Kiosk, &e.Key, &e.Kind, &created, &received, &e.KeyID, &e.Payload); err != nil {
			return nil, fmt.Errorf("store: read event: %w", err)
		}
		e.CreatedAt, e.ReceivedAt = time.Unix(0, created).UTC(), time.Unix(0, received).UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list %s events of %s: %w", kind, kiosk, err)
	}
	return out, nil
}
