package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"github.com/absher-kiosk/kiosk/sync/outbox"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/sync/seal"
)

// verifyIntact reopens the outbox and checks every row that was reported as
// queued is there and opens to its payload.
func verifyIntact(t *testing.T, path string, keys *seal.Keyring, want map[string]string) {
	t.Helper()
	o, err := Open(context.Background(), path, keys, Options{})
	if err != nil {
		t.Fatalf("reopen after the fault: %v", err)
	}
	defer o.Close()
	var ok string
	if err := o.r.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check = %q, %v", ok, err)
	}
	got, err := o.Next(context.Background(), len(want)+100, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, it := range got {
		seen[it.Key] = string(it.Payload)
	}
	for k, p := range want {
		if seen[k] != p {
			t.Fatalf("row %s after the fault: payload %q, want %q", k, seen[k], p)
		}
	}
	if st, _ := o.Stats(context.Background()); st.Parked != 0 {
		t.Fatalf("%d rows parked after the fault, want 0", st.Parked)
	}
}

// fillUntilFault enqueues until an error and returns what was queued.
func fillUntilFault(t *testing.T, o *Store, size int) (map[string]string, error) {
	t.Helper()
	queued := map[string]string{}
	for i := range 100000 {
		p := fmt.Sprintf("%06d", i) + strings.Repeat("p", size)
		it, err := o.Enqueue(context.Background(), outbox.Event{Kind: "tx.fill", Payload: []byte(p)})
		if err != nil {
			return queued, err
		}
		queued[it.Key] = p
	}
	t.Fatal("the database never filled up")
	return nil, nil
}

func checkStorageErr(t *testing.T, err error, hooked []error, fault, msg string) {
	t.Helper()
	var se *outbox.StorageError
	if !errors.Is(err, outbox.ErrStorage) || !errors.As(err, &se) || se.Fault != fault {
		t.Fatalf("error = %v, want a %q storage error", err, fault)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Fatalf("error %q does not say %q", err, msg)
	}
	if len(hooked) == 0 || !errors.Is(hooked[len(hooked)-1], outbox.ErrStorage) {
		t.Fatalf("OnStorageFault got %v, want the storage error", hooked)
	}
}

func TestFullDatabaseKeepsQueuedRows(t *testing.T) {
	var hooked []error
	e := newEnv(t, Options{OnStorageFault: func(err error) { hooked = append(hooked, err) }})
	ctx := context.Background()
	var pages int
	if err := e.o.w.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	// max_page_count makes SQLite itself answer SQLITE_FULL, as it does when
	// the filesystem has no room left.
	if _, err := e.o.w.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages+8)); err != nil {
		t.Fatal(err)
	}
	queued, err := fillUntilFault(t, e.o, 500)
	checkStorageErr(t, err, hooked, "full", "the kiosk's disk is full")
	if len(queued) == 0 {
		t.Fatal("nothing was queued before the database filled")
	}
	// Commands and acks also fail clearly while full, and change nothing.
	if err := e.o.Update(ctx, func(tx outbox.Tx) error { return tx.SetKV("x", strings.Repeat("v", 50000)) }); !errors.Is(err, outbox.ErrStorage) {
		t.Fatalf("write while full = %v, want a storage error", err)
	}
	e.o.Close()
	verifyIntact(t, e.db, e.keys, queued)
}

