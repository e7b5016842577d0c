package maintenance

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/passhash"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// auditLog is this package's stand-in for the outbox-backed auditor.
type auditLog struct {
	mu  sync.Mutex
	got []api.Audit
	err error
}

func (a *auditLog) Audit(_ context.Context, e api.Audit) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.got = append(a.got, e)
	return a.err
}

func (a *auditLog) outcomes(action string) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, e := range a.got {
		if e.Action == action {
			out = append(out, e.Outcome)
		}
	}
	return out
}

// cheap argon2id parameters keep the tests quick; the cost is written
// into the hash, as the centre would.
var testSalt = []byte("kiosk-salt-0001")

const testPIN = "482916"

func testHash(pin string) string { return HashPIN(pin, testSalt, 64, 1, 1) }

func TestVerifyPIN(t *testing.T) {
	h := testHash(testPIN)
	if ok, err := VerifyPIN(h, testPIN); !ok || err != nil {
		t.Fatalf("right PIN: %v %v", ok, err)
	}
	if ok, err := VerifyPIN(h, "482917"); ok || err != nil {
		t.Fatalf("wrong PIN: %v %v", ok, err)
	}
	// The same form as the centre's tools write.
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash %q is not in PHC form", h)
	}
}

func TestMalformedHash(t *testing.T) {
	good := testHash(testPIN)
	parts := strings.Split(good, "$")
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	tests := map[string]string{
		"empty":             "",
		"not phc":           "482916",
		"bcrypt":            "$2a$10$abcdefghijklmnopqrstuu5Yk8pQWJb7WmB3cI6e0mLrZ4fJ8vS2",
		"argon2i":           with(1, "argon2i"),
		"old version":       with(2, "v=16"),
		"version text":      with(2, "v=19x"),
		"params order":      with(3, "t=1,m=64,p=1"),
		"params spaces":     with(3, "m=64, t=1,p=1"),
		"zero threads":      with(3, "m=64,t=0,p=0"),
		"huge memory":       with(3, "m=4194304,t=1,p=1"),
		"many passes":       with(3, "m=64,t=100,p=1"),
		"memory < 8p":       with(3, "m=8,t=1,p=2"),
		"short salt":        with(4, "c2FsdA"),
		"salt not base64":   with(4, "!!!!!!!!!!!!"),
		"padded key":        with(5, parts[5]+"="),
		"short key":         with(5, "aGFzaA"),
		"extra field":       good + "$x",
		"missing field":     strings.Join(parts[:5], "$"),
		"leading text":      "x" + good,
		"negative memory":   with(3, "m=-64,t=1,p=1"),
		"overflowing value": with(3, "m=99999999999999999999,t=1,p=1"),
	}
	for name, h := range tests {
		if ok, err := VerifyPIN(h, testPIN); ok || !errors.Is(err, ErrMalformedHash) {
			t.Errorf("%s: %v %v, want ErrMalformedHash", name, ok, err)
		} else if strings.Contains(err.Error(), testPIN) {
			t.Errorf("%s: error repeats the PIN", name)
		}
	}
}

func FuzzVerifyPIN(f *testing.F) {
	f.Add(testHash(testPIN), testPIN)
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", "1234")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA", "")
	f.Add("$$$$$", "0")
	f.Fuzz(func(t *testing.T, hash, pin string) {
		h, err := parsePINHash(hash)
		if err != nil {
			if !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("error %v does not wrap ErrMalformedHash", err)
			}
			return
		}
		// Whatever parses must be affordable to check on a kiosk.
		if h.MemoryKiB > maxMemoryKiB || h.Time > passhash.MaxTime {
			t.Fatalf("accepted cost m=%d t=%d", h.MemoryKiB, h.Time)
		}
		if h.MemoryKiB <= 4096 && h.Time <= 2 {
			_ = h.Matches(pin)
		}
	})
}

func newTestGate(t *testing.T, hash string) (*Gate, *fakeClock, *auditLog) {
	t.Helper()
	c, a := newClock(), &auditLog{}
	g, err := NewGate(GateOptions{PINHash: func() string { return hash }, Clock: c.now, Auditor: a})
	if err != nil {
		t.Fatal(err)
	}
	return g, c, a
}

