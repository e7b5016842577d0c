package store

import (
	"context"
	"database/sql"
	"strings"
	"testing"
)

// FuzzNextRow writes arbitrary bytes into a row's sealed columns, as a
// damaged or edited file would hold, and checks that Next never panics,
// never returns the row, and parks it with a seal reason.
func FuzzNextRow(f *testing.F) {
	e := newEnv(f, Options{})
	ctx := context.Background()
	good := enqueueN(f, e.o, "tx.seed", 1)[0]
	var keyID string
	var sealed []byte
	if err := e.o.r.QueryRow(`SELECT key_id, payload FROM outbox WHERE id = ?`, good.ID).Scan(&keyID, &sealed); err != nil {
		f.Fatal(err)
	}
	if err := e.o.Ack(ctx, []int64{good.ID}); err != nil {
		f.Fatal(err)
	}
	f.Add("tx.seed", keyID, sealed)
	f.Add("tx.other", keyID, sealed)
	f.Add("", "", []byte{})
	f.Add("tx.a", "zz", []byte("short"))
	f.Fuzz(func(t *testing.T, kind, keyID string, payload []byte) {
		var id int64
		err := e.o.update(ctx, func(tx *Tx) error {
			return tx.queryRow(`INSERT INTO outbox (key, kind, created, next_attempt, key_id, payload)
				VALUES (lower(hex(randomblob(16))), ?, 0, 0, ?, ?) RETURNING id`, kind, keyID, payload).Scan(&id)
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.o.Next(ctx, 10, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 0 {
			t.Fatalf("Next returned forged row %+v", got[0])
		}
		var reason string
		if err := e.o.r.QueryRow(`SELECT last_error FROM outbox WHERE id = ? AND parked = 1`, id).Scan(&reason); err != nil {
			if err == sql.ErrNoRows {
				t.Fatal("forged row was not parked")
			}
			t.Fatal(err)
		}
		if !strings.HasPrefix(reason, "seal:") {
			t.Fatalf("forged row parked with reason %q, want a seal reason", reason)
		}
	})
}