// mountTmpfs mounts a small tmpfs at dir; it needs the privilege to mount.
func mountTmpfs(t *testing.T, dir, opts string) {
	t.Helper()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, opts); err != nil {
		t.Skipf("mounting a tmpfs is not permitted here (%v); the full-disk case is covered by max_page_count", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
}

func TestFullFilesystemKeepsQueuedRows(t *testing.T) {
	dir := t.TempDir()
	mnt := filepath.Join(dir, "mnt")
	if err := os.Mkdir(mnt, 0o700); err != nil {
		t.Fatal(err)
	}
	mountTmpfs(t, mnt, "size=256k")
	keys, err := seal.LoadOrCreate(filepath.Join(dir, "outbox.key"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(mnt, "kiosk.db")
	var hooked []error
	o, err := Open(context.Background(), path, keys, Options{OnStorageFault: func(err error) { hooked = append(hooked, err) }})
	if err != nil {
		t.Fatal(err)
	}
	queued, err := fillUntilFault(t, o, 2000)
	checkStorageErr(t, err, hooked, "full", "the kiosk's disk is full: free space on the filesystem holding "+path)
	o.Close()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", syscall.MS_REMOUNT, "size=8m"); err != nil {
		t.Fatal(err)
	}
	verifyIntact(t, path, keys, queued)
}

func TestReadOnlyDatabaseKeepsQueuedRows(t *testing.T) {
	dir := t.TempDir()
	dbDir := filepath.Join(dir, "db")
	if err := os.Mkdir(dbDir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dbDir, "kiosk.db")
	var makeRO, makeRW func()
	if os.Geteuid() == 0 {
		// Permissions do not stop root, so make the filesystem read-only.
		mountTmpfs(t, dbDir, "size=4m")
		makeRO = func() {
			if err := syscall.Mount("tmpfs", dbDir, "tmpfs", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
				t.Fatal(err)
			}
		}
		makeRW = func() {
			if err := syscall.Mount("tmpfs", dbDir, "tmpfs", syscall.MS_REMOUNT, ""); err != nil {
				t.Fatal(err)
			}
		}
	} else {
		makeRO = func() { os.Chmod(path, 0o400) }
		makeRW = func() { os.Chmod(path, 0o600) }
	}
	keys, err := seal.LoadOrCreate(filepath.Join(dir, "outbox.key"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	o, err := Open(ctx, path, keys, Options{})
	if err != nil {
		t.Fatal(err)
	}
	queued := map[string]string{}
	for i := range 20 {
		it, err := o.Enqueue(ctx, outbox.Event{Kind: "tx.a", Payload: fmt.Appendf(nil, "p%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		queued[it.Key] = fmt.Sprintf("p%d", i)
	}
	o.Close()
	makeRO()
	var hooked []error
	o, err = Open(ctx, path, keys, Options{OnStorageFault: func(err error) { hooked = append(hooked, err) }})
	if err == nil {
		_, err = o.Enqueue(ctx, outbox.Event{Kind: "tx.a"})
		o.Close()
	}
	checkStorageErr(t, err, hooked, "readonly", "is read-only")
	makeRW()
	verifyIntact(t, path, keys, queued)
}

// TestCrashChild is the child of TestSIGKILLMidEnqueueLosesNothing: it
// enqueues until killed and reports each enqueue that returned success.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("OUTBOX_CRASH_DIR")
	if dir == "" {
		t.Skip("runs only as the child process of TestSIGKILLMidEnqueueLosesNothing")
	}
	keys, err := seal.LoadOrCreate(filepath.Join(dir, "outbox.key"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := Open(context.Background(), filepath.Join(dir, "kiosk.db"), keys, Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		it, err := o.Enqueue(context.Background(), outbox.Event{Kind: "tx.crash", Payload: fmt.Appendf(nil, "payload-%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(out, "queued %s payload-%d\n", it.Key, i)
		out.Flush()
	}
}

func TestSIGKILLMidEnqueueLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the crash test starts a child process")
	}
	dir := t.TempDir()
	keys, err := seal.LoadOrCreate(filepath.Join(dir, "outbox.key"))
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "OUTBOX_CRASH_DIR="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	queued := map[string]string{}
	sc := bufio.NewScanner(stdout)
	deadline := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	for sc.Scan() {
		var key, payload string
		if _, err := fmt.Sscanf(sc.Text(), "queued %s %s", &key, &payload); err != nil {
			continue
		}
		queued[key] = payload
		if len(queued) == 300 {
			// Killed while it is in the middle of further enqueues.
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	cmd.Wait()
	if len(queued) < 300 {
		t.Fatalf("child reported only %d enqueues before it stopped", len(queued))
	}
	verifyIntact(t, filepath.Join(dir, "kiosk.db"), keys, queued)
}
