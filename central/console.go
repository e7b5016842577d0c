package central

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/absher-kiosk/kiosk/central/store"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// The console is plain HTML rendered here, with a small script that
// refreshes the live parts by fetching the same templates as fragments. It
// works without the script (reload the page), and there is no build step.

//go:embed web
var webFS embed.FS

// OnlineFactor is how many heartbeat intervals may pass without a heartbeat
// before a kiosk shows as offline: one late heartbeat is not an outage.
const OnlineFactor = 2.5

// Console limits: how much history a kiosk page shows, and how long
// command form fields may be.
const (
	HistoryRows      = 60
	consoleCommands  = 20
	maxArgLen        = 200
	defaultTTLMinute = 60
	maxTTLMinutes    = 7 * 24 * 60
)

// recentEvents is what the console needs beyond store.Store to show a
// kiosk's history; store.SQLite has it.
type recentEvents interface {
	RecentEvents(ctx context.Context, kiosk, kind string, limit int) ([]store.Event, error)
}

// FleetRow is one kiosk as the console shows it. It holds no personal data:
// a heartbeat carries device and queue health only.
type FleetRow struct {
	ID              string     `json:"id"`
	Online          bool       `json:"online"`
	LastHeartbeat   *time.Time `json:"last_heartbeat,omitempty"`
	LastSeen        *time.Time `json:"last_seen,omitempty"`
	IntervalSeconds int        `json:"heartbeat_interval_seconds"`
	Reported        bool       `json:"reported"`
	Version         string     `json:"version,omitempty"`
	QueueDepth      int        `json:"queue_depth"`
	OldestSeconds   int64      `json:"oldest_queued_age_seconds"`
	ParkedCount     int        `json:"parked_count"`
	PrinterState    string     `json:"printer_state,omitempty"`
	Paper           string     `json:"printer_paper,omitempty"`
	ScannerState    string     `json:"scanner_state,omitempty"`
	OutOfService    bool       `json:"out_of_service"`
	OOSReason       string     `json:"out_of_service_reason,omitempty"`
	LastSeq         int64      `json:"last_command_seq"`
	AppliedSeq      int64      `json:"applied_command_seq"`
}

// PaperLabel is the paper level in the words ops use.
func PaperLabel(level string) string {
	switch level {
	case api.PaperOK:
		return "ok"
	case api.PaperLow:
		return "near end"
	case api.PaperOut:
		return "out"
	}
	return "unknown"
}

// IsOnline applies the online rule: a heartbeat received within
// OnlineFactor × the kiosk's heartbeat interval before now.
func IsOnline(now time.Time, last *time.Time, interval time.Duration) bool {
	if last == nil || interval <= 0 {
		return false
	}
	return now.Sub(*last) <= time.Duration(float64(interval)*OnlineFactor)
}

// interval is the kiosk's own word when its heartbeat says it, else the
// config the centre serves it.
func (s *Server) interval(ctx context.Context, id string, hb *api.Heartbeat) int {
	if hb != nil && hb.HeartbeatIntervalSeconds > 0 {
		return hb.HeartbeatIntervalSeconds
	}
	if c, err := s.config(ctx, id); err == nil {
		var cfg api.Config
		if json.Unmarshal(c.Doc, &cfg) == nil && cfg.HeartbeatIntervalSeconds > 0 {
			return cfg.HeartbeatIntervalSeconds
		}
	}
	return api.DefaultConfig().HeartbeatIntervalSeconds
}

// Fleet is the console's fleet table at the centre's now.
func (s *Server) Fleet(ctx context.Context) ([]FleetRow, error) {
	list, err := s.KioskList(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	rows := make([]FleetRow, 0, len(list.Kiosks))
	for _, k := range list.Kiosks {
		r, err := s.fleetRow(ctx, now, k)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b FleetRow) int { return strings.Compare(a.ID, b.ID) })
	return rows, nil
}

