package domain

import (
	"errors"
	"fmt"
	"regexp"
	"testing"
	"time"
)

func TestServices(t *testing.T) {
	word := regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)
	seen := map[ServiceID]bool{}
	for _, s := range Services() {
		if seen[s] || !word.MatchString(string(s)) || !s.Known() {
			t.Errorf("service %q is repeated, unknown or not a lower-case word", s)
		}
		seen[s] = true
		if s.MessageKey() != "service_"+string(s) {
			t.Errorf("%s: message key %q", s, s.MessageKey())
		}
	}
	Services()[0] = "changed"
	if Services()[0] != UpdateMobile {
		t.Error("a caller changed the list of services")
	}
	if ServiceID("teleport").Known() {
		t.Error("an unknown service is known")
	}
}

func TestProblems(t *testing.T) {
	word := regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)
	seen := map[ProblemCode]bool{}
	for _, p := range Problems() {
		if seen[p] || !word.MatchString(string(p)) {
			t.Errorf("problem %q is repeated or not a lower-case word", p)
		}
		seen[p] = true
	}
}

func TestRefusal(t *testing.T) {
	err := fmt.Errorf("centre: /v1/identity: %w", &Refusal{Code: ProblemLocked, RetryAfter: time.Minute})
	if code, ok := RefusalCode(err); !ok || code != ProblemLocked {
		t.Fatalf("RefusalCode = %q, %v", code, ok)
	}
	if got := err.Error(); got != "centre: /v1/identity: centre refused: locked (try again after 1m0s)" {
		t.Errorf("message %q", got)
	}
	if _, ok := RefusalCode(fmt.Errorf("x: %w", ErrUnreachable)); ok {
		t.Error("an unreachable centre reads as a refusal")
	}
	if !errors.Is(fmt.Errorf("x: %w", ErrUnreachable), ErrUnreachable) {
		t.Error("ErrUnreachable does not unwrap")
	}
	if (&Refusal{Code: ProblemCodeWrong}).Error() != "centre refused: code_wrong" {
		t.Error("refusal without a wait")
	}
}

func TestDelivery(t *testing.T) {
	for d, want := range map[Delivery]string{Online: "online", Queued: "queued", 0: "no delivery"} {
		if d.String() != want {
			t.Errorf("%d: %q", d, d.String())
		}
	}
}
