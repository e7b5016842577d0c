// Package store is the one owner of the kiosk's SQLite file. It opens the
// file with the durability the kiosk promises (WAL, synchronous=FULL, one
// writer connection taking its lock at BEGIN, a separate pool of readers),
// brings every table's schema up to date, and hands out typed operations
// only: the outbox queue of events bound for the centre, the record of
// applied commands, key-value settings and the print-job journal. No SQL
// handle leaves the package.
//
// Payloads of queued events and print jobs are sealed at rest with the
// row bound as associated data; a row whose seal does not open is parked,
// never sent. Work that must be atomic across tables, such as a command,
// its effect and the event that reports it, goes through [Store.Update].
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/absher-kiosk/kiosk/sync/outbox"
	"github.com/absher-kiosk/kiosk/sync/seal"
	"github.com/google/uuid"
	"golang.org/x/sys/unix"
)

// Options tune a Store. The zero value is usable.
type Options struct {
	MaxAttempts    int              // K: failed attempts before a queued event is parked; default 10
	Clock          func() time.Time // default time.Now
	Logger         *slog.Logger     // default discards
	OnStorageFault func(error)      // called with each *outbox.StorageError, for health reporting
}

// Store is the kiosk's database. Its methods are safe for concurrent use;
// Next is meant for one uploader at a time (it does not lease rows).
type Store struct {
	path  string
	w     *sql.DB // one connection: SQLite allows one writer, and queueing in Go is cheaper than SQLITE_BUSY
	r     *sql.DB
	keys  *seal.Keyring
	opt   Options
	log   *slog.Logger
	wake  chan struct{}
	newID func() string
}

// components lists every table owner's schema steps. Each is versioned on
// its own in schema_migrations under its name; the names are on disk, so
// they never change.
var components = []struct {
	name  string
	steps []string
}{
	{"outbox", outboxSchema},
	{"printer", printJobSchema},
}

// Open opens or creates the database at path, sealing payloads with keys,
// and migrates every table.
func Open(ctx context.Context, path string, keys *seal.Keyring, opt Options) (*Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("store: database path %q must be a plain file path without '?' or '#'", path)
	}
	if keys == nil {
		return nil, errors.New("store: no keyring: load one with seal.LoadOrCreate")
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 10
	}
	if opt.Clock == nil {
		opt.Clock = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Store{path: path, keys: keys, opt: opt, log: opt.Logger, wake: make(chan struct{}, 1), newID: uuid.NewString}
	if err := checkWritable(path); err != nil {
		return nil, s.fault(err)
	}

	// The driver's default is synchronous=NORMAL, which in WAL mode may lose
	// the last commits on power loss; FULL syncs the WAL on every commit.
	w, err := sql.Open("sqlite3", path+"?_journal_mode=WAL&_synchronous=FULL&_txlock=immediate&_busy_timeout=5000&_foreign_keys=1")
	if err != nil {
		return nil, s.fault(fmt.Errorf("store: open %s: %w", path, err))
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s.w = w
	r, err := sql.Open("sqlite3", path+"?_query_only=true&_busy_timeout=5000")
	if err != nil {
		w.Close()
		return nil, s.fault(fmt.Errorf("store: open %s for reading: %w", path, err))
	}
	r.SetMaxOpenConns(4)
	s.r = r
	if err := s.init(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// checkWritable refuses a database SQLite would open read-only: it would
// open without complaint and fail only at the first enqueue.
func checkWritable(path string) error {
	for _, p := range []string{path, filepath.Dir(path)} {
		err := unix.Access(p, unix.W_OK)
		if errors.Is(err, unix.EROFS) || errors.Is(err, unix.EACCES) {
			return &outbox.StorageError{Fault: "readonly", Path: path, Err: fmt.Errorf("%s: %w", p, err)}
		}
	}
	return nil
}

func (s *Store) init(ctx context.Context) error {
	var mode string
	if err := s.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return s.fault(fmt.Errorf("store: open %s: %w", s.path, err))
	}
	if mode != "wal" {
		return s.fault(fmt.Errorf("store: open %s: journal mode is %q, want wal: the file may be on a filesystem without shared memory support", s.path, mode))
	}
	var syncMode int
	if err := s.w.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&syncMode); err != nil {
		return s.fault(fmt.Errorf("store: open %s: %w", s.path, err))
	}
	if syncMode != 2 {
		return fmt.Errorf("store: open %s: synchronous is %d, want 2 (FULL)", s.path, syncMode)
	}
	for _, c := range components {
		if err := migrate(ctx, s.w, c.name, c.steps); err != nil {
			return s.fault(err)
		}
	}
	return nil
}

// Close closes both connection pools.
func (s *Store) Close() error {
	var errs []error
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	return errors.Join(errs...)
}

// Path is the database file's path.
func (s *Store) Path() string { return s.path }

// fault classifies err and reports storage faults to the hook.
func (s *Store) fault(err error) error {
	err = classify(s.path, err)
	var se *outbox.StorageError
	if errors.As(err, &se) {
		s.log.Error("store storage fault", "fault", se.Fault, "err", se.Err)
		if s.opt.OnStorageFault != nil {
			s.opt.OnStorageFault(err)
		}
	}
	return err
}
