package i18n

import (
	"strings"
	"testing"
	"testing/fstest"
)

func load(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Arabic has six CLDR plural categories; each must pick its own wording.
func TestArabicPlurals(t *testing.T) {
	c := load(t)
	tests := []struct {
		n    int
		want string
	}{
		{0, "انتهى الوقت"},
		{1, "بقيت ثانية واحدة"},
		{2, "بقيت ثانيتان"},
		{3, "بقيت 3 ثوان"},
		{11, "بقيت 11 ثانيةً"},
		{100, "بقيت 100 ثانية"},
		{10, "بقيت 10 ثوان"},    // few: 3..10
		{99, "بقيت 99 ثانيةً"},  // many: 11..99
		{102, "بقيت 102 ثانية"}, // other again
	}
	for _, tt := range tests {
		if got := c.T(Arabic, "seconds_left", nil, tt.n); got != tt.want {
			t.Errorf("T(ar, seconds_left, %d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestEnglishPlurals(t *testing.T) {
	c := load(t)
	for n, want := range map[int]string{0: "0 seconds left", 1: "1 second left", 2: "2 seconds left", 100: "100 seconds left"} {
		if got := c.T(English, "seconds_left", nil, n); got != want {
			t.Errorf("T(en, seconds_left, %d) = %q, want %q", n, got, want)
		}
	}
}

func TestTemplateData(t *testing.T) {
	c := load(t)
	if got := c.T(English, "result_queued", map[string]any{"Reference": "K-42"}); got != "Your request has been received. Reference K-42." {
		t.Errorf("got %q", got)
	}
	if got := c.T(Arabic, "code_hint", map[string]any{"Last4": "4567"}); !strings.Contains(got, "4567") {
		t.Errorf("Arabic code hint %q lacks the last four digits", got)
	}
}

// Both catalogues define the same messages, so switching language never
// drops to a fallback.
func TestCataloguesMatch(t *testing.T) {
	c := load(t)
	ar, en := c.IDs(Arabic), c.IDs(English)
	if strings.Join(ar, ",") != strings.Join(en, ",") {
		for _, id := range en {
			if !c.Has(Arabic, id) {
				t.Errorf("Arabic lacks %s", id)
			}
		}
		for _, id := range ar {
			if !c.Has(English, id) {
				t.Errorf("English lacks %s", id)
			}
		}
	}
	for _, id := range en {
		if c.T(Arabic, id, nil) == c.T(English, id, nil) && id != "language_arabic" && id != "language_english" {
			t.Errorf("%s reads the same in Arabic and English; is it translated?", id)
		}
	}
}

func TestFallback(t *testing.T) {
	c := load(t)
	if got := c.T(Arabic, "no_such_message", nil); got != "no_such_message" {
		t.Errorf("missing message gave %q, want its ID", got)
	}
	if got := c.T("fr", "nav_back", nil); got != "Back" {
		t.Errorf("unknown language gave %q, want English", got)
	}
}

func TestLoadBadFiles(t *testing.T) {
	tests := []struct {
		name  string
		files fstest.MapFS
	}{
		{"no folder", fstest.MapFS{}},
		{"arabic missing", fstest.MapFS{"i18n/active.en.toml": {Data: []byte(`a = "b"`)}}},
		{"broken toml", fstest.MapFS{
			"i18n/active.en.toml": {Data: []byte(`a = "b"`)},
			"i18n/active.ar.toml": {Data: []byte(`a = = "`)},
		}},
		{"bad plural", fstest.MapFS{
			"i18n/active.en.toml": {Data: []byte("[a]\nother = 3\n")},
			"i18n/active.ar.toml": {Data: []byte(`a = "b"`)},
		}},
	}
	for _, tt := range tests {
		if _, err := LoadFS(tt.files, "i18n"); err == nil {
			t.Errorf("%s: LoadFS accepted it", tt.name)
		}
	}
}

func FuzzLoadFS(f *testing.F) {
	f.Add([]byte("a = \"b\"\n[c]\none = \"x\"\nother = \"y\"\n"))
	f.Add([]byte("[[[["))
	f.Add([]byte("a = \"{{.X\""))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{
			"i18n/active.en.toml": {Data: data},
			"i18n/active.ar.toml": {Data: data},
		}
		c, err := LoadFS(fsys, "i18n")
		if err != nil {
			return
		}
		for _, id := range c.IDs(English) {
			_ = c.T(Arabic, id, map[string]any{"X": 1}, 3)
		}
	})
}
