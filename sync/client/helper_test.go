package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/central"
	"github.com/absher-kiosk/kiosk/central/civil"
	"github.com/absher-kiosk/kiosk/central/demo"
	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/kiosk/store"
	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/seal"
	_ "github.com/mattn/go-sqlite3"
)

const kiosk = "kiosk-001"

var (
	testID     = mustID("100000000")
	testMobile = "+966500000001"
	testPass   = "Kiosk#1234"
)

func mustID(p string) string {
	id, err := pii.WithCheckDigit(p)
	if err != nil {
		panic(err)
	}
	return id
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func population() []people.Person {
	today := civil.Of(time.Now())
	return []people.Person{{ID: testID, Kind: people.Citizen, NameAR: "علي", NameEN: "Ali", Nationality: "SAU", Mobile: testMobile,
		PasswordHash: demo.HashPassword(testPass, []byte("0123456789abcdef")), AbsherActive: true, InsideKingdom: true,
		Fingers:  []people.Finger{{Position: people.RightIndex, Seed: 1}},
		Passport: &people.Passport{Number: "A1", Issued: today.AddYears(-1), Expiry: today.AddYears(4)}}}
}

// startCentre runs the real centre over TLS on loopback in dir.
func startCentre(t testing.TB, dir string) *central.Server {
	t.Helper()
	return startCentreClock(t, dir, nil)
}

// startCentreClock runs the centre with its own clock (nil: time.Now).
func startCentreClock(t testing.TB, dir string, now func() time.Time) *central.Server {
	t.Helper()
	s, err := central.Start(context.Background(), central.Options{StateDir: dir, Population: population(), Logger: quiet(), Clock: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func clientConfig(s *central.Server, kioskID, url string) Config {
	p := s.PKI.Clients[kioskID]
	return Config{BaseURL: url, KioskID: kioskID, CAFile: s.PKI.CA, CertFile: p.Cert, KeyFile: p.Key, Timeout: 5 * time.Second}
}

func newClient(t testing.TB, s *central.Server, url string) *Client {
	t.Helper()
	if url == "" {
		url = s.URL
	}
	c, err := New(clientConfig(s, kiosk, url))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func openOutbox(t testing.TB, path string) *store.Store {
	t.Helper()
	keys, err := seal.LoadOrCreate(filepath.Join(filepath.Dir(path), "outbox.key"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := store.Open(context.Background(), path, keys, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	return o
}

// stored reads every event the centre holds for a kiosk, opened with the
// centre's record key, straight from its database file.
type storedEvent struct {
	Key, Kind string
	Payload   []byte
}

func centreEvents(t testing.TB, stateDir, kioskID string) []storedEvent {
	t.Helper()
	keys, err := seal.LoadOrCreate(filepath.Join(stateDir, "records.key"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(stateDir, "central.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT idem_key, kind, key_id, payload FROM events WHERE kiosk = ?`, kioskID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []storedEvent
	for rows.Next() {
		var e storedEvent
		var kid string
		var sealed []byte
		if err := rows.Scan(&e.Key, &e.Kind, &kid, &sealed); err != nil {
			t.Fatal(err)
		}
		if e.Payload, err = keys.Open(kid, []byte("event|"+kioskID+"|"+e.Key), sealed); err != nil {
			t.Fatalf("stored event %s does not open: %v", e.Key, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func auditPayload(t testing.TB, action string, n int) []byte {
	b, err := json.Marshal(api.Audit{Action: action, Outcome: "ok", Detail: map[string]string{"n": itoa(n)}})
	if err != nil {
		panic(err)
	}
	return b
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// drain runs an uploader until the queue is empty (parked rows aside).
func drain(t testing.TB, u *Uploader, o *store.Store, limit time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); u.Serve(ctx) }()
	defer func() { cancel(); wg.Wait() }()
	deadline := time.Now().Add(limit)
	for {
		st, err := o.Stats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.Depth == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue not drained after %s: %+v, uploader %+v", limit, st, u.Status())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func mustKeys(t testing.TB, path string) *seal.Keyring {
	t.Helper()
	k, err := seal.LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// readBatch answers a batch upload with "stored" for every event, as a
// scripted server in unit tests.
func readBatch(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	eb, err := api.DecodeEventBatch(b)
	if err != nil {
		return nil, err
	}
	var out api.EventBatchResponse
	for _, e := range eb.Events {
		out.Results = append(out.Results, api.EventResult{IdempotencyKey: e.IdempotencyKey, Status: api.ItemStored, HTTPStatus: 201})
	}
	return json.Marshal(out)
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o600) }

func mustNoCertClient(t testing.TB, caFile string) *http.Client {
	t.Helper()
	b, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(b)
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS13}}}
}
