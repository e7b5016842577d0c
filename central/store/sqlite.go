package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	_ "github.com/mattn/go-sqlite3" // the driver registers itself as "sqlite3"
)

// migrations are applied in order; each runs once and is recorded in
// schema_migrations. Append, never edit: deployed files have run them.
var migrations = []string{
	1: `CREATE TABLE events (
		kiosk TEXT NOT NULL,
		idem_key TEXT NOT NULL,
		kind TEXT NOT NULL,
		created_at INTEGER NOT NULL,
		received_at INTEGER NOT NULL,
		key_id TEXT NOT NULL,
		payload BLOB NOT NULL,
		PRIMARY KEY (kiosk, idem_key)
	);
	CREATE TABLE kiosks (
		id TEXT PRIMARY KEY,
		last_seen INTEGER NOT NULL,
		heartbeat BLOB
	);
	CREATE TABLE configs (
		kiosk TEXT PRIMARY KEY,
		doc BLOB NOT NULL,
		etag TEXT NOT NULL
	);
	CREATE TABLE commands (
		kiosk TEXT NOT NULL,
		seq INTEGER NOT NULL,
		envelope BLOB NOT NULL,
		PRIMARY KEY (kiosk, seq)
	);
	CREATE TABLE person_changes (
		slot TEXT PRIMARY KEY,
		key_id TEXT NOT NULL,
		sealed BLOB NOT NULL,
		updated_at INTEGER NOT NULL
	);`,
	2: `CREATE INDEX events_kind ON events (kiosk, kind);`,
	// The ops console reads a kiosk's newest heartbeats.
	3: `CREATE INDEX events_recent ON events (kiosk, kind, received_at);`,
	// Failed sign-ins count per person across restarts, so a restart does
	// not hand a guesser a fresh set of tries. Times are Unix nanoseconds,
	// 0 for none.
	4: `CREATE TABLE attempts (
		slot TEXT PRIMARY KEY,
		failures INTEGER NOT NULL,
		last_failure INTEGER NOT NULL,
		locks INTEGER NOT NULL,
		locked_until INTEGER NOT NULL,
		lock_code TEXT NOT NULL
	);`,
}

// SQLite is the Store in one SQLite file.
type SQLite struct {
	db *sql.DB
}

// OpenSQLite opens (creating) the database file at path and migrates it.
func OpenSQLite(ctx context.Context, path string) (*SQLite, error) {
	dsn := "file:" + path + "?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=5000&_foreign_keys=on&_txlock=immediate"
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	// One connection: SQLite has one writer anyway, and this keeps
	// read-your-writes simple. Throughput is measured in docs/central.md.
	db.SetMaxOpenConns(1)
	s := &SQLite{db: db}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *SQLite) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("store: create schema_migrations: %w", err)
	}
	var have int
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	if have > len(migrations)-1 {
		return fmt.Errorf("store: database schema is version %d, this program knows up to %d; run a newer central", have, len(migrations)-1)
	}
	for v := have + 1; v < len(migrations); v++ {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("store: migration %d: %w", v, err)
		}
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migration %d: %w", v, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, v, time.Now().Unix()); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: record migration %d: %w", v, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: commit migration %d: %w", v, err)
		}
	}
	return nil
}

// SchemaVersion is the highest applied migration.
func (s *SQLite) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

func (s *SQLite) Close() error { return s.db.Close() }

func (s *SQLite) InsertEvent(ctx context.Context, e Event, change *PersonChange) (bool, *Event, error) {
	res, err := s.InsertEvents(ctx, []Event{e}, []*PersonChange{change})
	if err != nil {
		return false, nil, err
	}
	return res[0].Inserted, res[0].Existing, nil
}

const (
	insertEventSQL  = `INSERT OR IGNORE INTO events (kiosk, idem_key, kind, created_at, received_at, key_id, payload) VALUES (?, ?, ?, ?, ?, ?, ?)`
	selectEventSQL  = `SELECT kiosk, idem_key, kind, created_at, received_at, key_id, payload FROM events WHERE kiosk = ? AND idem_key = ?`
	upsertChangeSQL = `INSERT INTO person_changes (slot, key_id, sealed, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (slot) DO UPDATE SET key_id = excluded.key_id, sealed = excluded.sealed, updated_at = excluded.updated_at`
)

