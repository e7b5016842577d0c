package api

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestVerifyCommand(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	otherPub, otherPriv, _ := ed25519.GenerateKey(nil)
	_ = otherPub
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	mk := func(mod func(*Command), key ed25519.PrivateKey) *Command {
		c := &Command{ID: "c1", Kiosk: "kiosk-001", Seq: 5, IssuedAt: now, Expiry: now.Add(time.Hour), Kind: CmdOutOfService, Args: map[string]string{"reason": "maintenance"}}
		c.Sign(key)
		if mod != nil {
			mod(c)
		}
		return c
	}
	tests := []struct {
		name string
		c    *Command
		want error
	}{
		{"good", mk(nil, priv), nil},
		{"other key", mk(nil, otherPriv), ErrCommandForged},
		{"changed arg", mk(func(c *Command) { c.Args["reason"] = "x" }, priv), ErrCommandForged},
		{"changed kind", mk(func(c *Command) { c.Kind = CmdRestart }, priv), ErrCommandForged},
		{"changed expiry", mk(func(c *Command) { c.Expiry = c.Expiry.Add(time.Hour) }, priv), ErrCommandForged},
		{"short signature", mk(func(c *Command) { c.Signature = c.Signature[:10] }, priv), ErrCommandForged},
		{"mistargeted", mk(func(c *Command) { c.Kiosk = "kiosk-002"; c.Sign(priv) }, priv), ErrCommandMistargets},
		{"expired", mk(func(c *Command) { c.Expiry = now; c.Sign(priv) }, priv), ErrCommandExpired},
		{"replayed", mk(func(c *Command) { c.Seq = 4; c.Sign(priv) }, priv), ErrCommandReplayed},
		{"unknown kind", mk(func(c *Command) { c.Kind = "format_disk"; c.Sign(priv) }, priv), ErrCommandKind},
	}
	for _, tt := range tests {
		err := VerifyCommand(pub, tt.c, "kiosk-001", now, 4)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: VerifyCommand = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestCanonicalBytesUnambiguous(t *testing.T) {
	a := &Command{ID: "ab", Kiosk: "c", Args: map[string]string{"k": "v"}}
	b := &Command{ID: "a", Kiosk: "bc", Args: map[string]string{"k": "v"}}
	if string(a.CanonicalBytes()) == string(b.CanonicalBytes()) {
		t.Fatal("different fields give the same canonical bytes")
	}
	c := &Command{Args: map[string]string{"a": "b", "c": "d"}}
	d := &Command{Args: map[string]string{"c": "d", "a": "b"}}
	if string(c.CanonicalBytes()) != string(d.CanonicalBytes()) {
		t.Fatal("argument order changes the canonical bytes")
	}
}

func TestDecodeEventBatchBadInput(t *testing.T) {
	tests := []struct {
		name, body string
		want       error
	}{
		{"empty", ``, ErrMalformed},
		{"not json", `hello`, ErrMalformed},
		{"array", `[]`, ErrMalformed},
		{"no events", `{}`, ErrMalformed},
		{"unknown field", `{"events":[],"x":1}`, ErrMalformed},
		{"trailing", `{"events":[]} {}`, ErrMalformed},
		{"wrong type", `{"events":"x"}`, ErrMalformed},
		{"bad time", `{"events":[{"idempotency_key":"a","kind":"audit","created_at":"yesterday","payload":{}}]}`, ErrMalformed},
		{"too many", `{"events":[` + strings.Repeat(`{},`, MaxBatchEvents) + `{}]}`, ErrBatchTooLarge},
	}
	for _, tt := range tests {
		_, err := DecodeEventBatch([]byte(tt.body))
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestEventCheck(t *testing.T) {
	key := "4b0ad4f1-6a57-4d8e-9d1c-2a1f6a7c0e11"
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		e    Event
		code string
	}{
		{"heartbeat", Event{key, EventHeartbeat, at, []byte(`{"version":"1","queue_depth":3}`)}, ""},
		{"audit", Event{key, EventAudit, at, []byte(`{"action":"login","outcome":"ok"}`)}, ""},
		{"bad key", Event{"k-1", EventAudit, at, []byte(`{"action":"a","outcome":"ok"}`)}, "bad_idempotency_key"},
		{"no time", Event{key, EventAudit, time.Time{}, []byte(`{"action":"a"}`)}, "missing_created_at"},
		{"no payload", Event{key, EventAudit, at, nil}, "missing_payload"},
		{"unknown kind", Event{key, "party", at, []byte(`{}`)}, "unknown_event_kind"},
		{"audit without action", Event{key, EventAudit, at, []byte(`{"outcome":"ok"}`)}, "bad_payload"},
		{"mobile without grant", Event{key, EventMobileUpdated, at, []byte(`{"mobile":"+966512345678"}`)}, "bad_payload"},
		{"heartbeat unknown field", Event{key, EventHeartbeat, at, []byte(`{"cpu":1}`)}, "bad_payload"},
		{"print without outcome", Event{key, EventPrintJob, at, []byte(`{"reference":"K-1"}`)}, "bad_payload"},
		{"result without id", Event{key, EventCommandResult, at, []byte(`{"seq":1}`)}, "bad_payload"},
	}
	for _, tt := range tests {
		code, _ := tt.e.Check()
		if code != tt.code {
			t.Errorf("%s: code %q, want %q", tt.name, code, tt.code)
		}
	}
}

func TestDecodeConfig(t *testing.T) {
	good := DefaultConfig()
	if err := good.Validate(); err != nil {
		t.Fatalf("default config does not validate: %v", err)
	}
	tests := []struct{ name, body string }{
		{"not json", `{`},
		{"unknown field", `{"colour":"red"}`},
		{"zero timeouts", `{"services":[],"fees":[],"timeouts":{"idle_seconds":0,"warning_seconds":0},"heartbeat_interval_seconds":60}`},
		{"short warning", `{"timeouts":{"idle_seconds":45,"warning_seconds":5},"heartbeat_interval_seconds":60}`},
		{"heartbeat zero", `{"timeouts":{"idle_seconds":45,"warning_seconds":20},"heartbeat_interval_seconds":0}`},
		{"repeated service", `{"services":[{"id":"a"},{"id":"a"}],"timeouts":{"idle_seconds":45,"warning_seconds":20},"heartbeat_interval_seconds":60}`},
		{"negative fee", `{"fees":[{"service":"a","amount_sar":-1}],"timeouts":{"idle_seconds":45,"warning_seconds":20},"heartbeat_interval_seconds":60}`},
	}
	for _, tt := range tests {
		if _, err := DecodeConfig([]byte(tt.body)); err == nil {
			t.Errorf("%s: DecodeConfig accepted %s", tt.name, tt.body)
		}
	}
}

func TestDecodeCommandList(t *testing.T) {
	for _, body := range []string{`{"commands":[{"id":"","kiosk":"k","seq":1}],"last_seq":1}`, `{"commands":[{"id":"a","kiosk":"k","seq":0}]}`, `{"commands":[{"signature":"!!"}]}`, `nul`} {
		if _, err := DecodeCommandList([]byte(body)); err == nil {
			t.Errorf("DecodeCommandList accepted %s", body)
		}
	}
}
