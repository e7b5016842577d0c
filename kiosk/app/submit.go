package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/client"
	"github.com/absher-kiosk/kiosk/sync/outbox"
)

// Confirmer proves a new mobile number with its SMS code and returns the
// centre's grant; the centre client satisfies it.
type Confirmer interface {
	ConfirmMobile(ctx context.Context, token, mobile, code string) (api.MobileGrant, error)
}

// Queue is the part of the outbox the submitter uses; the kiosk's store
// is one.
type Queue interface {
	Update(ctx context.Context, fn func(tx outbox.Tx) error) error
	// Queued reports whether the event with this idempotency key is still
	// in the queue; acknowledged events are deleted.
	Queued(ctx context.Context, key string) (bool, error)
}

// Submitter writes a service request into the outbox in one transaction
// and waits a short while for the uploader to deliver it: acknowledged
// rows are deleted, so a row gone is a request the centre has stored.
type Submitter struct {
	Centre Confirmer
	Queue  Queue
	// Wait bounds how long the user waits for the centre's
	// acknowledgement before being told "received" with a reference.
	Wait time.Duration
	// After paces the checks for the row (time.After in the kiosk).
	After func(time.Duration) <-chan time.Time
	// Poll is the pause between checks.
	Poll time.Duration

	mu     sync.Mutex
	grants map[string]api.MobileGrant // by idempotency key, until queued
}

// Reference is the kiosk's receipt number for a request: "K-" and the
// first eight hex digits of its idempotency key, enough to find the row.
func Reference(key string) string {
	short := strings.ToUpper(strings.ReplaceAll(key, "-", ""))
	if len(short) > 8 {
		short = short[:8]
	}
	return "K-" + short
}

// Submit queues t and reports whether the centre already acknowledged it.
func (s *Submitter) Submit(ctx context.Context, t domain.Txn) (domain.Ack, error) {
	queued, err := s.queued(ctx, t.Key)
	if err != nil {
		return domain.Ack{}, err
	}
	if !queued {
		if err := s.enqueue(ctx, t); err != nil {
			return domain.Ack{}, err
		}
	}
	ref := Reference(t.Key)
	if s.waitGone(ctx, t.Key) {
		return domain.Ack{Done: true, Reference: ref}, nil
	}
	return domain.Ack{Reference: ref}, nil
}

func (s *Submitter) enqueue(ctx context.Context, t domain.Txn) error {
	var ev outbox.Event
	switch t.Kind {
	case domain.UpdateMobile:
		g, err := s.grant(ctx, t)
		if err != nil {
			return err
		}
		if ev, err = client.MobileUpdatedEvent(t.Key, g, Reference(t.Key), time.Time{}); err != nil {
			return fmt.Errorf("submit: %w", err)
		}
	default:
		return fmt.Errorf("submit: no way to queue service %q; the kiosk and its service table disagree", t.Kind)
	}
	err := s.Queue.Update(ctx, func(tx outbox.Tx) error {
		_, err := tx.Enqueue(ev)
		return err
	})
	if err != nil {
		return fmt.Errorf("submit: write the request to the outbox: %w", err)
	}
	s.mu.Lock()
	delete(s.grants, t.Key)
	s.mu.Unlock()
	return nil
}

// grant confirms the code once per request: a code works once at the
// centre, so a retry after a failed write reuses the grant it gave.
func (s *Submitter) grant(ctx context.Context, t domain.Txn) (api.MobileGrant, error) {
	s.mu.Lock()
	g, ok := s.grants[t.Key]
	s.mu.Unlock()
	if ok {
		return g, nil
	}
	g, err := s.Centre.ConfirmMobile(ctx, t.Token, t.Fields["mobile"], t.Fields["code"])
	if err != nil {
		return g, err
	}
	s.mu.Lock()
	if s.grants == nil {
		s.grants = map[string]api.MobileGrant{}
	}
	if len(s.grants) >= 16 {
		clear(s.grants) // abandoned retries; their visits are over
	}
	s.grants[t.Key] = g
	s.mu.Unlock()
	return g, nil
}

func (s *Submitter) queued(ctx context.Context, key string) (bool, error) {
	q, err := s.Queue.Queued(ctx, key)
	if err != nil {
		return false, fmt.Errorf("submit: look the request up in the outbox: %w", err)
	}
	return q, nil
}

// waitGone checks for the row until it is gone or the wait is over.
func (s *Submitter) waitGone(ctx context.Context, key string) bool {
	if s.Wait <= 0 {
		return false
	}
	after, poll := s.After, s.Poll
	if after == nil {
		after = time.After
	}
	if poll <= 0 {
		poll = 50 * time.Millisecond
	}
	deadline := after(s.Wait)
	for {
		select {
		case <-ctx.Done():
			return false
		case <-deadline:
			return false
		case <-after(poll):
		}
		q, err := s.queued(ctx, key)
		if err == nil && !q {
			return true
		}
		if err != nil && errors.Is(err, context.Canceled) {
			return false
		}
	}
}
