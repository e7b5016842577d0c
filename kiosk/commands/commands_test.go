package commands

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/store"
	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/client"
	"github.com/absher-kiosk/kiosk/sync/outbox"
	"github.com/absher-kiosk/kiosk/sync/seal"
)

const kiosk = "kiosk-001"

// effects records what the kiosk was asked to do.
type effects struct {
	mu        sync.Mutex
	calls     []string
	printErrs []error // returned by PrintTestPage in turn
}

func (f *effects) add(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
}

func (f *effects) SetOutOfService(on bool, msg string) { f.add(fmt.Sprintf("oos(%v,%q)", on, msg)) }
func (f *effects) ForceSync()                          { f.add("sync") }
func (f *effects) Restart()                            { f.add("restart") }
func (f *effects) PrintTestPage(context.Context) error {
	f.add("print")
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.printErrs) == 0 {
		return nil
	}
	err := f.printErrs[0]
	f.printErrs = f.printErrs[1:]
	return err
}

func (f *effects) got() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

type lines []string

func (l lines) Tail(n int) ([]string, error) {
	if n < len(l) {
		return l[len(l)-n:], nil
	}
	return l, nil
}

var errCrash = errors.New("power lost before commit")

// crashingStore is the real outbox whose next transaction dies after the
// handler's work is done but before the commit: the rollback a crash at
// that point leaves.
type crashingStore struct {
	*store.Store
	crashes int
}

func (s *crashingStore) Update(ctx context.Context, fn func(tx outbox.Tx) error) error {
	if s.crashes == 0 {
		return s.Store.Update(ctx, fn)
	}
	s.crashes--
	return s.Store.Update(ctx, func(tx outbox.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errCrash
	})
}

type rig struct {
	t     *testing.T
	path  string
	keys  *seal.Keyring
	o     *store.Store
	store *crashingStore
	fx    *effects
	tail  LogTail
	priv  ed25519.PrivateKey
	pub   ed25519.PublicKey
	seq   int64
}

func newRig(t *testing.T) *rig {
	t.Helper()
	dir := t.TempDir()
	keys, err := seal.LoadOrCreate(filepath.Join(dir, "outbox.key"))
	if err != nil {
		t.Fatal(err)
	}
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, path: filepath.Join(dir, "kiosk.db"), keys: keys, fx: &effects{}, priv: priv, pub: pub}
	r.open()
	return r
}

func (r *rig) open() {
	r.t.Helper()
	o, err := store.Open(context.Background(), r.path, r.keys, store.Options{})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { o.Close() })
	r.o = o
	r.store = &crashingStore{Store: o}
}

// reopen is a restart of the kiosk process: a new outbox on the same file.
func (r *rig) reopen() {
	r.t.Helper()
	r.o.Close()
	r.open()
}

func (r *rig) puller() *client.CommandPuller {
	r.t.Helper()
	// No request is made by Handle; the client only names the kiosk.
	c, err := client.New(client.Config{BaseURL: "https://127.0.0.1:1", KioskID: kiosk, HTTP: &http.Client{}})
	if err != nil {
		r.t.Fatal(err)
	}
	return client.NewCommandPuller(c, r.store, r.pub, Handlers(r.fx, r.tail), client.PullOptions{})
}

func (r *rig) command(kind api.CommandKind, args map[string]string) api.Command {
	r.seq++
	c := api.Command{
		ID: fmt.Sprintf("cmd-%d", r.seq), Kiosk: kiosk, Seq: r.seq,
		IssuedAt: time.Now().Add(-time.Minute), Expiry: time.Now().Add(time.Hour),
		Kind: kind, Args: args,
	}
	c.Sign(r.priv)
	return c
}

func (r *rig) kv(key string) string {
	r.t.Helper()
	v, _, err := r.o.GetKV(context.Background(), key)
	if err != nil {
		r.t.Fatal(err)
	}
	return v
}

func (r *rig) applied(id string) int {
	r.t.Helper()
	// The id is the table's key, so it is recorded once or not at all.
	var applied bool
	if err := r.o.Update(context.Background(), func(tx outbox.Tx) (err error) { applied, err = tx.CommandApplied(id); return err }); err != nil {
		r.t.Fatal(err)
	}
	if applied {
		return 1
	}
	return 0
}