func (s *Server) fleetRow(ctx context.Context, now time.Time, k api.KioskStatus) (FleetRow, error) {
	r := FleetRow{ID: k.ID, LastSeen: k.LastSeen, LastSeq: k.LastSeq, IntervalSeconds: s.interval(ctx, k.ID, k.Heartbeat)}
	if hb := k.Heartbeat; hb != nil {
		r.Reported = true
		r.Version, r.QueueDepth, r.OldestSeconds, r.ParkedCount = hb.Version, hb.QueueDepth, hb.OldestQueuedAgeSeconds, hb.ParkedCount
		r.PrinterState, r.Paper, r.ScannerState = hb.PrinterState, hb.PrinterPaper, hb.ScannerState
		r.OutOfService, r.OOSReason, r.AppliedSeq = hb.OutOfService, hb.OutOfServiceReason, hb.LastCommandSeq
		// The last heartbeat's arrival, not any contact, decides online:
		// a kiosk that uploads but cannot build a heartbeat is not healthy.
		r.LastHeartbeat = k.LastSeen
		if re, ok := s.Store.(recentEvents); ok {
			evs, err := re.RecentEvents(ctx, k.ID, string(api.EventHeartbeat), 1)
			if err != nil {
				return r, err
			}
			if len(evs) == 1 {
				t := evs[0].ReceivedAt
				r.LastHeartbeat = &t
			}
		}
	}
	r.Online = IsOnline(now, r.LastHeartbeat, time.Duration(r.IntervalSeconds)*time.Second)
	return r, nil
}

// HistoryEntry is one heartbeat as the centre received it.
type HistoryEntry struct {
	ReceivedAt time.Time      `json:"received_at"`
	CreatedAt  time.Time      `json:"created_at"`
	GapSeconds int64          `json:"gap_seconds"` // since the previous (older) heartbeat; 0 for the oldest shown
	Late       bool           `json:"late"`        // the gap was long enough to show the kiosk offline
	Heartbeat  *api.Heartbeat `json:"heartbeat,omitempty"`
	Problem    string         `json:"problem,omitempty"` // why the heartbeat could not be read
}

// CommandEntry is a queued command with the kiosk's answer, if any.
type CommandEntry struct {
	Seq      int64             `json:"seq"`
	Kind     api.CommandKind   `json:"kind"`
	Args     map[string]string `json:"args,omitempty"`
	IssuedAt time.Time         `json:"issued_at"`
	Expiry   time.Time         `json:"expiry"`
	Outcome  string            `json:"outcome,omitempty"` // applied or refused, from command_result
	Reason   string            `json:"reason,omitempty"`
}

// KioskPage is everything the kiosk page shows.
type KioskPage struct {
	Row      FleetRow           `json:"status"`
	Parked   []api.ParkedEvent  `json:"parked"`
	Devices  []api.DeviceStatus `json:"devices"`
	History  []HistoryEntry     `json:"history"`
	Commands []CommandEntry     `json:"commands"`
	Config   string             `json:"config_etag"`
}

// ErrUnknownKiosk means the console was asked about a kiosk the centre
// neither issued a certificate to nor heard from.
var ErrUnknownKiosk = errors.New("unknown kiosk")

// Kiosk gathers one kiosk's page: status, parked events from its last
// heartbeat, heartbeat history (newest first) and recent commands.
func (s *Server) Kiosk(ctx context.Context, id string) (KioskPage, error) {
	list, err := s.KioskList(ctx)
	if err != nil {
		return KioskPage{}, err
	}
	i := slices.IndexFunc(list.Kiosks, func(k api.KioskStatus) bool { return k.ID == id })
	if i < 0 {
		return KioskPage{}, fmt.Errorf("console: %q: %w", id, ErrUnknownKiosk)
	}
	k := list.Kiosks[i]
	row, err := s.fleetRow(ctx, s.now(), k)
	if err != nil {
		return KioskPage{}, err
	}
	p := KioskPage{Row: row, Config: k.ConfigETag, Parked: []api.ParkedEvent{}, Devices: []api.DeviceStatus{}, History: []HistoryEntry{}, Commands: []CommandEntry{}}
	if k.Heartbeat != nil {
		p.Parked = append(p.Parked, k.Heartbeat.Parked...)
		p.Devices = append(p.Devices, k.Heartbeat.Devices...)
	}
	re, ok := s.Store.(recentEvents)
	if ok {
		evs, err := re.RecentEvents(ctx, id, string(api.EventHeartbeat), HistoryRows+1)
		if err != nil {
			return p, err
		}
		p.History = s.history(id, evs, row.IntervalSeconds)
	}
	if p.Commands, err = s.commands(ctx, id, re); err != nil {
		return p, err
	}
	return p, nil
}

