package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

func TestMigrate(t *testing.T) {
	v1 := []string{`CREATE TABLE jobs (id INTEGER PRIMARY KEY) STRICT`}
	v2 := append(v1[:1:1], `ALTER TABLE jobs ADD COLUMN state TEXT NOT NULL DEFAULT 'new'`)
	tests := []struct {
		name        string
		runs        [][]string // successive Migrate calls; the last one is checked
		wantVersion int
		wantErr     string
	}{
		{"fresh", [][]string{v1}, 1, ""},
		{"again is a no-op", [][]string{v1, v1}, 1, ""},
		{"appended step", [][]string{v1, v2}, 2, ""},
		{"both steps at once", [][]string{v2}, 2, ""},
		{"database newer than program", [][]string{v2, v1}, 2, "knows only 1"},
		{"bad step is not recorded", [][]string{v1, append(v1[:1:1], `ALTER TABLE nope ADD COLUMN x`)}, 1, "step 2"},
		{"no steps", [][]string{nil}, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, err := sql.Open("sqlite3", filepath.Join(t.TempDir(), "m.db")+"?_txlock=immediate")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ctx := context.Background()
			for i, steps := range tc.runs {
				err = migrate(ctx, db, "printjobs", steps)
				if i < len(tc.runs)-1 && err != nil {
					t.Fatalf("run %d: %v", i+1, err)
				}
			}
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("Migrate error = %v, want %q", err, tc.wantErr)
			}
			var version int
			err = db.QueryRow(`SELECT version FROM schema_migrations WHERE component = 'printjobs'`).Scan(&version)
			if err != nil && err != sql.ErrNoRows {
				t.Fatal(err)
			}
			if version != tc.wantVersion {
				t.Fatalf("version = %d, want %d", version, tc.wantVersion)
			}
		})
	}
	if err := migrate(context.Background(), nil, "", nil); err == nil || !strings.Contains(err.Error(), "component name is empty") {
		t.Fatalf("Migrate without a component = %v", err)
	}
}
