// Package browsertest drives the ops console in a real headless Chromium
// against a real centre and a real kiosk process: the kiosk heartbeats over
// mutual TLS from its own SQLite outbox and applies signed commands with
// sync/client, exactly as a deployed kiosk does.
package browsertest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/absher-kiosk/kiosk/central"
	"github.com/absher-kiosk/kiosk/central/devpki"
	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/internal/centretest"
	"github.com/absher-kiosk/kiosk/kiosk/store"
	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/client"
	"github.com/absher-kiosk/kiosk/sync/outbox"
	"github.com/absher-kiosk/kiosk/sync/seal"
)

// The test binary runs as the kiosk when this variable is set.
const childEnv = "CONSOLE_TEST_KIOSK"

// chromiumPath is where Debian's chromium package puts the browser.
const chromiumPath = "/usr/bin/chromium"

// kioskInterval is the test kiosk's heartbeat interval (sync/client's
// floor): online means a heartbeat within 12.5 s.
const kioskInterval = 5 * time.Second

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(runKiosk())
	}
	os.Exit(m.Run())
}

// kv keys of the test kiosk's service state.
const (
	kvOOS     = "test.out_of_service"
	kvMessage = "test.out_of_service_message"
)

// runKiosk is the kiosk process: outbox, uploader, command puller and
// heartbeat from sync/client against the centre in the environment. It
// ends when its stdin closes (the test is over) or on SIGTERM.
func runKiosk() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() { io.Copy(io.Discard, os.Stdin); stop() }()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	fail := func(what string, err error) int {
		log.Error(what, "err", err)
		return 1
	}
	dir := os.Getenv("KIOSK_DIR")
	keys, err := seal.LoadOrCreate(filepath.Join(dir, "outbox.key"))
	if err != nil {
		return fail("keyring", err)
	}
	ob, err := store.Open(ctx, filepath.Join(dir, "outbox.db"), keys, store.Options{Logger: log})
	if err != nil {
		return fail("outbox", err)
	}
	defer ob.Close()
	c, err := client.New(client.Config{BaseURL: os.Getenv("KIOSK_CENTRE"), KioskID: os.Getenv("KIOSK_ID"),
		CAFile: os.Getenv("KIOSK_CA"), CertFile: os.Getenv("KIOSK_CERT"), KeyFile: os.Getenv("KIOSK_KEY"), Timeout: 10 * time.Second})
	if err != nil {
		return fail("client", err)
	}
	pub, err := devpki.LoadCommandPub(os.Getenv("KIOSK_PUB"))
	if err != nil {
		return fail("command key", err)
	}
	// A print-job report without its outcome: the centre rejects it, the
	// uploader parks it, and heartbeats list it for the console.
	if _, err := ob.Enqueue(ctx, outbox.Event{Kind: string(api.EventPrintJob), Payload: []byte(`{"reference":"K-1","document":"receipt"}`), Created: time.Now()}); err != nil {
		return fail("enqueue", err)
	}
	up := client.NewUploader(c, ob, client.UploaderOptions{Poll: 200 * time.Millisecond, Logger: log})
	source := func() api.Heartbeat {
		hb := api.Heartbeat{Version: "test-kiosk 1.0", UptimeSeconds: 1, PrinterState: api.DeviceOnline, PrinterPaper: api.PaperLow,
			ScannerState: api.DeviceOnline, HeartbeatIntervalSeconds: int(kioskInterval / time.Second)}
		if v, _, err := ob.GetKV(ctx, kvOOS); err == nil && v == "1" {
			hb.OutOfService = true
			hb.OutOfServiceReason, _, _ = ob.GetKV(ctx, kvMessage)
		}
		if ps, err := ob.Parked(ctx); err == nil {
			for _, p := range ps[:min(len(ps), api.MaxHeartbeatParked)] {
				hb.Parked = append(hb.Parked, api.ParkedEvent{ID: p.ID, Kind: p.Kind, CreatedAt: p.Created, Attempts: p.Attempts, Reason: p.Reason})
			}
		}
		return hb
	}
	hb := client.NewHeartbeat(ob, ob, source, func() time.Duration { return kioskInterval }, log)
	// A change of service state is reported at once rather than at the
	// next beat, as the kiosk application does.
	report := func(ctx context.Context, cmd api.Command) error {
		fmt.Printf("applied %s %d\n", cmd.Kind, cmd.Seq)
		_, err := hb.Beat(ctx)
		up.Kick()
		return err
	}
	handlers := map[api.CommandKind]client.Handler{
		api.CmdOutOfService: {InTx: func(tx outbox.Tx, cmd api.Command) error {
			if err := tx.SetKV(kvOOS, "1"); err != nil {
				return err
			}
			return tx.SetKV(kvMessage, cmd.Args[central.ArgMessageEN])
		}, AfterCommit: report},
		api.CmdInService: {InTx: func(tx outbox.Tx, cmd api.Command) error { return tx.SetKV(kvOOS, "0") }, AfterCommit: report},
	}
	puller := client.NewCommandPuller(c, ob, pub, handlers, client.PullOptions{Wait: 10 * time.Second, Logger: log})
	var wg sync.WaitGroup
	for _, s := range []interface{ Serve(context.Context) error }{up, puller, hb} {
		wg.Add(1)
		go func() { defer wg.Done(); s.Serve(ctx) }()
	}
	fmt.Println("kiosk running")
	wg.Wait()
	return 0
}

// lines collects a child's output lines.
type lines struct {
	mu  sync.Mutex
	all []string
}

func (l *lines) has(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, x := range l.all {
		if x == s {
			return true
		}
	}
	return false
}

