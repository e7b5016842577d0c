package watchdog

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/outbox"
)

// ActionUIHung is the audit action of a UI hang.
const ActionUIHung = "ui.hung"

// OutcomeExiting is a hang report's outcome: the event is queued while the
// kiosk is still up and reaches the centre from the kiosk started next, so
// it tells what was done (the kiosk exited to be restarted), not that a
// restart happened.
const OutcomeExiting = "exiting_to_restart"

// Enqueuer queues an event; *store.Store is one.
type Enqueuer interface {
	Enqueue(ctx context.Context, ev outbox.Event) (outbox.Item, error)
}

// HangEvent is the audit event telling the centre the UI hung and the
// kiosk exited with ExitHung to be restarted.
func HangEvent(silent, timeout time.Duration, at time.Time) (outbox.Event, error) {
	b, err := json.Marshal(api.Audit{
		Action:  ActionUIHung,
		Outcome: OutcomeExiting,
		Detail: map[string]string{
			"exit_status": strconv.Itoa(ExitHung),
			"silent_ms":   strconv.FormatInt(silent.Milliseconds(), 10),
			"timeout_ms":  strconv.FormatInt(timeout.Milliseconds(), 10),
		},
	})
	if err != nil {
		return outbox.Event{}, err
	}
	return outbox.Event{Kind: string(api.EventAudit), Payload: b, Created: at}, nil
}

// ReportHang returns an OnHang callback that queues HangEvent before the
// restart, so the report survives it. The enqueue gets at most a few
// seconds: a wedged disk must not stop the restart.
func ReportHang(q Enqueuer, timeout time.Duration, onErr func(error)) func(silent time.Duration) {
	return func(silent time.Duration) {
		ev, err := HangEvent(silent, timeout, time.Now())
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			_, err = q.Enqueue(ctx, ev)
		}
		if err != nil && onErr != nil {
			onErr(fmt.Errorf("watchdog: queue the hang report: %w", err))
		}
	}
}