// queued lists the queued events' kinds with the audit actions and the
// command results' outcomes.
func (r *rig) queued() ([]string, []api.Audit) {
	r.t.Helper()
	items, err := r.o.Next(context.Background(), 100, 1<<20)
	if err != nil {
		r.t.Fatal(err)
	}
	var kinds []string
	var audits []api.Audit
	for _, it := range items {
		// Everything queued must pass the centre's own check.
		ev := api.Event{IdempotencyKey: it.Key, Kind: api.EventKind(it.Kind), CreatedAt: it.Created, Payload: it.Payload}
		if code, msg := ev.Check(); code != "" {
			r.t.Fatalf("event %d (%s) would be rejected: %s %s", it.ID, it.Kind, code, msg)
		}
		switch api.EventKind(it.Kind) {
		case api.EventAudit:
			var a api.Audit
			if err := json.Unmarshal(it.Payload, &a); err != nil {
				r.t.Fatal(err)
			}
			audits = append(audits, a)
			kinds = append(kinds, "audit:"+a.Action)
		case api.EventCommandResult:
			var cr api.CommandResult
			if err := json.Unmarshal(it.Payload, &cr); err != nil {
				r.t.Fatal(err)
			}
			kinds = append(kinds, "result:"+cr.Outcome)
		default:
			kinds = append(kinds, it.Kind)
		}
	}
	return kinds, audits
}

// TestEachCommandOnceThroughACrash applies each kind through the real
// command puller on a real outbox file, with the first transaction dying
// before its commit; then delivers the same command again. The effect must
// be there once, the command recorded once, and the result queued once.
func TestEachCommandOnceThroughACrash(t *testing.T) {
	log := lines{"start kiosk", "mobile 0551234567 verified for 1012345678", "printer ok"}
	tests := []struct {
		name    string
		kind    api.CommandKind
		args    map[string]string
		before  func(r *rig) // state before the command
		kv      string       // out_of_service afterwards
		msg     string       // out_of_service_message afterwards
		effects []string
		queued  []string
	}{
		{
			name: "out of service with message", kind: api.CmdOutOfService,
			args: map[string]string{"message": "Please use the kiosk at\nthe main hall"},
			kv:   "1", msg: "Please use the kiosk at the main hall",
			effects: []string{`oos(true,"Please use the kiosk at the main hall")`},
			queued:  []string{"result:applied"},
		},
		{
			name: "out of service without message", kind: api.CmdOutOfService,
			kv: "1", msg: "",
			effects: []string{`oos(true,"")`},
			queued:  []string{"result:applied"},
		},
		{
			name: "back in service", kind: api.CmdInService,
			before: func(r *rig) {
				if err := r.o.Update(context.Background(), func(tx outbox.Tx) error { return setOutOfService(tx, true, "closed") }); err != nil {
					t.Fatal(err)
				}
			},
			kv: "0", msg: "",
			effects: []string{`oos(false,"")`},
			queued:  []string{"result:applied"},
		},
		{
			name: "print test page", kind: api.CmdPrintTestPage,
			effects: []string{"print"},
			queued:  []string{"result:applied"},
		},
		{
			name: "force sync", kind: api.CmdForceSync,
			effects: []string{"sync"},
			queued:  []string{"result:applied"},
		},
		{
			name: "collect logs", kind: api.CmdCollectLogs, args: map[string]string{"lines": "2"},
			effects: []string{"sync"},
			queued:  []string{"audit:" + ActionCollectLogs, "result:applied"},
		},
		{
			name: "restart", kind: api.CmdRestart,
			effects: []string{"restart"},
			queued:  []string{"result:applied"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			r.tail = log
			if tc.before != nil {
				tc.before(r)
			}
			c := r.command(tc.kind, tc.args)

			r.store.crashes = 1
			if err := r.puller().Handle(context.Background(), c); !errors.Is(err, errCrash) {
				t.Fatalf("first delivery: %v, want the simulated crash", err)
			}
			if n := r.applied(c.ID); n != 0 {
				t.Fatalf("recorded %d times after a rolled-back transaction", n)
			}
			if got := r.fx.got(); len(got) != 0 {
				t.Fatalf("effects ran before the commit: %v", got)
			}
			r.reopen()
			for range 2 { // delivered after the restart, and delivered again
				if err := r.puller().Handle(context.Background(), c); err != nil {
					t.Fatalf("delivery: %v", err)
				}
			}
			if n := r.applied(c.ID); n != 1 {
				t.Fatalf("applied_commands holds %s %d times, want 1", c.ID, n)
			}
			if got := r.fx.got(); !reflect.DeepEqual(got, tc.effects) {
				t.Fatalf("effects %v, want %v", got, tc.effects)
			}
			if tc.kind == api.CmdOutOfService || tc.kind == api.CmdInService {
				if v := r.kv(KVOutOfService); v != tc.kv {
					t.Fatalf("out_of_service = %q, want %q", v, tc.kv)
				}
				on, msg, err := OutOfService(context.Background(), r.o)
				if err != nil || on != (tc.kv == "1") || msg != tc.msg {
					t.Fatalf("OutOfService = %v %q %v, want %v %q", on, msg, err, tc.kv == "1", tc.msg)
				}
			}
			kinds, audits := r.queued()
			// The second delivery is refused as a replay and reported.
			want := append(append([]string(nil), tc.queued...), "result:refused")
			if !reflect.DeepEqual(kinds, want) {
				t.Fatalf("queued %v, want %v", kinds, want)
			}
			if tc.kind == api.CmdCollectLogs {
				a := audits[0]
				wantLog := "mobile ******4567 verified for ******5678\nprinter ok"
				if a.Outcome != "collected" || a.Detail["log"] != wantLog || a.Detail["lines"] != "2" || a.Detail["command_id"] != c.ID {
					t.Fatalf("collected %+v, want the last 2 lines redacted:\n%s", a, wantLog)
				}
			}
		})
	}
}