// syncBuffer is a bytes.Buffer safe to write from the exec goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// startKiosk runs the kiosk process until the test's cleanup, which closes
// its stdin and waits for it to stop by itself; the deadline only kills a
// kiosk that hangs.
func startKiosk(t *testing.T, srv *central.Server, id string) *lines {
	t.Helper()
	pair := srv.PKI.Clients[id]
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", "KIOSK_DIR="+t.TempDir(), "KIOSK_CENTRE="+srv.URL, "KIOSK_ID="+id,
		"KIOSK_CA="+srv.PKI.CA, "KIOSK_CERT="+pair.Cert, "KIOSK_KEY="+pair.Key, "KIOSK_PUB="+srv.PKI.CommandPub)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the kiosk process: %v", err)
	}
	out := &lines{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			out.mu.Lock()
			out.all = append(out.all, sc.Text())
			out.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		stdin.Close() // the kiosk ends when its stdin closes
		<-done
		if err := cmd.Wait(); err != nil {
			t.Errorf("kiosk process: %v", err)
		}
		if t.Failed() {
			t.Logf("kiosk process log:\n%s", stderr.String())
		}
	})
	return out
}

func TestConsoleOutOfServiceInBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing in CI; scripts/setup.sh installs the chromium package", chromiumPath)
		}
		t.Skipf("%s is not installed (apt-get install chromium); the console's browser test needs it", chromiumPath)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// The centre's cleanup runs after the kiosk's: the kiosk stops first.
	srv := centretest.Start(t, central.Options{OpsAddr: "127.0.0.1:0", Population: []people.Person{}})
	out := startKiosk(t, srv, "kiosk-001")

	actx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// Containers often give /dev/shm only 64 MB, too little for a renderer.
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1500, 900),
	)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()

	// until waits, bounded, for a condition in the page.
	until := func(what, js string) {
		t.Helper()
		var ok bool
		if err := chromedp.Run(bctx, chromedp.Poll(js, &ok, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(45*time.Second))); err != nil || !ok {
			var body string
			chromedp.Run(bctx, chromedp.Evaluate(`document.body.innerText`, &body))
			t.Fatalf("waiting for %s: %v\npage text:\n%s", what, err, body)
		}
	}
	const row = `#kiosk-kiosk-001`
	if err := chromedp.Run(bctx, chromedp.Navigate(srv.OpsURL), chromedp.WaitVisible(`#command-form`)); err != nil {
		t.Fatalf("open the console at %s: %v", srv.OpsURL, err)
	}
	until("kiosk-001 online and in service", `document.querySelector('`+row+`[data-state="online"][data-service="in"]') !== null`)
	until("the live refresh to run", `document.getElementById('live-status').textContent.startsWith('live, updated')`)

	const message = "Please use the kiosk at gate 3"
	if err := chromedp.Run(bctx,
		chromedp.SetValue(`#cmd-kiosk`, "kiosk-001", chromedp.ByID),
		chromedp.SetValue(`#cmd-kind`, string(api.CmdOutOfService), chromedp.ByID),
		chromedp.Click(`#cmd-message-en`, chromedp.ByID),
		chromedp.SendKeys(`#cmd-message-en`, message, chromedp.ByID),
		chromedp.SendKeys(`#cmd-reason`, "printer service visit", chromedp.ByID),
		chromedp.Click(`#cmd-send`, chromedp.ByID),
	); err != nil {
		t.Fatalf("fill and send the command form: %v", err)
	}
	until("the centre to confirm the queued command", `document.getElementById('flash').textContent.startsWith('queued out_of_service for kiosk-001 as #1')`)
	until("kiosk-001 to report out of service", `document.querySelector('`+row+`[data-state="online"][data-service="out"]') !== null`)
	var service, paper string
	if err := chromedp.Run(bctx, chromedp.Text(row+` td.service`, &service, chromedp.ByQuery), chromedp.Text(row+` td.paper`, &paper, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	if service != "out of service: "+message || paper != "near end" {
		t.Fatalf("row shows service %q, paper %q", service, paper)
	}
	if !out.has("applied out_of_service 1") {
		t.Fatalf("the kiosk process did not say it applied the command; it said %q", out.all)
	}
	shots := os.Getenv("CONSOLE_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	shoot := func(name string) {
		t.Helper()
		var png []byte
		if err := chromedp.Run(bctx, chromedp.FullScreenshot(&png, 100)); err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
			t.Fatalf("screenshot is not a PNG (%d bytes)", len(png))
		}
		p := filepath.Join(shots, name)
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", p)
	}
	shoot("fleet.png")

	// The kiosk page: the command answered, the switch in the history.
	if err := chromedp.Run(bctx, chromedp.Click(row+` a`, chromedp.ByQuery), chromedp.WaitVisible(`#kiosk-live`, chromedp.ByID)); err != nil {
		t.Fatalf("open the kiosk page: %v", err)
	}
	until("the kiosk's answer to command #1", `document.querySelector('#command-1[data-outcome="applied"]') !== null`)
	until("the parked print job", `[...document.querySelectorAll('#parked tr')].some(r => r.textContent.includes('print_job') && r.textContent.includes('outcome is required'))`)
	until("out of service in the health history", `[...document.querySelectorAll('#history tr')].some(r => r.textContent.includes('out of service'))`)
	var args string
	if err := chromedp.Run(bctx, chromedp.Text(`#command-1 td:nth-child(3)`, &args, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	if want := "message_en: " + message + "; reason: printer service visit"; args != want {
		t.Fatalf("command arguments shown as %q, want %q", args, want)
	}
	shoot("kiosk.png")
	if strings.Contains(fmt.Sprint(out.all), "refused") {
		t.Fatalf("the kiosk refused a command: %q", out.all)
	}
}
