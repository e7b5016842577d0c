package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// migrate brings component's tables in db up to len(steps). Step i (from 0)
// moves the schema from version i to i+1; steps already applied are never run
// again, so a component only ever appends steps. Each step commits together
// with its version number, so a power cut between steps leaves the database
// at a known version. db is the store's writer, so the steps do not compete
// with enqueues for the write lock.
func migrate(ctx context.Context, db *sql.DB, component string, steps []string) error {
	if component == "" {
		return errors.New("store: migrate: component name is empty; name the tables' owner, for example \"printjobs\"")
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		component TEXT PRIMARY KEY,
		version   INTEGER NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("store: migrate %s: create schema_migrations: %w", component, err)
	}
	for {
		done, err := migrateOne(ctx, db, component, steps)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}

// migrateOne applies the next pending step, if any, and reports whether the
// schema is now current. Reading the version inside the write transaction
// means two processes migrating at once cannot both apply the same step.
func migrateOne(ctx context.Context, db *sql.DB, component string, steps []string) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: migrate %s: begin: %w", component, err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	var version int
	err = tx.QueryRowContext(ctx, `SELECT version FROM schema_migrations WHERE component = ?`, component).Scan(&version)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		version = 0
	case err != nil:
		return false, fmt.Errorf("store: migrate %s: read version: %w", component, err)
	}
	if version > len(steps) {
		return false, fmt.Errorf("store: migrate %s: the database is at schema version %d but this program knows only %d; run the newer kiosk program or restore a matching backup", component, version, len(steps))
	}
	if version == len(steps) {
		return true, tx.Commit()
	}
	if _, err = tx.ExecContext(ctx, steps[version]); err != nil {
		return false, fmt.Errorf("store: migrate %s: step %d: %w", component, version+1, err)
	}
	if _, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (component, version) VALUES (?, ?)
		ON CONFLICT (component) DO UPDATE SET version = excluded.version`, component, version+1); err != nil {
		return false, fmt.Errorf("store: migrate %s: record version %d: %w", component, version+1, err)
	}
	if err = tx.Commit(); err != nil {
		return false, fmt.Errorf("store: migrate %s: commit step %d: %w", component, version+1, err)
	}
	return version+1 == len(steps), nil
}
