package client

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/outbox"
)

// StatsSource is the queue's health as the heartbeat reports it.
type StatsSource interface {
	Stats(ctx context.Context) (outbox.Stats, error)
}

// Heartbeat queues a heartbeat event every interval.
type Heartbeat struct {
	s        Store
	stats    StatsSource
	source   func() api.Heartbeat
	interval func() time.Duration
	log      *slog.Logger
}

// NewHeartbeat builds the heartbeat. source gives what the kiosk knows
// (devices, version, uptime, service state, config ETag); the queue fields
// and last command are filled here. interval is read before each wait, so
// a new config's heartbeat_interval_seconds applies at once.
func NewHeartbeat(s Store, stats StatsSource, source func() api.Heartbeat, interval func() time.Duration, log *slog.Logger) *Heartbeat {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if source == nil {
		source = func() api.Heartbeat { return api.Heartbeat{} }
	}
	if interval == nil {
		interval = func() time.Duration { return time.Minute }
	}
	return &Heartbeat{s: s, stats: stats, source: source, interval: interval, log: log}
}

func (h *Heartbeat) String() string { return "heartbeat" }

// Serve beats once at start and then every interval until ctx ends.
func (h *Heartbeat) Serve(ctx context.Context) error {
	for {
		if _, err := h.Beat(ctx); err != nil && ctx.Err() == nil {
			h.log.Warn("heartbeat not queued", "err", err)
		}
		d := h.interval()
		if d < 5*time.Second {
			d = 5 * time.Second
		}
		if sleep(ctx, d, nil) {
			return ctx.Err()
		}
	}
}

// Beat queues one heartbeat, unless one is still waiting in the queue:
// while the centre is out of reach the queue then holds at most one
// heartbeat, and the one that goes when it comes back is not stale by more
// than the outage. queued reports whether a new one was added.
func (h *Heartbeat) Beat(ctx context.Context) (queued bool, err error) {
	st, err := h.stats.Stats(ctx)
	if err != nil {
		return false, fmt.Errorf("heartbeat: queue stats: %w", err)
	}
	hb := h.source()
	hb.QueueDepth = st.Depth
	hb.OldestQueuedAgeSeconds = int64(st.OldestAge / time.Second)
	hb.ParkedCount = st.Parked
	last, err := getInt(ctx, h.s, kvLastSeq)
	if err != nil {
		return false, fmt.Errorf("heartbeat: last command: %w", err)
	}
	hb.LastCommandSeq = last
	b, err := json.Marshal(hb)
	if err != nil {
		return false, fmt.Errorf("heartbeat: encode: %w", err)
	}
	err = h.s.Update(ctx, func(tx outbox.Tx) error {
		waiting, err := tx.Waiting(string(api.EventHeartbeat))
		if err != nil {
			return fmt.Errorf("count queued heartbeats: %w", err)
		}
		if waiting > 0 {
			return nil
		}
		if _, err := tx.Enqueue(outbox.Event{Kind: string(api.EventHeartbeat), Payload: b, Created: time.Now()}); err != nil {
			return err
		}
		queued = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("heartbeat: %w", err)
	}
	return queued, nil
}
