package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/central/demo"
	"github.com/absher-kiosk/kiosk/central/people"
)

func TestDemoFingers(t *testing.T) {
	ppl, err := demo.Generate(demoSeed, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), "")
	if err != nil {
		t.Fatal(err)
	}
	seed := demoFingers(ppl)
	show := demo.Showcase(ppl)
	if len(show) == 0 {
		t.Fatal("no showcase")
	}
	for _, c := range show {
		if got := seed(c.ID); got != c.ScannerSeed {
			t.Errorf("%s: presents %d, the showcase says %d", c.NameEN, got, c.ScannerSeed)
		}
	}
	// Typed with Arabic-Indic digits, the same person.
	arabic := strings.Map(func(r rune) rune { return r - '0' + '٠' }, show[0].ID)
	if seed(arabic) != show[0].ScannerSeed {
		t.Error("Arabic-Indic digits present another finger")
	}
	// Anyone else: their enrolled right index.
	inShow := map[string]bool{}
	for _, c := range show {
		inShow[c.ID] = true
	}
	for _, p := range ppl {
		if inShow[p.ID] {
			continue
		}
		for _, f := range p.Fingers {
			if f.Position == people.RightIndex && seed(p.ID) != f.Seed {
				t.Fatalf("%s: presents %d, enrolled right index is %d", p.NameEN, seed(p.ID), f.Seed)
			}
		}
	}
}

func TestConsoleSMSMasksTheNumber(t *testing.T) {
	var b bytes.Buffer
	if err := (consoleSMS{&b}).Send(t.Context(), "kiosk-001", "+966512345678", "code 123456"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "512345678") || !strings.Contains(b.String(), "5678") || !strings.Contains(b.String(), "123456") {
		t.Fatalf("console line %q", b.String())
	}
}

// TestDemoRecordings: the simulator gets the recorded capture for the one
// demo person enrolled with it, typed in either digit form, and nothing
// for anyone else.
func TestDemoRecordings(t *testing.T) {
	fixtures := filepath.Join("..", "..", defaultFixtures)
	if _, err := os.Stat(filepath.Join(fixtures, demo.FixturePath)); err != nil {
		t.Skipf("the recorded scanner fixtures are absent (%v)", err)
	}
	ppl, err := demo.Generate(demoSeed, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), fixtures)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := demoRecordings(ppl)
	if err != nil {
		t.Fatal(err)
	}
	var enrolled, other string
	for _, p := range ppl {
		if len(p.Fingers) > 0 && p.Fingers[0].Fixture != "" {
			enrolled = p.ID
		} else if other == "" && len(p.Fingers) > 0 {
			other = p.ID
		}
	}
	if enrolled == "" {
		t.Fatal("nobody is enrolled with the recording")
	}
	if img := rec(enrolled); img == nil || img.Bounds().Dx() == 0 {
		t.Fatal("no recorded image for the person enrolled with it")
	}
	arabic := strings.Map(func(r rune) rune { return '٠' + (r - '0') }, enrolled)
	if rec(arabic) == nil {
		t.Fatal("the ID typed in Arabic-Indic digits found no recording")
	}
	if rec(other) != nil {
		t.Fatal("a person enrolled with a synthetic finger got the recording")
	}
}
