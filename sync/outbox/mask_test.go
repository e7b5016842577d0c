package outbox

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMaskDigits(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"no digits", "no digits"},
		{"HTTP 503", "HTTP 503"},
		{"code 1234", "code 1234"},
		{"id 1098765432 refused", "id ******5432 refused"},
		{"mobile +966512345678", "mobile +********5678"},
		{"two 12345 and 678901", "two *2345 and **8901"},
		{"arabic-indic ١٠٩٨٧٦٥٤٣٢", "arabic-indic ******٥٤٣٢"},
		{"mixed 12٣٤5", "mixed *2٣٤5"},
		{"invalid utf8 \xff123456", "invalid utf8 \uFFFD**3456"},
	}
	for _, tc := range tests {
		if got := MaskDigits(tc.in); got != tc.want {
			t.Errorf("MaskDigits(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzMaskDigits(f *testing.F) {
	for _, s := range []string{"", "1098765432", "+966512345678", "١٠٩٨٧٦٥٤٣٢", "a1b22c333d4444e55555", "\xff\xfe12345"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := MaskDigits(s)
		run := 0
		for _, r := range got {
			if isDigit(r) {
				run++
				if run > 4 {
					t.Fatalf("MaskDigits(%q) = %q keeps a run of more than four digits", s, got)
				}
			} else {
				run = 0
			}
		}
		if want := utf8.RuneCountInString(s); utf8.RuneCountInString(got) != want {
			t.Fatalf("MaskDigits(%q) = %q changes the length", s, got)
		}
	})
}

// FuzzNextRow writes arbitrary bytes into a row's sealed columns, as a
// damaged or edited file would hold, and checks that Next never panics,
// never returns the row, and parks it with a seal reason.
func FuzzNextRow(f *testing.F) {
	e := newEnv(f, Options{})
	ctx := context.Background()
	good := enqueueN(f, e.o, "tx.seed", 1)[0]
	var keyID string
	var sealed []byte
	if err := e.o.DB().QueryRow(`SELECT key_id, payload FROM outbox WHERE id = ?`, good.ID).Scan(&keyID, &sealed); err != nil {
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
		err := e.o.Update(ctx, func(tx *Tx) error {
			return tx.QueryRow(`INSERT INTO outbox (key, kind, created, next_attempt, key_id, payload)
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
		if err := e.o.DB().QueryRow(`SELECT last_error FROM outbox WHERE id = ? AND parked = 1`, id).Scan(&reason); err != nil {
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