func (s *SQLite) InsertEvents(ctx context.Context, events []Event, changes []*PersonChange) ([]InsertResult, error) {
	if changes != nil && len(changes) != len(events) {
		return nil, fmt.Errorf("store: %d changes for %d events; pass nil or one (possibly nil) per event", len(changes), len(events))
	}
	if len(events) == 0 {
		return nil, nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback()
	// Prepared once per batch: parsing the statement per row costs more
	// than the row itself.
	ins, err := tx.PrepareContext(ctx, insertEventSQL)
	if err != nil {
		return nil, fmt.Errorf("store: prepare insert event: %w", err)
	}
	defer ins.Close()
	out := make([]InsertResult, len(events))
	for i, e := range events {
		res, err := ins.ExecContext(ctx, e.Kiosk, e.Key, e.Kind, e.CreatedAt.UnixNano(), e.ReceivedAt.UnixNano(), e.KeyID, e.Payload)
		if err != nil {
			return nil, fmt.Errorf("store: insert event %d of %d: %w", i+1, len(events), err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return nil, fmt.Errorf("store: insert event %d of %d: %w", i+1, len(events), err)
		}
		if n == 0 {
			old, err := scanEvent(tx.QueryRowContext(ctx, selectEventSQL, e.Kiosk, e.Key))
			if err != nil {
				return nil, fmt.Errorf("store: read existing event: %w", err)
			}
			out[i] = InsertResult{Existing: &old}
			continue
		}
		out[i] = InsertResult{Inserted: true}
		if changes != nil && changes[i] != nil {
			c := changes[i]
			if _, err := tx.ExecContext(ctx, upsertChangeSQL, c.Slot, c.KeyID, c.Sealed, c.UpdatedAt.UnixNano()); err != nil {
				return nil, fmt.Errorf("store: write person change: %w", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: commit %d events: %w", len(events), err)
	}
	return out, nil
}

func scanEvent(row *sql.Row) (Event, error) {
	var e Event
	var created, received int64
	if err := row.Scan(&e.Kiosk, &e.Key, &e.Kind, &created, &received, &e.KeyID, &e.Payload); err != nil {
		return Event{}, err
	}
	e.CreatedAt, e.ReceivedAt = time.Unix(0, created).UTC(), time.Unix(0, received).UTC()
	return e, nil
}

func (s *SQLite) Event(ctx context.Context, kiosk, key string) (Event, error) {
	e, err := scanEvent(s.db.QueryRowContext(ctx, selectEventSQL, kiosk, key))
	if errors.Is(err, sql.ErrNoRows) {
		return Event{}, ErrNotFound
	}
	if err != nil {
		return Event{}, fmt.Errorf("store: read event: %w", err)
	}
	return e, nil
}

func (s *SQLite) CountEvents(ctx context.Context, kiosk, kind string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE kiosk = ? AND (? = '' OR kind = ?)`, kiosk, kind, kind).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count events: %w", err)
	}
	return n, nil
}

func (s *SQLite) TouchKiosk(ctx context.Context, kiosk string, at time.Time, hb []byte) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO kiosks (id, last_seen, heartbeat) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET last_seen = MAX(kiosks.last_seen, excluded.last_seen), heartbeat = COALESCE(excluded.heartbeat, kiosks.heartbeat)`,
		kiosk, at.UnixNano(), hb)
	if err != nil {
		return fmt.Errorf("store: touch kiosk: %w", err)
	}
	return nil
}

func (s *SQLite) Kiosks(ctx context.Context) ([]Kiosk, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, last_seen, heartbeat FROM kiosks ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: list kiosks: %w", err)
	}
	defer rows.Close()
	var out []Kiosk
	for rows.Next() {
		var k Kiosk
		var seen int64
		if err := rows.Scan(&k.ID, &seen, &k.Heartbeat); err != nil {
			return nil, fmt.Errorf("store: read kiosk: %w", err)
		}
		k.LastSeen = time.Unix(0, seen).UTC()
		out = append(out, k)
	}
	return out, rows.Err()
}

func (s *SQLite) Config(ctx context.Context, kiosk string) (Config, error) {
	var c Config
	err := s.db.QueryRowContext(ctx, `SELECT doc, etag FROM configs WHERE kiosk = ?`, kiosk).Scan(&c.Doc, &c.ETag)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("store: read config: %w", err)
	}
	return c, nil
}

func (s *SQLite) SetConfig(ctx context.Context, kiosk string, c Config) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO configs (kiosk, doc, etag) VALUES (?, ?, ?)
		ON CONFLICT (kiosk) DO UPDATE SET doc = excluded.doc, etag = excluded.etag`, kiosk, c.Doc, c.ETag)
	if err != nil {
		return fmt.Errorf("store: write config: %w", err)
	}
	return nil
}

func (s *SQLite) AddCommand(ctx context.Context, kiosk string, build func(seq int64) ([]byte, error)) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback()
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM commands WHERE kiosk = ?`, kiosk).Scan(&last); err != nil {
		return 0, fmt.Errorf("store: read last seq: %w", err)
	}
	env, err := build(last + 1)
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO commands (kiosk, seq, envelope) VALUES (?, ?, ?)`, kiosk, last+1, env); err != nil {
		return 0, fmt.Errorf("store: insert command: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: commit command: %w", err)
	}
	return last + 1, nil
}

func (s *SQLite) Commands(ctx context.Context, kiosk string, after int64) ([][]byte, int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, envelope FROM commands WHERE kiosk = ? AND seq > ? ORDER BY seq LIMIT 100`, kiosk, after)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list commands: %w", err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var seq int64
		var env []byte
		if err := rows.Scan(&seq, &env); err != nil {
			return nil, 0, fmt.Errorf("store: read command: %w", err)
		}
		out = append(out, env)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: list commands: %w", err)
	}
	var last int64
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM commands WHERE kiosk = ?`, kiosk).Scan(&last); err != nil {
		return nil, 0, fmt.Errorf("store: read last seq: %w", err)
	}
	return out, last, nil
}

func (s *SQLite) PersonChanges(ctx context.Context) ([]PersonChange, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT slot, key_id, sealed, updated_at FROM person_changes`)
	if err != nil {
		return nil, fmt.Errorf("store: list person changes: %w", err)
	}
	defer rows.Close()
	var out []PersonChange
	for rows.Next() {
		var c PersonChange
		var at int64
		if err := rows.Scan(&c.Slot, &c.KeyID, &c.Sealed, &at); err != nil {
			return nil, fmt.Errorf("store: read person change: %w", err)
		}
		c.UpdatedAt = time.Unix(0, at).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *SQLite) Attempts(ctx context.Context) ([]Attempts, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT slot, failures, last_failure, locks, locked_until, lock_code FROM attempts`)
	if err != nil {
		return nil, fmt.Errorf("store: list attempts: %w", err)
	}
	defer rows.Close()
	var out []Attempts
	for rows.Next() {
		var a Attempts
		var last, until int64
		if err := rows.Scan(&a.Slot, &a.Failures, &last, &a.Locks, &until, &a.LockCode); err != nil {
			return nil, fmt.Errorf("store: read attempts: %w", err)
		}
		a.LastFailure, a.LockedUntil = fromNanos(last), fromNanos(until)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list attempts: %w", err)
	}
	return out, nil
}

func (s *SQLite) SetAttempts(ctx context.Context, a Attempts) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO attempts (slot, failures, last_failure, locks, locked_until, lock_code) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (slot) DO UPDATE SET failures = excluded.failures, last_failure = excluded.last_failure, locks = excluded.locks,
		locked_until = excluded.locked_until, lock_code = excluded.lock_code`,
		a.Slot, a.Failures, toNanos(a.LastFailure), a.Locks, toNanos(a.LockedUntil), a.LockCode)
	if err != nil {
		return fmt.Errorf("store: write attempts: %w", err)
	}
	return nil
}

// toNanos keeps the zero time as 0: its UnixNano is out of int64's range.
func toNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
