package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/outbox"
)

// Queue is what the uploader needs of the outbox.
type Queue interface {
	Next(ctx context.Context, maxCount, maxBytes int) ([]outbox.Item, error)
	Ack(ctx context.Context, ids []int64) error
	Fail(ctx context.Context, ids []int64, reason string, next time.Time) error
	Park(ctx context.Context, id int64, reason string) error
	Wake() <-chan struct{}
}

// UploaderOptions tune an Uploader; zero values are sensible.
type UploaderOptions struct {
	MaxBatch int // events per request; default 200, at most api.MaxBatchEvents
	// MaxBytes bounds the payload bytes of one batch; default 768 KiB,
	// leaving room under the centre's 1 MiB body limit for the envelopes.
	MaxBytes int
	Backoff  Backoff
	// Poll is how often an idle uploader looks for rows whose retry time
	// has come; enqueues wake it at once regardless. Default 1 s.
	Poll   time.Duration
	Logger *slog.Logger
}

// Uploader drains the outbox to the centre. Run one per outbox.
type Uploader struct {
	c    *Client
	q    Queue
	o    UploaderOptions
	st   status
	kick chan struct{}
	log  *slog.Logger
}

// NewUploader builds an uploader; Serve runs it.
func NewUploader(c *Client, q Queue, o UploaderOptions) *Uploader {
	if o.MaxBatch <= 0 || o.MaxBatch > api.MaxBatchEvents {
		o.MaxBatch = 200
	}
	if o.MaxBytes <= 0 || o.MaxBytes > api.MaxBodyBytes {
		o.MaxBytes = 768 << 10
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Uploader{c: c, q: q, o: o, kick: make(chan struct{}, 1), log: o.Logger}
}

// Status reports the last success, the last error and the failure streak.
func (u *Uploader) Status() Status { return u.st.get() }

// Kick ends a backoff wait at once (the "force sync" command, a
// technician's button).
func (u *Uploader) Kick() {
	select {
	case u.kick <- struct{}{}:
	default:
	}
}

func (u *Uploader) String() string { return "uploader" }

// Serve uploads until ctx ends, then returns ctx's error.
func (u *Uploader) Serve(ctx context.Context) error {
	limit := u.o.MaxBatch
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		items, err := u.q.Next(ctx, limit, u.o.MaxBytes)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if u.backoff(ctx, fmt.Errorf("read the outbox: %w", err), 0) {
				return ctx.Err()
			}
			continue
		}
		if len(items) == 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-u.q.Wake():
			case <-u.kick:
			case <-time.After(u.o.Poll):
			}
			continue
		}
		r := u.send(ctx, items)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		switch {
		case r.err == nil:
			u.st.ok(time.Now())
			limit = u.o.MaxBatch
		case r.split && len(items) > 1:
			// The centre refused the batch as a whole: find the bad
			// event by halving, so one poison item never blocks the rest.
			limit = max(len(items)/2, 1)
		case r.split:
			if err := u.q.Park(ctx, items[0].ID, "refused by the centre: "+r.err.Error()); err != nil && ctx.Err() == nil {
				u.log.Warn("park failed", "id", items[0].ID, "err", err)
			}
			limit = u.o.MaxBatch
		default:
			if u.backoff(ctx, r.err, r.retryAfter) {
				return ctx.Err()
			}
		}
	}
}

// backoff records a failure and waits: full jitter, or Retry-After when
// the centre asked for longer.
func (u *Uploader) backoff(ctx context.Context, err error, retryAfter time.Duration) (done bool) {
	now := time.Now()
	n := u.st.failures() + 1
	d := max(u.o.Backoff.Delay(n), retryAfter)
	u.st.fail(now, err, now.Add(d))
	u.log.Warn("upload failed; backing off", "failures", n, "wait", d, "err", pii.Scrub(err.Error()))
	return sleep(ctx, d, u.kick)
}

type sendResult struct {
	err        error
	split      bool // the batch as a whole was refused: halve it
	retryAfter time.Duration
}

