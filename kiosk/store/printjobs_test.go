package store_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/devices/printer"
	"github.com/absher-kiosk/kiosk/devices/printer/emulator"
	"github.com/absher-kiosk/kiosk/devices/printer/escpos"
	"github.com/absher-kiosk/kiosk/devices/printer/jobs"
	"github.com/absher-kiosk/kiosk/kiosk/store"
	"github.com/absher-kiosk/kiosk/sync/seal"
)

type rig struct {
	dir   string
	keys  *seal.Keyring
	em    *emulator.Emulator
	p     *printer.Printer
	clock time.Time
}

func newRig(t *testing.T) *rig {
	dir := t.TempDir()
	keys, err := seal.LoadOrCreate(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	em, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { em.Close() })
	p, err := printer.Open(context.Background(), printer.Config{Port: em.PortPath(), Profile: "epson-tm-t88", CheckEvery: 1024,
		ReplyGrace: 300 * time.Millisecond, Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return &rig{dir: dir, keys: keys, em: em, p: p, clock: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
}

// open opens the kiosk's store at path, on the rig's clock.
func (r *rig) open(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), path, r.keys, store.Options{Clock: func() time.Time { return r.clock }})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func jobStore(st *store.Store) *jobs.Store { return jobs.New(st.PrintJobs()) }

const secretName = "MOHAMMED ALQAHTANI 1012345678"

func receipt(t *testing.T, p *printer.Printer) escpos.Encoded {
	doc := escpos.Doc{escpos.Text{Latin: secretName}}
	for i := 0; i < 4; i++ {
		img := escpos.NewBitmap(576, 30)
		for y := 0; y < 30; y++ {
			for x := y % 2; x < 576; x += 2 {
				img.Set(x, y)
			}
		}
		doc = append(doc, escpos.Image{Img: bitmapImage(img)})
	}
	doc = append(doc, escpos.Cut{})
	enc, err := p.Encode(doc)
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

func TestPaperOutThenReprint(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	path := filepath.Join(r.dir, "kiosk.db")
	db := r.open(t, path)
	defer db.Close()
	s := jobStore(db)
	enc := receipt(t, r.p)
	id, err := s.Add(ctx, "receipt", enc)
	if err != nil {
		t.Fatal(err)
	}
	r.em.PaperOutAfter(3000)
	err = s.Run(ctx, r.p, id)
	var je *printer.JobError
	if !errors.As(err, &je) || je.Reason != "paper-out" {
		t.Fatalf("run = %v, want paper-out", err)
	}
	j, err := s.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if j.State != jobs.Failed || j.Reason != "paper-out" || j.Done != je.Done || j.Done == 0 || j.Total != len(enc.Bytes) {
		t.Fatalf("job after paper out = %+v (driver said done %d)", j, je.Done)
	}
	failed, _ := s.Failed(ctx)
	if len(failed) != 1 || failed[0].ID != id {
		t.Fatalf("failed list = %+v", failed)
	}
	db.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	wal, _ := os.ReadFile(path + "-wal")
	if bytes.Contains(raw, []byte("1012345678")) || bytes.Contains(wal, []byte("1012345678")) {
		t.Fatal("the ID number on the receipt is on disk in the clear")
	}

	// A new roll; the job is printed again from the stored bytes.
	r.em.Reset()
	db = r.open(t, path)
	defer db.Close()
	s = jobStore(db)
	if err := s.Run(ctx, r.p, id); err != nil {
		t.Fatalf("reprint: %v", err)
	}
	j, _ = s.Get(ctx, id)
	if j.State != jobs.Done || j.Done != j.Total {
		t.Fatalf("after reprint %+v", j)
	}
	if _, err := s.Content(ctx, id); err == nil {
		t.Fatal("content of a done job is still stored")
	}
	pages := r.em.Pages()
	if got := pages[len(pages)-1].Text; got != secretName {
		t.Fatalf("reprinted text %q", got)
	}
}

func TestPowerCutMidPrint(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	path := filepath.Join(r.dir, "kiosk.db")
	db := r.open(t, path)
	s := jobStore(db)
	id, err := s.Add(ctx, "visa", receipt(t, r.p))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := s.Progress(ctx, id, 1200); err != nil {
		t.Fatal(err)
	}
	db.Close() // the kiosk loses power here

	r.clock = r.clock.Add(time.Hour)
	db = r.open(t, path)
	defer db.Close()
	s = jobStore(db)
	got, err := s.Recover(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != id || got[0].State != jobs.Failed || got[0].Reason != jobs.ReasonInterrupted || got[0].Done != 1200 || got[0].Kind != "visa" {
		t.Fatalf("recovered %+v", got)
	}
	j, _ := s.Get(ctx, id)
	if j.State != jobs.Failed || !j.Updated.Equal(r.clock) {
		t.Fatalf("stored %+v", j)
	}
	if again, _ := s.Recover(ctx); len(again) != 0 {
		t.Fatalf("second recover found %+v", again)
	}
	if err := s.Run(ctx, r.p, id); err != nil {
		t.Fatalf("reprint: %v", err)
	}
}

func TestUnknownJob(t *testing.T) {
	r := newRig(t)
	db := r.open(t, filepath.Join(r.dir, "k.db"))
	defer db.Close()
	s := jobStore(db)
	if err := s.Start(context.Background(), 99); err == nil {
		t.Fatal("started a job that does not exist")
	}
	if _, err := s.Get(context.Background(), 99); err == nil {
		t.Fatal("got a job that does not exist")
	}
}

func TestTamperedContent(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	db := r.open(t, filepath.Join(r.dir, "k.db"))
	defer db.Close()
	s := jobStore(db)
	id, err := s.Add(ctx, "receipt", receipt(t, r.p))
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Corrupt(db, `UPDATE printer_jobs SET content = CAST(substr(content, 1, length(content)-1) || x'00' AS BLOB) WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Content(ctx, id); err == nil {
		t.Fatal("tampered content was accepted")
	}
}

func bitmapImage(b escpos.Bitmap) image.Image {
	img := image.NewGray(image.Rect(0, 0, b.W, b.H))
	for y := 0; y < b.H; y++ {
		for x := 0; x < b.W; x++ {
			if !b.At(x, y) {
				img.SetGray(x, y, color.Gray{Y: 255})
			}
		}
	}
	return img
}
