package store

import (
	"context"
	"fmt"
)

// TamperKind changes the kind of queued event id in place without sealing
// its payload again, as an edit of the file behind the kiosk's back would.
// It exists so that tests of the kiosk's tools can show what happens to such
// an event: the next read parks it with a seal reason, and it is never sent.
func (s *Store) TamperKind(ctx context.Context, id int64, kind string) error {
	return s.update(ctx, func(tx *Tx) error {
		res, err := tx.exec(`UPDATE outbox SET kind = ? WHERE id = ?`, kind, id)
		if err != nil {
			return fmt.Errorf("outbox: tamper with %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("outbox: tamper with %d: no such row", id)
		}
		return nil
	})
}
