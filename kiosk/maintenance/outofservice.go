package maintenance

import (
	"strings"

	"github.com/absher-kiosk/kiosk/sync/api"
)

// OutOfService is everything that can take the kiosk out of service.
type OutOfService struct {
	ByCommand    bool     // a central command switched it off
	ByTechnician bool     // the technician's toggle
	Faults       []string // critical faults now present (health sources), e.g. "outbox"
	Message      api.Text // from the central config: where else to go
}

// Shown decides whether the out-of-service screen replaces the walk-up
// screens. It follows the causes only, so the screen goes away by itself
// when the last cause clears.
func (s OutOfService) Shown() bool {
	return s.ByCommand || s.ByTechnician || len(s.activeFaults()) > 0
}

// Reasons lists the causes in a fixed order, as codes: "command",
// "technician", then "fault_<source>" per fault.
func (s OutOfService) Reasons() []string {
	var out []string
	if s.ByCommand {
		out = append(out, "command")
	}
	if s.ByTechnician {
		out = append(out, "technician")
	}
	for _, f := range s.activeFaults() {
		out = append(out, "fault_"+f)
	}
	return out
}

// activeFaults drops blank fault names: a source that reports nothing is
// not a fault.
func (s OutOfService) activeFaults() []string {
	var out []string
	for _, f := range s.Faults {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// MessageFor is the configured message in lang, or "" when the config has
// none in that language (the screen then shows only its standard text).
func (s OutOfService) MessageFor(lang string) string {
	if lang == "ar" {
		return strings.TrimSpace(s.Message.AR)
	}
	return strings.TrimSpace(s.Message.EN)
}
