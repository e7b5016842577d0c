package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
)

// ErrMalformed means a body is not the JSON a request or response must be.
var ErrMalformed = errors.New("malformed JSON")

// decodeStrict reads exactly one JSON value into v, refusing unknown fields
// and trailing data so a typo on either side is caught, not ignored.
func decodeStrict(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if _, err := d.Token(); err != io.EOF {
		return fmt.Errorf("%w: data after the JSON value", ErrMalformed)
	}
	return nil
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ErrBatchTooLarge means an upload holds more than MaxBatchEvents events.
var ErrBatchTooLarge = fmt.Errorf("batch holds more than %d events; split it", MaxBatchEvents)

// DecodeEventBatch parses the body of POST /v1/sync/events. Per-event
// problems (bad key, unknown kind) are not errors here: the centre answers
// them per item, see Event.Check.
func DecodeEventBatch(b []byte) (*EventBatch, error) {
	var eb EventBatch
	if err := decodeStrict(b, &eb); err != nil {
		return nil, err
	}
	if eb.Events == nil {
		return nil, fmt.Errorf("%w: field \"events\" is missing", ErrMalformed)
	}
	if len(eb.Events) > MaxBatchEvents {
		return nil, ErrBatchTooLarge
	}
	return &eb, nil
}

// Check validates one event's envelope and payload; the answer is the
// machine code and message of a rejected item, or "" when it is fine.
func (e *Event) Check() (code, msg string) {
	if !uuidRE.MatchString(e.IdempotencyKey) {
		return "bad_idempotency_key", "idempotency_key must be a UUID"
	}
	if e.CreatedAt.IsZero() {
		return "missing_created_at", "created_at is required"
	}
	if len(e.Payload) == 0 {
		return "missing_payload", "payload is required"
	}
	var err error
	switch e.Kind {
	case EventMobileUpdated:
		var p MobileUpdated
		if err = decodeStrict(e.Payload, &p); err == nil && (p.Grant == "" || p.Mobile == "") {
			err = errors.New("grant and mobile are required")
		}
	case EventAudit:
		var p Audit
		if err = decodeStrict(e.Payload, &p); err == nil && p.Action == "" {
			err = errors.New("action is required")
		}
	case EventHeartbeat:
		var p Heartbeat
		if err = decodeStrict(e.Payload, &p); err == nil && len(p.Parked) > MaxHeartbeatParked {
			err = fmt.Errorf("%d parked events listed, at most %d", len(p.Parked), MaxHeartbeatParked)
		}
	case EventPrintJob:
		var p PrintJob
		if err = decodeStrict(e.Payload, &p); err == nil && p.Outcome == "" {
			err = errors.New("outcome is required")
		}
	case EventCommandResult:
		var p CommandResult
		if err = decodeStrict(e.Payload, &p); err == nil && p.CommandID == "" {
			err = errors.New("command_id is required")
		}
	default:
		return "unknown_event_kind", fmt.Sprintf("event kind %q is not known", e.Kind)
	}
	if err != nil {
		return "bad_payload", fmt.Sprintf("%s payload: %v", e.Kind, err)
	}
	return "", ""
}

// Decode parses a request or response body of type T strictly: unknown
// fields, trailing data and wrong types are errors wrapping ErrMalformed.
func Decode[T any](b []byte) (*T, error) {
	var v T
	if err := decodeStrict(b, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// DecodeCommandList parses GET /v1/kiosks/{id}/commands on the kiosk side.
func DecodeCommandList(b []byte) (*CommandList, error) {
	cl, err := Decode[CommandList](b)
	if err != nil {
		return nil, err
	}
	for i, c := range cl.Commands {
		if c.ID == "" || c.Kiosk == "" || c.Seq <= 0 {
			return nil, fmt.Errorf("%w: command %d lacks id, kiosk or a positive seq", ErrMalformed, i)
		}
	}
	return cl, nil
}

// DecodeConfig parses a config document and checks what a kiosk relies on.
func DecodeConfig(b []byte) (*Config, error) {
	c, err := Decode[Config](b)
	if err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Validate checks a config before it is stored or applied.
func (c *Config) Validate() error {
	if c.Timeouts.IdleSeconds < 10 || c.Timeouts.IdleSeconds > 600 {
		return fmt.Errorf("config: timeouts.idle_seconds %d is outside 10..600", c.Timeouts.IdleSeconds)
	}
	if c.Timeouts.WarningSeconds < 20 || c.Timeouts.WarningSeconds > c.Timeouts.IdleSeconds {
		return fmt.Errorf("config: timeouts.warning_seconds %d must be at least 20 and at most idle_seconds", c.Timeouts.WarningSeconds)
	}
	if c.HeartbeatIntervalSeconds < 5 || c.HeartbeatIntervalSeconds > 3600 {
		return fmt.Errorf("config: heartbeat_interval_seconds %d is outside 5..3600", c.HeartbeatIntervalSeconds)
	}
	seen := map[domain.ServiceID]bool{}
	for _, s := range c.Services {
		if s.ID == "" || seen[s.ID] {
			return fmt.Errorf("config: service id %q is empty or repeated", s.ID)
		}
		seen[s.ID] = true
	}
	for _, f := range c.Fees {
		if f.AmountSAR < 0 || f.PerExtraMonthSAR < 0 {
			return fmt.Errorf("config: fee for %s is negative", f.Service)
		}
	}
	return nil
}
