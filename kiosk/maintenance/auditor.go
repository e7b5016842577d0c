package maintenance

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/outbox"
)

// Enqueuer is the part of the outbox an OutboxAuditor needs.
type Enqueuer interface {
	Enqueue(ctx context.Context, ev outbox.Event) (outbox.Item, error)
}

// OutboxAuditor queues audit events in the outbox for the uploader to
// deliver as api.EventAudit. Payloads are sealed by the outbox.
type OutboxAuditor struct {
	Queue Enqueuer
	Clock func() time.Time // default time.Now
}

// Audit queues a.
func (o OutboxAuditor) Audit(ctx context.Context, a api.Audit) error {
	b, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("audit event %s cannot be encoded: %w", a.Action, err)
	}
	now := time.Now
	if o.Clock != nil {
		now = o.Clock
	}
	if _, err := o.Queue.Enqueue(ctx, outbox.Event{Kind: string(api.EventAudit), Payload: b, Created: now()}); err != nil {
		return fmt.Errorf("audit event %s was not queued; check the outbox health: %w", a.Action, err)
	}
	return nil
}
