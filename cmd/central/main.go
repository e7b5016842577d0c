// Command central is the reference central server: the HTTPS API kiosks
// sync with and the ops console. With -dev it creates a throwaway CA and
// certificates in its state folder on first run and prints where they are.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"syscall"

	"github.com/absher-kiosk/kiosk/central"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "central:", err)
		os.Exit(1)
	}
}

func defaultState() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "absher-kiosk", "central")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "state", "absher-kiosk", "central")
	}
	return "central-state"
}

func run() error {
	dev := flag.Bool("dev", false, "development mode: throwaway CA and certificates, demo population, SMS to the sink")
	state := flag.String("state", defaultState(), "state folder: database, keys, certificates")
	addr := flag.String("addr", "127.0.0.1:8443", "HTTPS listen address")
	opsAddr := flag.String("ops-addr", "127.0.0.1:8444", "ops console listen address (plain HTTP, loopback only); empty to disable")
	seed := flag.Int64("seed", 1, "demo population seed")
	fixtures := flag.String("fixtures", "../shared/fixtures/libfprint", "folder of recorded scanner fixtures (may be absent)")
	flag.Parse()
	if !*dev {
		return fmt.Errorf("only -dev mode exists: this reference centre uses its own CA and the demo population; run with -dev")
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := central.Start(ctx, central.Options{StateDir: *state, Addr: *addr, OpsAddr: *opsAddr, Seed: *seed, FixtureDir: *fixtures, Logger: log})
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Printf("central: API       %s\n", s.URL)
	if s.OpsURL != "" {
		fmt.Printf("central: ops page  %s\n", s.OpsURL)
	}
	fmt.Printf("central: CA        %s\n", s.PKI.CA)
	names := make([]string, 0, len(s.PKI.Clients))
	for n := range s.PKI.Clients {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Printf("central: %-9s cert %s key %s\n", n, s.PKI.Clients[n].Cert, s.PKI.Clients[n].Key)
	}
	fmt.Printf("central: commands are signed; kiosks verify with %s\n", s.PKI.CommandPub)
	<-ctx.Done()
	log.Info("central stopping")
	return nil
}
