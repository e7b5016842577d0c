package client

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/store"
	"github.com/absher-kiosk/kiosk/sync/outbox"
	"github.com/absher-kiosk/kiosk/sync/seal"
)

// Environment of the crash child.
const (
	envChild = "SYNC_CLIENT_CRASH_CHILD"
	envURL   = "SYNC_CLIENT_URL"
	envCA    = "SYNC_CLIENT_CA"
	envCert  = "SYNC_CLIENT_CERT"
	envKey   = "SYNC_CLIENT_KEY"
	envDB    = "SYNC_CLIENT_DB"
)

func TestMain(m *testing.M) {
	if os.Getenv(envChild) == "1" {
		crashChild()
	}
	if os.Getenv(envCmdChild) == "1" {
		commandChild()
	}
	os.Exit(m.Run())
}

// crashChild is the child process of TestCrashLosesNothing: it enqueues
// numbered events and uploads them until it is killed. The number comes
// from kv in the same transaction as the event, so a number is never used
// twice even when the process dies between commit and print.
func crashChild() {
	ctx := context.Background()
	keys, err := seal.LoadOrCreate(filepath.Join(filepath.Dir(os.Getenv(envDB)), "outbox.key"))
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(3)
	}
	o, err := store.Open(ctx, os.Getenv(envDB), keys, store.Options{})
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(3)
	}
	c, err := New(Config{BaseURL: os.Getenv(envURL), KioskID: kiosk, CAFile: os.Getenv(envCA), CertFile: os.Getenv(envCert), KeyFile: os.Getenv(envKey)})
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(3)
	}
	u := NewUploader(c, o, UploaderOptions{MaxBatch: 50, Backoff: Backoff{Base: 5 * time.Millisecond, Max: 50 * time.Millisecond}})
	go u.Serve(ctx)
	out := bufio.NewWriterSize(os.Stdout, 64)
	for {
		var n int
		err := o.Update(ctx, func(tx outbox.Tx) error {
			v, _, err := tx.GetKV("crash.n")
			if err != nil {
				return err
			}
			if v != "" {
				if n, err = strconv.Atoi(v); err != nil {
					return err
				}
				n++
			}
			if err := tx.SetKV("crash.n", strconv.Itoa(n)); err != nil {
				return err
			}
			_, err = tx.Enqueue(outbox.Event{Kind: "audit", Payload: auditPayload(nil, "crash_test", n)})
			return err
		})
		if err != nil {
			fmt.Println("ERR", err)
			os.Exit(3)
		}
		fmt.Fprintf(out, "ENQ %d\n", n)
		out.Flush()
		time.Sleep(2 * time.Millisecond)
	}
}

// TestCrashLosesNothing kills an enqueuing, uploading child with SIGKILL
// at random moments, restarts it, drains what is left, and checks the
// centre holds every event the child reported, each exactly once.
func TestCrashLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash run takes about 20 s; run without -short")
	}
	dir := t.TempDir()
	cdir := filepath.Join(dir, "centre")
	s := startCentre(t, cdir)
	db := filepath.Join(dir, "kiosk.db")
	p := s.PKI.Clients[kiosk]
	env := append(os.Environ(), envChild+"=1", envURL+"="+s.URL, envCA+"="+s.PKI.CA, envCert+"="+p.Cert, envKey+"="+p.Key, envDB+"="+db)
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))
	reported := map[int]bool{}
	const kills = 55
	start := time.Now()
	for i := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = env
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var lines []string
		first := make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if len(lines) == 0 {
					close(first)
				}
				lines = append(lines, sc.Text())
			}
		}()
		// The kill lands at a random moment once the child is enqueuing
		// and uploading; timed from the start instead, a slow start (the
		// race detector, a loaded machine) would have most kills land
		// before the first event.
		select {
		case <-first:
		case <-time.After(time.Minute):
			cmd.Process.Kill()
			t.Fatalf("child %d printed nothing in a minute: %s", i, stderr.String())
		}
		time.Sleep(time.Duration(rnd.IntN(320)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatalf("kill %d: %v", i, err)
		}
		wg.Wait()
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("child %d ended by itself (%v): %s %s", i, err, strings.Join(lines, "\n"), stderr.String())
		}
		for _, l := range lines {
			if strings.HasPrefix(l, "ERR") {
				t.Fatalf("child %d: %s", i, l)
			}
			if v, ok := strings.CutPrefix(l, "ENQ "); ok {
				n, err := strconv.Atoi(v)
				if err != nil {
					t.Fatalf("child printed %q", l)
				}
				if reported[n] {
					t.Fatalf("number %d reported twice", n)
				}
				reported[n] = true
			}
		}
	}
	t.Logf("%d kills in %s, %d events reported", kills, time.Since(start).Round(time.Millisecond), len(reported))
	if len(reported) < kills {
		t.Fatalf("only %d events reported over %d runs; the child barely ran", len(reported), kills)
	}
	o := openOutbox(t, db)
	drain(t, NewUploader(newClient(t, s, ""), o, UploaderOptions{MaxBatch: 200}), o, 60*time.Second)
	if pk, _ := o.Parked(context.Background()); len(pk) != 0 {
		t.Fatalf("parked after crashes: %+v", pk)
	}
	// Events committed but killed before their line was printed are at
	// the centre too: it must hold exactly 0..last, each once.
	v, _, err := o.GetKV(context.Background(), "crash.n")
	if err != nil {
		t.Fatal(err)
	}
	last, err := strconv.Atoi(v)
	if err != nil {
		t.Fatal(err)
	}
	all := map[int]bool{}
	for n := range last + 1 {
		all[n] = true
	}
	for n := range reported {
		if !all[n] {
			t.Fatalf("reported %d is above the last committed number %d", n, last)
		}
	}
	checkExactlyOnce(t, cdir, "crash_test", 0, all)
}