// history opens heartbeats (newest first; one more than shown, so the
// oldest shown has a gap) and marks gaps that made the kiosk offline.
func (s *Server) history(id string, evs []store.Event, interval int) []HistoryEntry {
	out := make([]HistoryEntry, 0, len(evs))
	limit := time.Duration(float64(time.Duration(interval)*time.Second) * OnlineFactor)
	for i, e := range evs {
		if i == HistoryRows {
			break
		}
		h := HistoryEntry{ReceivedAt: e.ReceivedAt, CreatedAt: e.CreatedAt}
		if i+1 < len(evs) {
			gap := e.ReceivedAt.Sub(evs[i+1].ReceivedAt)
			h.GapSeconds = int64(gap.Round(time.Second) / time.Second)
			h.Late = gap > limit
		}
		b, err := s.keys.Open(e.KeyID, eventAAD(id, e.Key), e.Payload)
		if err != nil {
			h.Problem = "sealed record does not open; records.key may have been replaced"
		} else {
			var hb api.Heartbeat
			if err := json.Unmarshal(b, &hb); err != nil {
				h.Problem = "stored heartbeat is not readable: " + err.Error()
			} else {
				h.Heartbeat = &hb
			}
		}
		out = append(out, h)
	}
	return out
}

func (s *Server) commands(ctx context.Context, id string, re recentEvents) ([]CommandEntry, error) {
	envs, _, err := s.Store.Commands(ctx, id, 0)
	if err != nil {
		return nil, err
	}
	if len(envs) > consoleCommands {
		envs = envs[len(envs)-consoleCommands:]
	}
	results := map[int64]api.CommandResult{}
	if re != nil && len(envs) > 0 {
		evs, err := re.RecentEvents(ctx, id, string(api.EventCommandResult), 4*consoleCommands)
		if err != nil {
			return nil, err
		}
		// Oldest first, so a later answer for the same command wins.
		for i := len(evs) - 1; i >= 0; i-- {
			b, err := s.keys.Open(evs[i].KeyID, eventAAD(id, evs[i].Key), evs[i].Payload)
			var cr api.CommandResult
			if err == nil && json.Unmarshal(b, &cr) == nil {
				results[cr.Seq] = cr
			}
		}
	}
	out := make([]CommandEntry, 0, len(envs))
	for i := len(envs) - 1; i >= 0; i-- {
		var c api.Command
		if err := json.Unmarshal(envs[i], &c); err != nil {
			return nil, fmt.Errorf("console: stored command of %s is unreadable: %w", id, err)
		}
		e := CommandEntry{Seq: c.Seq, Kind: c.Kind, Args: c.Args, IssuedAt: c.IssuedAt, Expiry: c.Expiry}
		if r, ok := results[c.Seq]; ok {
			e.Outcome, e.Reason = r.Outcome, r.Reason
		}
		out = append(out, e)
	}
	return out, nil
}

// CommandForm is the console's command form as posted.
type CommandForm struct {
	Kiosk      string
	Kind       api.CommandKind
	MessageAR  string // shown on the out-of-service screen, Arabic
	MessageEN  string // and English; empty means the config's message
	Reason     string // for ops and the kiosk's audit trail
	TTLMinutes int
}

// Command args set by the console. The kiosk reads message_ar and
// message_en for its out-of-service screen.
const (
	ArgMessageAR = "message_ar"
	ArgMessageEN = "message_en"
	ArgReason    = "reason"
)

// ParseCommandForm checks a posted form. Its errors are written for the
// person at the console.
func ParseCommandForm(v url.Values) (CommandForm, error) {
	f := CommandForm{Kiosk: strings.TrimSpace(v.Get("kiosk")), Kind: api.CommandKind(v.Get("kind")), TTLMinutes: defaultTTLMinute}
	if f.Kiosk == "" {
		return f, errors.New("choose a kiosk")
	}
	if !api.KnownCommandKind(f.Kind) {
		return f, fmt.Errorf("command %q is not one the kiosks know; choose one from the list", v.Get("kind"))
	}
	for _, fld := range []struct {
		name string
		dst  *string
	}{{ArgMessageAR, &f.MessageAR}, {ArgMessageEN, &f.MessageEN}, {ArgReason, &f.Reason}} {
		t := strings.TrimSpace(v.Get(fld.name))
		if n := len([]rune(t)); n > maxArgLen {
			return f, fmt.Errorf("%s has %d characters; keep it to %d", fld.name, n, maxArgLen)
		}
		if strings.IndexFunc(t, unicode.IsControl) >= 0 {
			return f, fmt.Errorf("%s holds control characters; write it on one line", fld.name)
		}
		*fld.dst = t
	}
	if (f.MessageAR != "" || f.MessageEN != "") && f.Kind != api.CmdOutOfService {
		return f, fmt.Errorf("a message is shown only with %s; clear it for %s", api.CmdOutOfService, f.Kind)
	}
	if t := strings.TrimSpace(v.Get("ttl_minutes")); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 1 || n > maxTTLMinutes {
			return f, fmt.Errorf("expiry must be whole minutes from 1 to %d, got %q", maxTTLMinutes, t)
		}
		f.TTLMinutes = n
	}
	return f, nil
}

