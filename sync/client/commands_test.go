package client

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/central"
	"github.com/absher-kiosk/kiosk/central/devpki"
	"github.com/absher-kiosk/kiosk/kiosk/store"
	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/outbox"
	"github.com/absher-kiosk/kiosk/sync/seal"
)

func queueCommand(t testing.TB, s *central.Server, kioskID string, kind api.CommandKind, ttl int) api.Command {
	t.Helper()
	c, err := s.QueueCommand(context.Background(), kioskID, api.NewCommandRequest{Kind: kind, TTLSeconds: ttl})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func kvInt(t testing.TB, o *store.Store, key string) int {
	t.Helper()
	v, _, err := o.GetKV(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func counter(key string) func(tx outbox.Tx, c api.Command) error {
	return func(tx outbox.Tx, c api.Command) error {
		v, _, err := tx.GetKV(key)
		if err != nil {
			return err
		}
		n, _ := strconv.Atoi(v)
		return tx.SetKV(key, strconv.Itoa(n+1))
	}
}

// commandResults reads the command_result events the centre holds.
func commandResults(t testing.TB, stateDir string) []string {
	t.Helper()
	var out []string
	for _, e := range centreEvents(t, stateDir, kiosk) {
		if e.Kind != string(api.EventCommandResult) {
			continue
		}
		var r api.CommandResult
		if err := json.Unmarshal(e.Payload, &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d %s %s", r.Seq, r.Outcome, r.Reason))
	}
	slices.Sort(out)
	return out
}

// TestCommandsRefusedAndAppliedOnce sends real signed commands from the
// centre through a proxy that forges, mistargets and replays some of them.
func TestCommandsRefusedAndAppliedOnce(t *testing.T) {
	dir := t.TempDir()
	cdir := filepath.Join(dir, "centre")
	// The centre's clock can run behind, to issue a command that has
	// expired by the time the kiosk, on the real clock, sees it.
	var behind atomic.Int64
	s := startCentreClock(t, cdir, func() time.Time { return time.Now().Add(-time.Duration(behind.Load())) })
	px := newTLSProxy(t, s, kiosk)
	var inject func(cl *api.CommandList)
	px.rewrite = func(path string, body []byte) []byte {
		if !strings.HasSuffix(path, "/commands") || inject == nil {
			return body
		}
		cl, err := api.DecodeCommandList(body)
		if err != nil {
			t.Errorf("centre's command list: %v", err)
			return body
		}
		inject(cl)
		b, _ := json.Marshal(cl)
		return b
	}
	o := openOutbox(t, filepath.Join(dir, "kiosk.db"))
	p := NewCommandPuller(newClient(t, s, px.srv.URL), o, s.Pub, map[api.CommandKind]Handler{
		api.CmdOutOfService:  {InTx: func(tx outbox.Tx, c api.Command) error { return tx.SetKV("oos", "1") }},
		api.CmdInService:     {InTx: func(tx outbox.Tx, c api.Command) error { return tx.SetKV("oos", "0") }},
		api.CmdPrintTestPage: {InTx: counter("printed")},
		api.CmdCollectLogs: {InTx: func(tx outbox.Tx, c api.Command) error {
			if err := counter("collected")(tx, c); err != nil {
				return err
			}
			return errors.New("no log folder 0551234567")
		}},
	}, PullOptions{})
	ctx := context.Background()
	poll := func() {
		t.Helper()
		if err := p.PollOnce(ctx, 0); err != nil {
			t.Fatal(err)
		}
	}
	oos := func() string { v, _, _ := o.GetKV(ctx, "oos"); return v }

	first := queueCommand(t, s, kiosk, api.CmdOutOfService, 0) // seq 1
	poll()
	poll() // nothing new: nothing happens twice
	if oos() != "1" {
		t.Fatalf("out_of_service not applied")
	}
	queueCommand(t, s, kiosk, api.CmdInService, 0) // seq 2, forged on the way
	inject = func(cl *api.CommandList) {
		for i := range cl.Commands {
			if cl.Commands[i].Seq == 2 {
				cl.Commands[i].Signature[0] ^= 1
			}
		}
	}
	poll()
	if oos() != "1" {
		t.Fatalf("forged in_service was applied")
	}
	other := queueCommand(t, s, "kiosk-002", api.CmdInService, 0)
	inject = func(cl *api.CommandList) { cl.Commands = append(cl.Commands, other) }
	poll()
	poll() // offered twice, reported once
	inject = func(cl *api.CommandList) { cl.Commands = append(cl.Commands, first) }
	poll()
	inject = nil
	behind.Store(int64(2 * time.Minute))
	queueCommand(t, s, kiosk, api.CmdPrintTestPage, 60) // seq 3, issued 2 min ago
	behind.Store(0)
	poll()
	if kvInt(t, o, "printed") != 0 {
		t.Fatalf("expired command applied")
	}
	queueCommand(t, s, kiosk, api.CmdCollectLogs, 0) // seq 4: the handler fails
	poll()
	poll()
	if n := kvInt(t, o, "collected"); n != 0 {
		t.Fatalf("a failed command's effect was committed")
	}
	queueCommand(t, s, kiosk, api.CmdInService, 0) // seq 5
	poll()
	if oos() != "0" {
		t.Fatalf("valid in_service not applied")
	}
	if last, _ := p.LastApplied(ctx); last != 5 {
		t.Fatalf("last applied %d, want 5", last)
	}
	drain(t, NewUploader(newClient(t, s, ""), o, UploaderOptions{}), o, 10*time.Second)
	got := commandResults(t, cdir)
	want := []string{
		"1 applied ", "1 refused replayed_sequence", "1 refused wrong_kiosk",
		"2 refused forged_signature", "3 refused expired", "4 failed apply_failed: no log folder ******4567", "5 applied ",
	}
	if !slices.Equal(got, want) {
		t.Errorf("centre holds results\n%q\nwant\n%q", got, want)
	}
}

const (
	envCmdChild = "SYNC_CLIENT_CMD_CHILD"
	envPub      = "SYNC_CLIENT_PUB"
	envDie      = "SYNC_CLIENT_DIE_BEFORE_PRINT"
)

// commandChild applies commands and dies where the test asks: a restart
// kills the process as its effect; a print test page can die after commit
// and before printing.
func commandChild() {
	ctx := context.Background()
	fail := func(err error) { fmt.Println("ERR", err); os.Exit(3) }
	keys, err := seal.LoadOrCreate(filepath.Join(filepath.Dir(os.Getenv(envDB)), "outbox.key"))
	if err != nil {
		fail(err)
	}
	o, err := store.Open(ctx, os.Getenv(envDB), keys, store.Options{})
	if err != nil {
		fail(err)
	}
	c, err := New(Config{BaseURL: os.Getenv(envURL), KioskID: kiosk, CAFile: os.Getenv(envCA), CertFile: os.Getenv(envCert), KeyFile: os.Getenv(envKey)})
	if err != nil {
		fail(err)
	}
	pub, err := devpki.LoadCommandPub(os.Getenv(envPub))
	if err != nil {
		fail(err)
	}
	out := bufio.NewWriter(os.Stdout)
	die := func() { out.Flush(); syscall.Kill(os.Getpid(), syscall.SIGKILL); select {} }
	p := NewCommandPuller(c, o, pub, map[api.CommandKind]Handler{
		api.CmdRestart: {InTx: counter("restarts"), AtMostOnce: true, AfterCommit: func(ctx context.Context, c api.Command) error {
			fmt.Fprintln(out, "EFFECT restart", c.Seq)
			die()
			return nil
		}},
		api.CmdPrintTestPage: {InTx: counter("prints"), AfterCommit: func(ctx context.Context, c api.Command) error {
			if os.Getenv(envDie) == "1" {
				die()
			}
			fmt.Fprintln(out, "EFFECT print", c.Seq)
			return nil
		}},
	}, PullOptions{})
	if err := p.RunPending(ctx); err != nil {
		fail(err)
	}
	if err := p.PollOnce(ctx, 0); err != nil {
		fail(err)
	}
	fmt.Fprintln(out, "DONE")
	out.Flush()
	os.Exit(0)
}

// TestCommandAppliedOnceAcrossDeath runs the command puller in a child
// that dies right after applying: once by its own restart, once between
// commit and the effect.
func TestCommandAppliedOnceAcrossDeath(t *testing.T) {
	dir := t.TempDir()
	cdir := filepath.Join(dir, "centre")
	s := startCentre(t, cdir)
	db := filepath.Join(dir, "kiosk.db")
	pk := s.PKI.Clients[kiosk]
	env := append(os.Environ(), envCmdChild+"=1", envURL+"="+s.URL, envCA+"="+s.PKI.CA, envCert+"="+pk.Cert, envKey+"="+pk.Key, envDB+"="+db, envPub+"="+s.PKI.CommandPub)
	run := func(die bool) (string, bool) {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = env
		if die {
			cmd.Env = append(cmd.Env, envDie+"=1")
		}
		b, _ := cmd.Output()
		ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
		if strings.Contains(string(b), "ERR") {
			t.Fatalf("child: %s", b)
		}
		return strings.TrimSpace(string(b)), ws.Signaled()
	}
	queueCommand(t, s, kiosk, api.CmdRestart, 0)
	for i, want := range []struct {
		die    bool
		out    string
		killed bool
	}{
		{false, "EFFECT restart 1", true}, // applied, then the restart kills it
		{false, "DONE", false},            // not applied again, not restarted again
	} {
		if out, killed := run(want.die); out != want.out || killed != want.killed {
			t.Fatalf("run %d: %q killed=%v, want %q killed=%v", i, out, killed, want.out, want.killed)
		}
	}
	queueCommand(t, s, kiosk, api.CmdPrintTestPage, 0)
	for i, want := range []struct {
		die    bool
		out    string
		killed bool
	}{
		{true, "", true},                       // committed, died before printing
		{false, "EFFECT print 2\nDONE", false}, // the pending print is done once
		{false, "DONE", false},
	} {
		if out, killed := run(want.die); out != want.out || killed != want.killed {
			t.Fatalf("print run %d: %q killed=%v, want %q killed=%v", i, out, killed, want.out, want.killed)
		}
	}
	o := openOutbox(t, db)
	if r, p := kvInt(t, o, "restarts"), kvInt(t, o, "prints"); r != 1 || p != 1 {
		t.Fatalf("local effects: restarts %d, prints %d; want 1 and 1", r, p)
	}
	drain(t, NewUploader(newClient(t, s, ""), o, UploaderOptions{}), o, 10*time.Second)
	if got, want := commandResults(t, cdir), []string{"1 applied ", "2 applied "}; !slices.Equal(got, want) {
		t.Errorf("centre holds %q, want %q", got, want)
	}
}
