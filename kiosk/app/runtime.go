package app

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/flow"
	"github.com/absher-kiosk/kiosk/kiosk/session"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// Runtime is the central configuration in force, resolved into what the
// kiosk's parts read: the menu and session timing of the next visit, the
// technician PIN hash, the out-of-service message and the heartbeat
// interval. It is built whole, validated whole and published with one
// pointer swap (Live), so no reader ever sees half of one config and half
// of the next.
type Runtime struct {
	// Central says whether a central config is in force; without one the
	// kiosk runs on the built-in menu and its local settings.
	Central bool
	// Menu is the central config's menu; nil keeps the built-in one.
	Menu              []flow.ServiceItem
	Timing            session.Timing
	PINHash           string
	Message           api.Text
	HeartbeatInterval time.Duration
}

// Local is what the kiosk's own configuration says until the centre says
// otherwise.
type Local struct {
	// Services are the services the kiosk can run; the central menu is
	// resolved against them.
	Services          flow.Catalogue
	Timing            session.Timing
	HeartbeatInterval time.Duration
}

// NewRuntime builds the runtime value from the pulled (or stored) central
// config c, nil while none has been received, over the local settings. A
// config that fails validation is refused whole: the one in force stays.
func NewRuntime(local Local, c *api.Config) (*Runtime, error) {
	if c != nil {
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("central config refused, the one in force stays: %w", err)
		}
	}
	rt := &Runtime{Timing: local.Timing, HeartbeatInterval: local.HeartbeatInterval}
	if c == nil {
		return rt, nil
	}
	rt.Central = true
	if len(c.Services) > 0 {
		rt.Menu = local.Services.Menu(c.Services)
	}
	if c.Timeouts.IdleSeconds > 0 {
		rt.Timing = session.FromSeconds(c.Timeouts.IdleSeconds, c.Timeouts.WarningSeconds)
	}
	if c.HeartbeatIntervalSeconds > 0 {
		rt.HeartbeatInterval = time.Duration(c.HeartbeatIntervalSeconds) * time.Second
	}
	rt.PINHash = c.TechnicianPINHash
	rt.Message = c.OutOfServiceMessage
	return rt, nil
}

// Live holds the runtime value in force. Readers load it once and keep
// that snapshot for what they are doing (a visit, a heartbeat, a PIN try).
type Live struct{ p atomic.Pointer[Runtime] }

// Load is the runtime value in force; nil before the first Store.
func (l *Live) Load() *Runtime { return l.p.Load() }

// Store publishes rt.
func (l *Live) Store(rt *Runtime) { l.p.Store(rt) }

// PINHash is the technician PIN hash in force (the maintenance gate reads
// it at every try).
func (l *Live) PINHash() string {
	if rt := l.Load(); rt != nil {
		return rt.PINHash
	}
	return ""
}

// HeartbeatInterval is the heartbeat interval in force.
func (l *Live) HeartbeatInterval() time.Duration {
	if rt := l.Load(); rt != nil {
		return rt.HeartbeatInterval
	}
	return 0
}
