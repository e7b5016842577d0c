package main

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"log/slog"
	"math/rand"
	"os"
	"path/filepath"
	"time"

	"github.com/absher-kiosk/kiosk/central"
	"github.com/absher-kiosk/kiosk/central/demo"
	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/devices/printer/emulator"
	"github.com/absher-kiosk/kiosk/kiosk/app"
	"github.com/absher-kiosk/kiosk/kiosk/config"
	"github.com/absher-kiosk/kiosk/kiosk/flow"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/kiosk/simscanner"
)

// demoSeed is the demo population the in-process centre holds; the demo
// IDs in the documentation belong to it.
const demoSeed = 1

// defaultFixtures is where the recorded scanner fixtures sit beside a
// checkout of the repository, relative to the folder `make run` starts the
// demo in (the repository's root).
const defaultFixtures = "../shared/fixtures/libfprint"

// parts is the demo's side of the kiosk: the centre and the printer it
// talks to, and the options that hand them, with the simulated scanner,
// to the kiosk.
type parts struct {
	centre   *central.Server
	emulator *emulator.Emulator
	fixtures string // "" when the recorded fixtures are absent
	options  app.Options
}

// start starts the demo centre on loopback and the printer emulator on a
// pseudo-terminal, and makes the simulated scanner. If one of them fails,
// what was started is stopped again.
func start(ctx context.Context, cfg config.Config, fixtures string, log *slog.Logger) (*parts, error) {
	p := &parts{}
	if st, err := os.Stat(fixtures); err == nil && st.IsDir() {
		p.fixtures = fixtures
	} else if fixtures != "" {
		log.Info("recorded scanner fixtures absent: the demo runs on synthetic fingers only", "fixtures", fixtures)
	}
	if err := p.open(ctx, cfg, log); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

func (p *parts) open(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	state := cfg.Kiosk.StateDir
	ppl, err := demo.Generate(demoSeed, time.Now(), p.fixtures)
	if err != nil {
		return fmt.Errorf("demo population: %w", err)
	}
	p.centre, err = central.Start(ctx, central.Options{StateDir: filepath.Join(state, "central"), Addr: "127.0.0.1:0",
		Seed: demoSeed, FixtureDir: p.fixtures, Population: ppl, Logger: log.With("part", "centre"), SMS: consoleSMS{os.Stdout}})
	if err != nil {
		return fmt.Errorf("start the demo centre: %w", err)
	}
	tc, err := p.centre.ClientTLS(cfg.Kiosk.ID)
	if err != nil {
		return fmt.Errorf("demo certificates for %s: %w", cfg.Kiosk.ID, err)
	}

	// Receipts carry masked numbers only, so the paper may be kept.
	receipts := filepath.Join(state, "receipts")
	if err := os.MkdirAll(receipts, 0o700); err != nil {
		return fmt.Errorf("create the receipts folder: %w", err)
	}
	p.emulator, err = emulator.New(emulator.Options{OnPage: func(pg emulator.Page) {
		path := filepath.Join(receipts, "receipt-"+time.Now().UTC().Format("2006-01-02_15-04-05.000")+".png")
		if err := emulator.WritePagePNG(path, pg); err != nil {
			log.Error("receipt image not written", "err", err)
			return
		}
		log.Info("receipt printed on the emulator", "image", path)
	}})
	if err != nil {
		return fmt.Errorf("start the printer emulator: %w", err)
	}

	sim := simscanner.New(demoFingers(ppl), rand.New(rand.NewSource(time.Now().UnixNano())))
	if sim.Recorded, err = demoRecordings(ppl); err != nil {
		return err
	}
	p.options = app.Options{
		Centre:      &app.Endpoint{URL: p.centre.URL, TLS: tc, CommandKey: p.centre.Pub},
		PrinterPort: p.emulator.PortPath(),
		StandIn: &app.StandIn{Scanner: sim, Centre: func(c flow.Centre) flow.Centre {
			return simscanner.Presenting{Centre: c, Scanner: sim}
		}},
	}
	return nil
}

// Close stops the emulator and the centre; call it after the kiosk has
// stopped.
func (p *parts) Close() {
	var errs []error
	if p.emulator != nil {
		errs = append(errs, p.emulator.Close())
	}
	if p.centre != nil {
		errs = append(errs, p.centre.Close())
	}
	if err := errors.Join(errs...); err != nil {
		slog.Warn("the demo did not stop cleanly", "err", err)
	}
}

// consoleSMS shows the demo centre's text messages on the console, so
// whoever walks the demo can read the codes; the number is masked.
type consoleSMS struct{ w io.Writer }

func (c consoleSMS) Send(_ context.Context, _, to, text string) error {
	_, err := fmt.Fprintf(c.w, "SMS to %s: %s\n", pii.Mask(to), text)
	return err
}

// demoRecordings gives the simulator the recorded real-scanner image a
// demo person is enrolled with (Ravi Menon, when the recordings are
// present), so the simulator shows his story too.
func demoRecordings(ppl []people.Person) (func(string) *image.Gray, error) {
	recs := map[string]*image.Gray{}
	for _, p := range ppl {
		for _, f := range p.Fingers {
			if f.Fixture == "" || f.Position != people.RightIndex {
				continue
			}
			img, err := loadGrey(f.Fixture)
			if err != nil {
				return nil, fmt.Errorf("demo: the recorded finger image %s cannot be read: %w", f.Fixture, err)
			}
			recs[p.ID] = img
		}
	}
	return func(typed string) *image.Gray {
		id := typed
		if parsed, err := pii.ParseID(typed); err == nil {
			id = parsed.Reveal()
		}
		return recs[id]
	}, nil
}

func loadGrey(path string) (*image.Gray, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	src, err := png.Decode(f)
	if err != nil {
		return nil, err
	}
	g := image.NewGray(src.Bounds())
	draw.Draw(g, g.Bounds(), src, src.Bounds().Min, draw.Src)
	return g, nil
}

// demoFingers is the finger the demo scanner presents for an ID: the
// showcase person's chosen finger (a match or a deliberate mismatch), else
// the person's enrolled right index.
func demoFingers(ppl []people.Person) func(string) int64 {
	show := map[string]int64{}
	for _, c := range demo.Showcase(ppl) {
		show[c.ID] = c.ScannerSeed
	}
	return func(typed string) int64 {
		id := typed
		if parsed, err := pii.ParseID(typed); err == nil {
			id = parsed.Reveal()
		}
		if s, ok := show[id]; ok {
			return s
		}
		return demo.FingerSeed(demoSeed, id, people.RightIndex)
	}
}