func TestPrintEffectLeftByACrashRunsAtNextStart(t *testing.T) {
	r := newRig(t)
	r.fx.printErrs = []error{errors.New("paper out")}
	c := r.command(api.CmdPrintTestPage, nil)
	if err := r.puller().Handle(context.Background(), c); err == nil || !strings.Contains(err.Error(), "paper out") {
		t.Fatalf("Handle: %v, want the print failure", err)
	}
	r.reopen()
	p := r.puller()
	if err := p.RunPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := p.RunPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := r.fx.got(); !reflect.DeepEqual(got, []string{"print", "print"}) {
		t.Fatalf("effects %v, want the failed print then one retry", got)
	}
}

func TestRestartIsAtMostOnce(t *testing.T) {
	r := newRig(t)
	c := r.command(api.CmdRestart, nil)
	if err := r.puller().Handle(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	r.reopen() // the restart it asked for
	if err := r.puller().RunPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := r.fx.got(); !reflect.DeepEqual(got, []string{"restart"}) {
		t.Fatalf("effects %v, want one restart", got)
	}
}

func TestOutOfServiceSurvivesRestart(t *testing.T) {
	r := newRig(t)
	on, msg, err := OutOfService(context.Background(), r.o)
	if err != nil || on || msg != "" {
		t.Fatalf("fresh kiosk: %v %q %v", on, msg, err)
	}
	if err := r.puller().Handle(context.Background(), r.command(api.CmdOutOfService, map[string]string{"message": "Maintenance until 14:00"})); err != nil {
		t.Fatal(err)
	}
	r.reopen()
	on, msg, err = OutOfService(context.Background(), r.o)
	if err != nil || !on || msg != "Maintenance until 14:00" {
		t.Fatalf("after restart: %v %q %v", on, msg, err)
	}
}

type failingTail struct{}

func (failingTail) Tail(int) ([]string, error) {
	return nil, errors.New("open /var/log/absher-kiosk/kiosk.log: permission denied")
}

func TestCollectLogsFailureIsReported(t *testing.T) {
	for _, tail := range []LogTail{nil, failingTail{}} {
		r := newRig(t)
		r.tail = tail
		if err := r.puller().Handle(context.Background(), r.command(api.CmdCollectLogs, nil)); err != nil {
			t.Fatalf("tail %T: %v", tail, err)
		}
		kinds, audits := r.queued()
		if !reflect.DeepEqual(kinds, []string{"audit:" + ActionCollectLogs, "result:applied"}) {
			t.Fatalf("tail %T: queued %v", tail, kinds)
		}
		if audits[0].Outcome != "failed" || audits[0].Detail["reason"] == "" || audits[0].Detail["log"] != "" {
			t.Fatalf("tail %T: audit %+v, want a failure with its reason", tail, audits[0])
		}
	}
}

func TestCollectedLogIsBounded(t *testing.T) {
	long := strings.Repeat("x", 1000)
	var l lines
	for range MaxLogLines {
		l = append(l, long)
	}
	text, kept := redactedTail(l, MaxLogBytes)
	if len(text) > MaxLogBytes || kept != MaxLogBytes/1001 {
		t.Fatalf("kept %d lines, %d bytes; want %d lines within %d bytes", kept, len(text), MaxLogBytes/1001, MaxLogBytes)
	}
}
