package app

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/absher-kiosk/kiosk/devices/health"
	"github.com/absher-kiosk/kiosk/devices/printer/escpos"
	"github.com/absher-kiosk/kiosk/kiosk/store"
	"github.com/absher-kiosk/kiosk/kiosk/supervise"
	"github.com/absher-kiosk/kiosk/sync/outbox"
)

// Exit codes beside 0 (signal), 1 (cannot start) and 2 (bad command line
// or config). systemd's Restart=always starts the kiosk again after any of
// them; ExitToOS is the one a unit can exempt (RestartPreventExitStatus=77)
// so a technician's "leave to the operating system" stays left.
const (
	ExitRestart = 76 // a restart asked for by the centre or a technician
	ExitToOS    = 77 // the technician left to the operating system
	// watchdog.ExitHung (75) is a restart after the UI hung.
)

// hangShutdown bounds the stop after a UI hang: the background services
// and the store get this long to close before the process ends anyway, so
// a wedged device or disk cannot keep a hung kiosk alive.
const hangShutdown = 5 * time.Second

// exiter ends the program with the first code asked for.
type exiter struct {
	end  func()
	once sync.Once
	c    atomic.Int32
}

func (e *exiter) exit(code int) {
	e.once.Do(func() {
		e.c.Store(int32(code))
		e.end()
	})
}

func (e *exiter) code() int { return int(e.c.Load()) }

// supervisorLog passes the supervisor's events to health and remembers
// which services run, for the maintenance screen's and the tests' sake.
type supervisorLog struct {
	report func(supervise.Event)
	mu     sync.Mutex
	state  map[string]string
}

func (s *supervisorLog) on(e supervise.Event) {
	s.mu.Lock()
	if s.state == nil {
		s.state = map[string]string{}
	}
	s.state[e.Service] = e.What
	s.mu.Unlock()
	s.report(e)
}

// States is each service's last event.
func (s *supervisorLog) States() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string, len(s.state))
	for k, v := range s.state {
		out[k] = v
	}
	return out
}

// lastStatus keeps the printer's last polled status for the maintenance
// screen.
type lastStatus struct {
	mu sync.Mutex
	st escpos.Status
	ok bool
}

func (l *lastStatus) set(st escpos.Status) {
	l.mu.Lock()
	l.st, l.ok = st, true
	l.mu.Unlock()
}

func (l *lastStatus) get() (escpos.Status, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.st, l.ok
}

// storageProbe clears a storage fault after the next good write: the
// outbox reports faults, not recoveries, and a kiosk out of service takes
// no transactions that would write.
func storageProbe(ctx context.Context, reg *health.Registry, q *store.Store, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		if !storageFaulty(reg) {
			continue
		}
		err := q.Update(ctx, func(tx outbox.Tx) error {
			return tx.SetKV("health.storage_probe", time.Now().UTC().Format(time.RFC3339))
		})
		if err == nil {
			outbox.StorageRecovered(reg)
		}
	}
}

// storageFaulty reports whether a warning that takes the kiosk out of
// service is present, visible or not: only storage faults (the outbox's and
// the queue's) do, and a good write is what clears them.
func storageFaulty(reg *health.Registry) bool {
	for _, w := range reg.All() {
		if w.Impact&health.OutOfService != 0 {
			return true
		}
	}
	return false
}

// readCommandKey reads the centre's Ed25519 public key that signs commands:
// a PEM "PUBLIC KEY" (PKIX) block.
func readCommandKey(path string) (ed25519.PublicKey, error) {
	if path == "" {
		return nil, errors.New("centre.command_key_file is not set: the kiosk needs the centre's command public key (PEM) to accept remote commands")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read centre.command_key_file: %w", err)
	}
	return parseCommandKey(b)
}

func parseCommandKey(b []byte) (ed25519.PublicKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, errors.New("centre.command_key_file: not a PEM \"PUBLIC KEY\" block; export the centre's command key with its public half only")
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("centre.command_key_file: %w", err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("centre.command_key_file: a %T key, not Ed25519", k)
	}
	return pub, nil
}

// testPrinter is the maintenance console's test print.
type testPrinter func(ctx context.Context) error

func (t testPrinter) TestPrint(ctx context.Context) error {
	if t == nil {
		return errors.New("no receipt printer is fitted (printer.port is empty)")
	}
	return t(ctx)
}
