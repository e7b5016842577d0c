package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/absher-kiosk/kiosk/devices/fingerprint"
	"github.com/absher-kiosk/kiosk/devices/printer"
	"github.com/absher-kiosk/kiosk/devices/printer/escpos"
	"github.com/absher-kiosk/kiosk/kiosk/maintenance"
	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/client"
)

// PagePrinter is the part of devices/printer a test page needs.
type PagePrinter interface {
	Encode(doc escpos.Doc) (escpos.Encoded, error)
	Print(ctx context.Context, job printer.Job) error
}

// TestPage prints a page that names the kiosk and the time, so a
// technician or the operator who asked for it can tell it from a receipt.
// It carries no personal data.
func TestPage(p PagePrinter, kioskID string, now func() time.Time) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		doc := escpos.Doc{
			escpos.Text{Latin: "TEST PAGE", Align: escpos.Center, Bold: true, DoubleHeight: true},
			escpos.Text{Latin: "Kiosk " + kioskID, Align: escpos.Center},
			escpos.Text{Latin: now().UTC().Format("2006-01-02 15:04 UTC"), Align: escpos.Center},
			escpos.Text{Latin: "ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789"},
			escpos.Feed{Lines: 3},
			escpos.Cut{},
		}
		enc, err := p.Encode(doc)
		if err != nil {
			return fmt.Errorf("lay out the test page: %w", err)
		}
		if err := p.Print(ctx, printer.Job{Data: enc}); err != nil {
			return fmt.Errorf("print the test page: %w", err)
		}
		return nil
	}
}

// Devices is the maintenance screen's list of devices, read from the
// scanner manager and the printer's last polled status.
type Devices struct {
	Scanner func() fingerprint.Status
	// Printer is the last polled status; ok false before the first poll or
	// when no printer is fitted.
	Printer        func() (escpos.Status, bool)
	PrinterPort    string
	PrinterProfile string
}

func (d Devices) Devices(context.Context) []maintenance.Device {
	var out []maintenance.Device
	if d.Scanner != nil {
		st := d.Scanner()
		vidpid, _, _ := strings.Cut(st.Device, " ")
		out = append(out, maintenance.Device{Name: "scanner", Class: "fingerprint", State: string(st.State),
			VIDPID: vidpid, Profile: st.Device, LastError: st.LastError})
	}
	if d.PrinterPort != "" {
		dev := maintenance.Device{Name: "printer", Class: "printer", State: api.DeviceNoDevice, Port: d.PrinterPort, Profile: d.PrinterProfile}
		if d.Printer != nil {
			if st, ok := d.Printer(); ok {
				dev.State, _ = printerState(st)
				if ws := printer.Warnings(st); len(ws) > 0 {
					dev.LastError = ws[0].Code
				}
			}
		}
		out = append(out, dev)
	}
	return out
}

// Syncer is the uploader as the maintenance screen drives it.
type Syncer struct {
	Status func() client.Status
	Kick   func()
}

func (s Syncer) LastSuccess() time.Time { return s.Status().LastSuccess }
func (s Syncer) ForceSync(context.Context) error {
	s.Kick()
	return nil
}

// ConfigPoller is the config puller's one-shot poll.
type ConfigPoller interface {
	PollOnce(ctx context.Context, ifNoneMatch string) (string, error)
}

// CentrePing asks the centre for the config the kiosk already has: an
// answer (even "not modified") proves the link, the certificates and the
// centre; the config version is its ETag.
type CentrePing struct {
	Poller ConfigPoller
	ETag   func() string
}

func (c CentrePing) Ping(ctx context.Context) error {
	if _, err := c.Poller.PollOnce(ctx, c.ETag()); err != nil {
		return fmt.Errorf("the centre did not answer: %w", err)
	}
	return nil
}
func (c CentrePing) ConfigVersion() string { return c.ETag() }

// Capturer is the scanner manager's capture.
type Capturer interface {
	Capture(ctx context.Context) (*fingerprint.Capture, error)
}

// TestCapture takes one capture for the technician and gives the quality
// gate's verdict; the image is only shown, never kept.
type TestCapture struct{ Scanner Capturer }

func (t TestCapture) TestCapture(ctx context.Context) (maintenance.Capture, error) {
	c, err := t.Scanner.Capture(ctx)
	if err != nil {
		return maintenance.Capture{}, fmt.Errorf("test capture: %w", err)
	}
	q, err := fingerprint.Check(c)
	var refused *fingerprint.RefusedError
	switch {
	case errors.As(err, &refused):
		return maintenance.Capture{Image: c.Image, Quality: strings.TrimPrefix(refused.Quality.Reason.Hint(), "fingerprint.hint."), Score: refused.Quality.Score}, nil
	case err != nil:
		return maintenance.Capture{}, fmt.Errorf("test capture quality: %w", err)
	}
	return maintenance.Capture{Image: c.Image, Quality: "ok", Score: q.Score}, nil
}

// Lifecycle ends the program: Restart with the code the service manager
// restarts on, ExitToOS with the one it leaves alone.
type Lifecycle struct {
	RestartFn func()
	ExitFn    func()
}

func (l Lifecycle) Restart(context.Context) error {
	l.RestartFn()
	return nil
}
func (l Lifecycle) ExitToOS(context.Context) error {
	l.ExitFn()
	return nil
}