// Request is the signed-command request the form stands for.
func (f CommandForm) Request() api.NewCommandRequest {
	args := map[string]string{}
	for k, v := range map[string]string{ArgMessageAR: f.MessageAR, ArgMessageEN: f.MessageEN, ArgReason: f.Reason} {
		if v != "" {
			args[k] = v
		}
	}
	if len(args) == 0 {
		args = nil
	}
	return api.NewCommandRequest{Kind: f.Kind, Args: args, TTLSeconds: f.TTLMinutes * 60}
}

// SendCommand queues a form's command for a kiosk the centre knows.
func (s *Server) SendCommand(ctx context.Context, f CommandForm) (api.Command, error) {
	list, err := s.KioskList(ctx)
	if err != nil {
		return api.Command{}, err
	}
	if !slices.ContainsFunc(list.Kiosks, func(k api.KioskStatus) bool { return k.ID == f.Kiosk }) {
		return api.Command{}, fmt.Errorf("console: %q: %w; choose one from the list", f.Kiosk, ErrUnknownKiosk)
	}
	return s.QueueCommand(ctx, f.Kiosk, f.Request())
}

// rowView is a fleet row with the time it is shown at.
type rowView struct {
	FleetRow
	Now time.Time
}

var consoleFuncs = template.FuncMap{
	"rowOf": func(now time.Time, r FleetRow) rowView { return rowView{r, now} },
	"ago": func(now time.Time, t *time.Time) string {
		if t == nil {
			return "never"
		}
		return ago(now.Sub(*t))
	},
	"age":   func(sec int64) string { return span(time.Duration(sec) * time.Second) },
	"paper": PaperLabel,
	"mask":  pii.Mask,
	"clock": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") },
	"args": func(m map[string]string) string {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var b strings.Builder
		for i, k := range keys {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(k + ": " + m[k])
		}
		return b.String()
	},
	"state": func(s string) string {
		if s == "" {
			return "not reported"
		}
		return s
	},
}

func ago(d time.Duration) string {
	if d < time.Second {
		return "just now"
	}
	return span(d) + " ago"
}

// span writes a duration the way a person reads a dashboard: whole
// seconds, minutes, hours or days, the largest that fits.
func span(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + " s"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + " min"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + " h"
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + " days"
}

var consoleTmpl = template.Must(template.New("").Funcs(consoleFuncs).ParseFS(webFS, "web/*.html"))

// consoleData is what the page templates get.
type consoleData struct {
	Now    time.Time
	Fleet  []FleetRow
	Kiosk  *KioskPage
	Kinds  []api.CommandKind
	Flash  string
	Failed bool
	Form   CommandForm
	SMS    []api.SMSMessage
}

