package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/absher-kiosk/kiosk/sync/outbox"
)

// CommandApplied reports whether the command with this id was applied
// before. Call it in the same Update that applies the command, so a command
// delivered twice is applied once.
func (t *Tx) CommandApplied(id string) (bool, error) {
	var one int
	err := t.tx.QueryRowContext(t.ctx, `SELECT 1 FROM applied_commands WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: look up command %s: %w", id, err)
	}
	return true, nil
}

// RecordCommand records that a command was applied. Recording the same id
// twice is an error, which rolls back the second application.
func (t *Tx) RecordCommand(id string, seq int64, kind string) error {
	if id == "" {
		return errors.New("store: record command: empty command id")
	}
	_, err := t.tx.ExecContext(t.ctx, `INSERT INTO applied_commands (id, seq, kind, applied_at) VALUES (?, ?, ?, ?)`,
		id, seq, kind, t.s.opt.Clock().UnixNano())
	if err != nil {
		return fmt.Errorf("store: record command %s: %w", id, err)
	}
	return nil
}

// GetKV reads a value kept beside the queue, such as the last applied
// command sequence or the configuration ETag.
func (t *Tx) GetKV(key string) (value string, ok bool, err error) {
	err = t.tx.QueryRowContext(t.ctx, `SELECT value FROM kv WHERE key = ?`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: read %s: %w", key, err)
	}
	return value, true, nil
}

// SetKV writes a value kept beside the queue.
func (t *Tx) SetKV(key, value string) error {
	_, err := t.tx.ExecContext(t.ctx, `INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("store: write %s: %w", key, err)
	}
	return nil
}

// GetKV reads a setting outside any transaction.
func (s *Store) GetKV(ctx context.Context, key string) (value string, ok bool, err error) {
	err = s.r.QueryRowContext(ctx, `SELECT value FROM kv WHERE key = ?`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, s.fault(fmt.Errorf("store: read %s: %w", key, err))
	}
	return value, true, nil
}

// SetKV writes a setting in a transaction of its own.
func (s *Store) SetKV(ctx context.Context, key, value string) error {
	return s.Update(ctx, func(tx outbox.Tx) error { return tx.SetKV(key, value) })
}
