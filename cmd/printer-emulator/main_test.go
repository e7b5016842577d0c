package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/devices/printer"
	"github.com/absher-kiosk/kiosk/devices/printer/emulator"
	"github.com/absher-kiosk/kiosk/devices/printer/escpos"
)

func TestApply(t *testing.T) {
	em, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer em.Close()
	p, err := printer.Open(context.Background(), printer.Config{Port: em.PortPath(), Profile: "epson-tm-t88", ReplyGrace: 200 * time.Millisecond,
		Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()
	for _, tt := range []struct {
		line string
		err  string
		want printer.Status
	}{
		{"near-end", "", printer.Status{Online: true, PaperNearEnd: true}},
		{"cover-open", "", printer.Status{Offline: true, CoverOpen: true, PaperNearEnd: true}},
		{"cover-close", "", printer.Status{Online: true, PaperNearEnd: true}},
		{"ok", "", printer.Status{Online: true}},
		{"paper-out", "", printer.Status{Offline: true, PaperOut: true, PaperNearEnd: true, PaperStop: true}},
		{"ok", "", printer.Status{Online: true}},
		{"silent", "", printer.Status{NoAnswer: true}},
		{"ok", "", printer.Status{Online: true}},
		{"noise 7e7e12", "", printer.Status{Online: true}},
		{"noise zz", "noise:", printer.Status{Online: true}},
		{"paper-out x", "byte count", printer.Status{Online: true}},
		{"jam", "unknown command", printer.Status{Online: true}},
		{"", "", printer.Status{Online: true}},
	} {
		_, err := apply(em, tt.line)
		if (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%q: err %v, want %q", tt.line, err, tt.err)
		}
		s, err := p.Status(ctx)
		if err != nil || s != tt.want {
			t.Errorf("after %q: %+v %v, want %+v", tt.line, s, err, tt.want)
		}
	}
	if msg, _ := apply(em, "pages"); msg != "1 pages" { // the paper-out event ends a (blank) page
		t.Errorf("pages = %q", msg)
	}
}

// The command writes each cut page as PNG and text.
func TestRunWritesPages(t *testing.T) {
	dir := t.TempDir()
	pr, pw, _ := os.Pipe()
	outR, outW, _ := os.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(dir, "epson-tm-t88", 0, "", pr, outW) }()
	buf := make([]byte, 256)
	n, err := outR.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	port := strings.TrimSpace(string(buf[:n]))
	p, err := printer.Open(context.Background(), printer.Config{Port: port, Profile: "epson-tm-t88"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	enc, _ := p.Encode(escpos.Doc{escpos.Text{Latin: "TEST PAGE"}, escpos.Cut{}})
	if err := p.Print(context.Background(), printer.Job{Data: enc}); err != nil {
		t.Fatal(err)
	}
	n, _ = outR.Read(buf)
	if !strings.Contains(string(buf[:n]), "page-0001.png") {
		t.Fatalf("output %q", buf[:n])
	}
	txt, err := os.ReadFile(filepath.Join(dir, "page-0001.txt"))
	if err != nil || string(txt) != "TEST PAGE\n" {
		t.Fatalf("text file %q %v", txt, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "page-0001.png")); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	syscallKill(t)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
