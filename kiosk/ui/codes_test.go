package ui

import (
	"testing"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/i18n"
)

func TestEveryCodeHasMessages(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []struct {
		prefix string
		codes  []string
	}{{"problem_", ProblemCodes}, {"quality_", QualityCodes}} {
		for _, c := range g.codes {
			for _, lang := range []string{i18n.Arabic, i18n.English} {
				if !cat.Has(lang, g.prefix+c) {
					t.Errorf("%s has no message %s%s", lang, g.prefix, c)
				}
			}
		}
	}
	for _, s := range domain.Services() {
		for _, lang := range []string{i18n.Arabic, i18n.English} {
			if !cat.Has(lang, s.MessageKey()) {
				t.Errorf("%s has no message %s", lang, s.MessageKey())
			}
		}
	}
}
