package flow_test

import (
	"testing"

	"github.com/absher-kiosk/kiosk/central/rules"
	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/i18n"
)

// TestEveryReasonHasMessages: each rule code the centre can name has a
// message in both languages, with the centre's own wording, and the
// catalogue steps' problems are translated too. The kiosk carries copies
// (it does not link the centre); this test keeps them the same.
func TestEveryReasonHasMessages(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	codes := append(rules.Reasons(), "no_exit_reentry_to_cancel", "second_finger_not_matched")
	for _, lang := range []string{"ar", "en"} {
		for _, c := range codes {
			id := "reason_" + c
			if !cat.Has(lang, id) {
				t.Errorf("%s: no message %s", lang, id)
				continue
			}
			if got, want := cat.T(lang, id, nil), rules.ReasonText(c, lang); want != c && got != want {
				t.Errorf("%s %s: kiosk says %q, centre says %q", lang, c, got, want)
			}
		}
		for _, p := range []domain.ProblemCode{domain.ProblemChooseOption, domain.ProblemNoSubjects, domain.ProblemNotEligible} {
			if !cat.Has(lang, "problem_"+string(p)) {
				t.Errorf("%s: no message problem_%s", lang, p)
			}
		}
	}
}