func TestLockoutEdges(t *testing.T) {
	ctx := context.Background()
	g, c, audit := newTestGate(t, testHash(testPIN))

	for i := 1; i <= 4; i++ {
		a, err := g.Try(ctx, "000000")
		if err != nil || a.Outcome != Wrong || a.Left != MaxWrongPINs-i || !a.Until.IsZero() {
			t.Fatalf("wrong PIN %d: %+v %v", i, a, err)
		}
	}
	if _, locked := g.LockedUntil(); locked {
		t.Fatal("locked after 4 wrong PINs")
	}
	fifth := c.t
	a, _ := g.Try(ctx, "000000")
	if a.Outcome != Wrong || a.Left != 0 || !a.Until.Equal(fifth.Add(15*time.Minute)) {
		t.Fatalf("5th wrong PIN: %+v", a)
	}

	c.add(14*time.Minute + 59*time.Second)
	if until, locked := g.LockedUntil(); !locked || !until.Equal(fifth.Add(LockFor)) {
		t.Fatalf("at 14:59 locked=%v until %v", locked, until)
	}
	// Even the right PIN is not checked while locked.
	if a, _ := g.Try(ctx, testPIN); a.Outcome != Locked {
		t.Fatalf("right PIN at 14:59: %+v", a)
	}

	c.add(time.Second)
	if _, locked := g.LockedUntil(); locked {
		t.Fatal("still locked at 15:00")
	}
	// The lock ran out: a fresh series of five begins.
	if a, _ := g.Try(ctx, "111111"); a.Outcome != Wrong || a.Left != 4 {
		t.Fatalf("first wrong PIN after the lock: %+v", a)
	}
	if a, _ := g.Try(ctx, testPIN); a.Outcome != Granted {
		t.Fatalf("right PIN after the lock: %+v", a)
	}

	want := []string{"wrong", "wrong", "wrong", "wrong", "wrong", "locked", "wrong", "ok"}
	if got := audit.outcomes(ActionEntry); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("audit outcomes %v, want %v", got, want)
	}
	assertNoPIN(t, audit, testPIN, "000000", "111111")
}

// A right PIN clears the count of wrong ones.
func TestRightPINResetsCount(t *testing.T) {
	ctx := context.Background()
	g, _, _ := newTestGate(t, testHash(testPIN))
	for range 4 {
		g.Try(ctx, "9999")
	}
	g.Try(ctx, testPIN)
	for i := range 4 {
		if a, _ := g.Try(ctx, "9999"); a.Outcome != Wrong || !a.Until.IsZero() {
			t.Fatalf("wrong PIN %d after a right one: %+v", i+1, a)
		}
	}
}

func TestMalformedHashRefusesEntry(t *testing.T) {
	ctx := context.Background()
	hash := "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA" // salt and key too short
	g, _, audit := newTestGate(t, hash)
	for range MaxWrongPINs + 1 {
		a, err := g.Try(ctx, testPIN)
		if a.Outcome != Refused || !errors.Is(err, ErrMalformedHash) {
			t.Fatalf("try with a malformed hash: %+v %v", a, err)
		}
	}
	// Refusals are not wrong PINs: they do not lock the technician out.
	if _, locked := g.LockedUntil(); locked {
		t.Error("a broken config locked entry")
	}
	if got := audit.outcomes(ActionEntry); len(got) != MaxWrongPINs+1 || got[0] != "refused" {
		t.Errorf("audit %v", got)
	}
}

// A new config with a new hash takes effect at the next try.
func TestHashFollowsConfig(t *testing.T) {
	ctx := context.Background()
	hash := testHash("1111")
	c, a := newClock(), &auditLog{}
	g, _ := NewGate(GateOptions{PINHash: func() string { return hash }, Clock: c.now, Auditor: a})
	if at, _ := g.Try(ctx, "1111"); at.Outcome != Granted {
		t.Fatal(at)
	}
	hash = testHash("2222")
	if at, _ := g.Try(ctx, "1111"); at.Outcome != Wrong {
		t.Fatalf("old PIN after a config change: %+v", at)
	}
	if at, _ := g.Try(ctx, "2222"); at.Outcome != Granted {
		t.Fatalf("new PIN: %+v", at)
	}
}

func TestPINLength(t *testing.T) {
	ctx := context.Background()
	for _, pin := range []string{"123", "1234567890123"} {
		g, _, _ := newTestGate(t, testHash(pin))
		if a, _ := g.Try(ctx, pin); a.Outcome != Wrong {
			t.Errorf("PIN of %d digits: %+v, want Wrong", len(pin), a)
		}
	}
}

func TestAuditFailureDoesNotBlockEntry(t *testing.T) {
	g, _, audit := newTestGate(t, testHash(testPIN))
	audit.err = errors.New("queue full")
	if a, err := g.Try(context.Background(), testPIN); a.Outcome != Granted || err != nil {
		t.Fatalf("%+v %v", a, err)
	}
}

func TestNewGateNeedsParts(t *testing.T) {
	if _, err := NewGate(GateOptions{Auditor: &auditLog{}}); err == nil {
		t.Error("a gate without a hash source was made")
	}
	if _, err := NewGate(GateOptions{PINHash: func() string { return "" }}); err == nil {
		t.Error("a gate without an auditor was made")
	}
}

func assertNoPIN(t *testing.T, a *auditLog, pins ...string) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	b, _ := json.Marshal(a.got)
	for _, p := range pins {
		if strings.Contains(string(b), p) {
			t.Errorf("audit events hold PIN %q: %s", p, b)
		}
	}
}

func BenchmarkTryPIN(b *testing.B) {
	// The cost the centre's tools write for technician PINs: OWASP's
	// argon2id minimum, 19 MiB and two passes.
	hash := HashPIN(testPIN, testSalt, 19*1024, 2, 1)
	g, err := NewGate(GateOptions{PINHash: func() string { return hash }, Auditor: &auditLog{}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		if a, _ := g.Try(ctx, testPIN); a.Outcome != Granted {
			b.Fatal(a)
		}
	}
}