// send uploads one batch and settles each item: stored or duplicate are
// deleted, rejected or conflicting are parked with the centre's reason.
func (u *Uploader) send(ctx context.Context, items []outbox.Item) sendResult {
	batch := api.EventBatch{Events: make([]api.Event, 0, len(items))}
	byKey := make(map[string]outbox.Item, len(items))
	ids := make([]int64, 0, len(items))
	for _, it := range items {
		if !json.Valid(it.Payload) {
			if err := u.q.Park(ctx, it.ID, "payload is not JSON; the centre cannot read it"); err != nil {
				return sendResult{err: err}
			}
			continue
		}
		batch.Events = append(batch.Events, api.Event{IdempotencyKey: it.Key, Kind: api.EventKind(it.Kind), CreatedAt: it.Created.UTC(), Payload: it.Payload})
		byKey[it.Key] = it
		ids = append(ids, it.ID)
	}
	if len(batch.Events) == 0 {
		return sendResult{}
	}
	r, err := u.c.do(ctx, http.MethodPost, "/v1/sync/events", nil, nil, batch, 0)
	if err != nil {
		var ae *answerError
		errors.As(err, &ae)
		switch {
		case errors.Is(err, ErrUnreachable) && ae != nil && ae.status != http.StatusServiceUnavailable:
			// The centre answered but failed on this batch. It counts
			// against the rows, so a batch that keeps breaking the centre
			// ends up parked instead of retried forever.
			now := time.Now()
			next := now.Add(u.o.Backoff.Delay(u.st.failures() + 1))
			if ferr := u.q.Fail(ctx, ids, err.Error(), next); ferr != nil {
				return sendResult{err: errors.Join(err, ferr)}
			}
			return sendResult{err: err, retryAfter: ae.retryAfter}
		case errors.Is(err, ErrUnreachable):
			// No answer, or "busy": an outage is not the rows' fault, so
			// attempts are not counted and nothing is parked for it.
			ra := time.Duration(0)
			if ae != nil {
				ra = ae.retryAfter
			}
			return sendResult{err: err, retryAfter: ra}
		case ae != nil && ae.status == http.StatusTooManyRequests:
			return sendResult{err: err, retryAfter: ae.retryAfter}
		case ae != nil && (ae.status == http.StatusBadRequest || ae.status == http.StatusRequestEntityTooLarge || ae.status == http.StatusUnprocessableEntity):
			return sendResult{err: err, split: true}
		default:
			// 401/403/404: the kiosk's identity or address is wrong. Retrying
			// with backoff lets a technician fix it without losing events.
			return sendResult{err: err}
		}
	}
	ack, park, left, err := settle(byKey, r.body)
	if err != nil {
		return sendResult{err: err}
	}
	for id, reason := range park {
		if err := u.q.Park(ctx, id, reason); err != nil {
			return sendResult{err: err}
		}
	}
	if err := u.q.Ack(ctx, ack); err != nil {
		return sendResult{err: fmt.Errorf("upload: delete acknowledged rows: %w", err)}
	}
	if left > 0 {
		// Items without a usable answer stay queued and go again.
		return sendResult{err: fmt.Errorf("upload: the centre answered %d of %d events: %w", len(batch.Events)-left, len(batch.Events), ErrUnreachable)}
	}
	return sendResult{}
}

// settle reads the centre's per-item answer: rows to delete, rows to park
// with the reason, and how many got no usable answer. Answers for keys not
// in the batch, and second answers for one key, are ignored.
func settle(byKey map[string]outbox.Item, body []byte) (ack []int64, park map[int64]string, left int, err error) {
	resp, err := api.Decode[api.EventBatchResponse](body)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("upload: the centre's answer does not read: %w: %w", ErrUnreachable, err)
	}
	done := make(map[string]bool, len(byKey))
	park = map[int64]string{}
	for _, res := range resp.Results {
		it, ok := byKey[res.IdempotencyKey]
		if !ok || done[res.IdempotencyKey] {
			continue
		}
		switch res.Status {
		case api.ItemStored, api.ItemDuplicate:
			ack = append(ack, it.ID)
		case api.ItemRejected, api.ItemConflict:
			park[it.ID] = fmt.Sprintf("%s: %s: %s", res.Status, res.Code, res.Message)
		default:
			continue
		}
		done[res.IdempotencyKey] = true
	}
	return ack, park, len(byKey) - len(done), nil
}