// console serves the fleet page, the kiosk pages, their live fragments and
// JSON, and the command form.
func (s *Server) console(mux *http.ServeMux) {
	page := func(w http.ResponseWriter, r *http.Request, status int, name string, d consoleData) {
		d.Now, d.Kinds = s.now(), api.CommandKinds
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		w.WriteHeader(status)
		if err := consoleTmpl.ExecuteTemplate(w, name, d); err != nil {
			s.log.Error("console page", "page", name, "err", err)
		}
	}
	fleetPage := func(w http.ResponseWriter, r *http.Request, status int, d consoleData) {
		fleet, err := s.Fleet(r.Context())
		if err != nil {
			s.log.Error("console fleet", "err", err)
			http.Error(w, "the fleet could not be read from the store; see the centre's log and reload", http.StatusServiceUnavailable)
			return
		}
		d.Fleet = fleet
		msgs := s.SMSSink.Messages()
		slices.Reverse(msgs)
		d.SMS = msgs
		page(w, r, status, "fleet.html", d)
	}
	kioskPage := func(w http.ResponseWriter, r *http.Request, status int, name string, d consoleData) {
		k, err := s.Kiosk(r.Context(), r.PathValue("id"))
		if errors.Is(err, ErrUnknownKiosk) {
			http.Error(w, "no such kiosk: the centre has not heard from it and issued it no certificate", http.StatusNotFound)
			return
		}
		if err != nil {
			s.log.Error("console kiosk", "kiosk", r.PathValue("id"), "err", err)
			http.Error(w, "the kiosk could not be read from the store; see the centre's log and reload", http.StatusServiceUnavailable)
			return
		}
		d.Kiosk = &k
		d.Fleet = []FleetRow{k.Row}
		if d.Form.Kiosk == "" {
			d.Form.Kiosk = k.Row.ID
		}
		page(w, r, status, name, d)
	}
	json200 := func(w http.ResponseWriter, v any) {
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, v)
	}

	mux.HandleFunc("GET /ops/{$}", func(w http.ResponseWriter, r *http.Request) { fleetPage(w, r, http.StatusOK, consoleData{}) })
	mux.HandleFunc("GET /ops/live/fleet", func(w http.ResponseWriter, r *http.Request) {
		fleet, err := s.Fleet(r.Context())
		if err != nil {
			http.Error(w, "fleet unavailable", http.StatusServiceUnavailable)
			return
		}
		page(w, r, http.StatusOK, "rows", consoleData{Fleet: fleet})
	})
	mux.HandleFunc("GET /ops/fleet.json", func(w http.ResponseWriter, r *http.Request) {
		fleet, err := s.Fleet(r.Context())
		if err != nil {
			fail(w, http.StatusServiceUnavailable, api.CodeInternal, "fleet unavailable; retry")
			return
		}
		json200(w, map[string]any{"now": s.now().UTC(), "kiosks": fleet})
	})
	mux.HandleFunc("GET /ops/kiosks/{id}", func(w http.ResponseWriter, r *http.Request) {
		kioskPage(w, r, http.StatusOK, "kiosk.html", consoleData{})
	})
	mux.HandleFunc("GET /ops/live/kiosks/{id}", func(w http.ResponseWriter, r *http.Request) {
		kioskPage(w, r, http.StatusOK, "kiosk-live", consoleData{})
	})
	mux.HandleFunc("GET /ops/kiosks/{id}/json", func(w http.ResponseWriter, r *http.Request) {
		k, err := s.Kiosk(r.Context(), r.PathValue("id"))
		if errors.Is(err, ErrUnknownKiosk) {
			fail(w, http.StatusNotFound, api.CodeNotFound, err.Error())
			return
		}
		if err != nil {
			fail(w, http.StatusServiceUnavailable, api.CodeInternal, "kiosk unavailable; retry")
			return
		}
		json200(w, k)
	})
	mux.HandleFunc("POST /ops/command", func(w http.ResponseWriter, r *http.Request) {
		// No login guards the console, so a page from elsewhere must not
		// be able to post commands through an ops person's browser.
		if !sameOrigin(r) {
			http.Error(w, "cross-site command refused: send commands from the console page itself", http.StatusForbidden)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 8192)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "the form could not be read; reload the console and send it again", http.StatusBadRequest)
			return
		}
		wantsJSON := strings.Contains(r.Header.Get("Accept"), "application/json")
		back := r.PostForm.Get("back") // the kiosk page posts with back=kiosk
		answer := func(status int, msg string, form CommandForm) {
			if wantsJSON {
				writeJSON(w, status, map[string]any{"ok": status < 300, "message": msg})
				return
			}
			d := consoleData{Flash: msg, Failed: status >= 300, Form: form}
			if back == "kiosk" && form.Kiosk != "" {
				r.SetPathValue("id", form.Kiosk)
				kioskPage(w, r, status, "kiosk.html", d)
				return
			}
			fleetPage(w, r, status, d)
		}
		f, err := ParseCommandForm(r.PostForm)
		if err != nil {
			answer(http.StatusUnprocessableEntity, "refused: "+err.Error(), f)
			return
		}
		c, err := s.SendCommand(r.Context(), f)
		if err != nil {
			if errors.Is(err, ErrUnknownKiosk) || errors.Is(err, api.ErrCommandKind) {
				answer(http.StatusUnprocessableEntity, "refused: "+err.Error(), f)
				return
			}
			s.log.Error("console command", "kiosk", f.Kiosk, "err", err)
			answer(http.StatusServiceUnavailable, "not queued: the store failed; see the centre's log and try again", f)
			return
		}
		answer(http.StatusOK, fmt.Sprintf("queued %s for %s as #%d, signed, valid until %s", c.Kind, c.Kiosk, c.Seq, c.Expiry.UTC().Format("15:04:05Z")), CommandForm{Kiosk: f.Kiosk})
	})
	static := http.FileServerFS(webFS)
	mux.HandleFunc("GET /ops/static/{file}", func(w http.ResponseWriter, r *http.Request) {
		f := r.PathValue("file")
		if !strings.HasSuffix(f, ".js") && !strings.HasSuffix(f, ".css") {
			http.NotFound(w, r)
			return
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/web/" + f
		static.ServeHTTP(w, r2)
	})
}

// sameOrigin accepts a post from the console itself: browsers send Origin
// (or at least Sec-Fetch-Site) on form posts and fetches; tools like curl
// send neither and are accepted, since they are not a confused browser.
func sameOrigin(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" {
		return o == "http://"+r.Host
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		return true
	}
	return false
}
