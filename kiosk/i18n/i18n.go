// Package i18n is the kiosk's translation catalogue: go-i18n message files
// embedded from assets, CLDR plural forms (Arabic has six), and a lookup
// that the screens call every time they are rebuilt, so switching language
// takes effect on the next draw without a restart.
package i18n

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/absher-kiosk/kiosk/assets"
	"github.com/absher-kiosk/kiosk/kiosk/text"
)

// Languages the kiosk offers, in the order the language screen shows them.
const (
	Arabic  = "ar"
	English = "en"
)

// Catalog holds every message in every language.
type Catalog struct {
	bundle *goi18n.Bundle
	locs   map[string]*goi18n.Localizer
	ids    map[string][]string // language -> sorted message IDs
}

// Load reads the embedded catalogues (assets/i18n/*.<lang>.toml).
func Load() (*Catalog, error) { return LoadFS(assets.Messages, "i18n") }

// LoadFS reads every <area>.<lang>.toml file in dir of fsys: active.<lang>.toml
// holds the walk-up screens, and each further area (receipts, maintenance,
// services) keeps its messages in a file of its own.
func LoadFS(fsys fs.FS, dir string) (*Catalog, error) {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &Catalog{bundle: b, locs: map[string]*goi18n.Localizer{}, ids: map[string][]string{}}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("translation folder %q cannot be read: %w", dir, err)
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".toml") {
			continue
		}
		buf, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("translation file %s cannot be read: %w", name, err)
		}
		mf, err := b.ParseMessageFileBytes(buf, name)
		if err != nil {
			return nil, fmt.Errorf("translation file %s is malformed; fix the TOML: %w", name, err)
		}
		lang := mf.Tag.String()
		for _, m := range mf.Messages {
			c.ids[lang] = append(c.ids[lang], m.ID)
		}
		sort.Strings(c.ids[lang])
		c.locs[lang] = goi18n.NewLocalizer(b, lang)
	}
	for _, l := range []string{Arabic, English} {
		if c.locs[l] == nil {
			return nil, fmt.Errorf("translation file active.%s.toml is missing from %s", l, dir)
		}
	}
	return c, nil
}

// IDs lists the message IDs defined for lang.
func (c *Catalog) IDs(lang string) []string { return slices.Clone(c.ids[lang]) }

// Has reports whether lang defines id.
func (c *Catalog) Has(lang, id string) bool {
	_, ok := slices.BinarySearch(c.ids[lang], id)
	return ok
}

// T returns message id in lang, filled from data, in the plural form for
// count if one is given (the count is also available as {{.Count}}).
// A message missing in lang falls back to English, then to the ID itself,
// so a gap in a catalogue shows up on screen and in the tests, not as a
// blank button.
func (c *Catalog) T(lang, id string, data map[string]any, count ...int) string {
	loc := c.locs[lang]
	if loc == nil {
		loc = c.locs[English]
	}
	cfg := &goi18n.LocalizeConfig{MessageID: id}
	td := map[string]any{}
	for k, v := range data {
		td[k] = v
	}
	if len(count) > 0 {
		cfg.PluralCount = count[0]
		td["Count"] = count[0]
	}
	cfg.TemplateData = td
	s, err := loc.Localize(cfg)
	if err != nil || s == "" {
		if lang != English {
			return c.T(English, id, data, count...)
		}
		return id
	}
	return s
}

// Dir is the writing direction of lang.
func Dir(lang string) text.Direction {
	if lang == Arabic {
		return text.RTL
	}
	return text.LTR
}
