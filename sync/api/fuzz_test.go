package api

import (
	"crypto/ed25519"
	"encoding/json"
	"testing"
	"time"
)

// Each decoder of outside bytes must answer bad input with an error, never
// a panic; what it accepts must survive a round trip.

func FuzzDecodeEventBatch(f *testing.F) {
	f.Add([]byte(`{"events":[{"idempotency_key":"4b0ad4f1-6a57-4d8e-9d1c-2a1f6a7c0e11","kind":"audit","created_at":"2026-01-01T00:00:00Z","payload":{"action":"a","outcome":"ok"}}]}`))
	f.Add([]byte(`{"events":[]}`))
	f.Add([]byte(`{"events":[{"kind":"heartbeat","payload":{"queue_depth":-1}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		eb, err := DecodeEventBatch(b)
		if err != nil {
			return
		}
		for i := range eb.Events {
			eb.Events[i].Check()
		}
		if _, err := json.Marshal(eb); err != nil {
			t.Fatalf("accepted batch does not encode: %v", err)
		}
	})
}

func FuzzDecodeConfig(f *testing.F) {
	b, _ := json.Marshal(DefaultConfig())
	f.Add(b)
	f.Add([]byte(`{"timeouts":{"idle_seconds":45}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := DecodeConfig(b)
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("decoded config does not validate: %v", err)
		}
	})
}

func FuzzDecodeCommandList(f *testing.F) {
	_, priv, _ := ed25519.GenerateKey(nil)
	c := Command{ID: "c1", Kiosk: "kiosk-001", Seq: 1, Expiry: time.Unix(2e9, 0), Kind: CmdRestart}
	c.Sign(priv)
	b, _ := json.Marshal(CommandList{Commands: []Command{c}, LastSeq: 1})
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		cl, err := DecodeCommandList(b)
		if err != nil {
			return
		}
		for i := range cl.Commands {
			_ = VerifyCommand(priv.Public().(ed25519.PublicKey), &cl.Commands[i], "kiosk-001", time.Unix(1e9, 0), 0)
		}
	})
}

func FuzzDecodeRequests(f *testing.F) {
	f.Add(uint8(0), []byte(`{"id_number":"1000000008"}`))
	f.Add(uint8(1), []byte(`{"record":"AAAA"}`))
	f.Add(uint8(2), []byte(`{"password":"x"}`))
	f.Add(uint8(3), []byte(`{"code":"123456"}`))
	f.Add(uint8(4), []byte(`{"mobile":"0512345678"}`))
	f.Add(uint8(5), []byte(`{"challenge_id":"a","code":"1"}`))
	f.Add(uint8(6), []byte(`{"subject_id":"1","options":{"a":"b"}}`))
	f.Add(uint8(7), []byte(`{"kind":"restart","ttl_seconds":5}`))
	f.Add(uint8(8), []byte(`{"config":{"timeouts":{"idle_seconds":45,"warning_seconds":20},"heartbeat_interval_seconds":60}}`))
	f.Fuzz(func(t *testing.T, which uint8, b []byte) {
		var err error
		switch which % 9 {
		case 0:
			_, err = Decode[StartVerificationRequest](b)
		case 1:
			_, err = Decode[FingerprintRequest](b)
		case 2:
			_, err = Decode[PasswordRequest](b)
		case 3:
			_, err = Decode[SMSCodeRequest](b)
		case 4:
			_, err = Decode[MobileChangeRequest](b)
		case 5:
			_, err = Decode[MobileConfirmRequest](b)
		case 6:
			_, err = Decode[EligibilityRequest](b)
		case 7:
			_, err = Decode[NewCommandRequest](b)
		case 8:
			var cu *ConfigUpdate
			if cu, err = Decode[ConfigUpdate](b); err == nil {
				_ = cu.Config.Validate()
			}
		}
		_ = err
	})
}
