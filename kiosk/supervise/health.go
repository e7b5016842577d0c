package supervise

import "github.com/absher-kiosk/kiosk/devices/health"

// HealthSource names the supervised parts' warnings in the health registry.
const HealthSource = "service"

// ReportTo turns supervisor events into health warnings: a part that fails
// shows as a warning under source "service" with its name as the code,
// and the warning goes when the part has run healthily again, finished or
// been stopped. Pass it as Options.OnEvent (or call it from there).
func ReportTo(r *health.Registry) func(Event) {
	return func(e Event) {
		switch e.What {
		case Failed, Panicked:
			detail := e.What
			if e.Err != nil {
				detail = e.Err.Error()
			}
			// A warning without an impact: a failing background part
			// limits no walk-up service by itself.
			r.Set(health.Warning{Source: HealthSource, Code: e.Service, Severity: health.Warn, Detail: detail})
		case Healthy, Finished, Stopped:
			r.Clear(HealthSource, e.Service)
		}
	}
}
