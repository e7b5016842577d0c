package client

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/outbox"
	"github.com/google/uuid"
)

// Store is the durable state the pullers and the heartbeat keep beside the
// queue: one transaction holds a command's effect, its record and the
// event reporting it.
type Store interface {
	Update(ctx context.Context, fn func(tx outbox.Tx) error) error
	GetKV(ctx context.Context, key string) (string, bool, error)
}

// kv keys.
const (
	kvConfigDoc     = "sync.config.doc"
	kvConfigETag    = "sync.config.etag"
	kvConfigRefused = "sync.config.refused_etag"
	kvLastSeq       = "sync.commands.last_applied_seq"
	kvCursor        = "sync.commands.cursor"
	kvPending       = "sync.commands.pending"
)

// eventKey derives an idempotency key from what an event reports, so that
// reporting the same thing twice is one event at the centre.
func eventKey(parts ...string) string {
	b := []byte{}
	for _, p := range parts {
		b = append(b, p...)
		b = append(b, 0)
	}
	return uuid.NewSHA1(uuid.NameSpaceOID, b).String()
}

func auditEvent(key string, a api.Audit, now time.Time) (outbox.Event, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return outbox.Event{}, err
	}
	return outbox.Event{Kind: string(api.EventAudit), Key: key, Payload: b, Created: now}, nil
}

// PullOptions tune the config and command pullers.
type PullOptions struct {
	// Wait is the long-poll hold asked of the centre; default 55 s.
	Wait    time.Duration
	Backoff Backoff
	Logger  *slog.Logger
}

func (o *PullOptions) defaults() {
	if o.Wait <= 0 {
		o.Wait = 55 * time.Second
	}
	o.Wait = min(o.Wait, 60*time.Second)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// ConfigPuller keeps the kiosk's configuration in step with the centre.
type ConfigPuller struct {
	c *Client
	s Store
	// Validate checks a whole new config before it replaces the old one.
	validate func(api.Config) error
	onConfig func(api.Config)
	o        PullOptions
	st       status
}

// NewConfigPuller builds a config puller. validate may be nil (the
// contract's own checks still apply); onConfig is called with the stored
// config at start and with each accepted new one.
func NewConfigPuller(c *Client, s Store, validate func(api.Config) error, onConfig func(api.Config), o PullOptions) *ConfigPuller {
	o.defaults()
	if validate == nil {
		validate = func(api.Config) error { return nil }
	}
	if onConfig == nil {
		onConfig = func(api.Config) {}
	}
	return &ConfigPuller{c: c, s: s, validate: validate, onConfig: onConfig, o: o}
}

// Status of the puller.
func (p *ConfigPuller) Status() Status { return p.st.get() }

func (p *ConfigPuller) String() string { return "config puller" }

// Stored returns the last accepted config and its ETag; ok is false before
// the first one.
func (p *ConfigPuller) Stored(ctx context.Context) (cfg api.Config, etag string, ok bool, err error) {
	doc, ok, err := p.s.GetKV(ctx, kvConfigDoc)
	if err != nil || !ok {
		return api.Config{}, "", false, err
	}
	c, err := api.DecodeConfig([]byte(doc))
	if err != nil {
		return api.Config{}, "", false, fmt.Errorf("client: the stored config does not read: %w", err)
	}
	etag, _, err = p.s.GetKV(ctx, kvConfigETag)
	return *c, etag, err == nil, err
}

// Serve long-polls the config until ctx ends.
func (p *ConfigPuller) Serve(ctx context.Context) error {
	cfg, etag, ok, err := p.Stored(ctx)
	if err != nil {
		p.o.Logger.Warn("stored config ignored", "err", err)
	}
	if ok {
		p.onConfig(cfg)
	}
	// asked is the ETag sent as If-None-Match: the accepted one, or a
	// refused one, so the centre holds the poll until ops change it.
	asked := etag
	if r, ok, _ := p.s.GetKV(ctx, kvConfigRefused); ok {
		asked = r
	}
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		tag, err := p.PollOnce(ctx, asked)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			now := time.Now()
			d := p.o.Backoff.Delay(p.st.failures() + 1)
			p.st.fail(now, err, now.Add(d))
			p.o.Logger.Warn("config poll failed", "err", err)
			if sleep(ctx, d, nil) {
				return ctx.Err()
			}
			continue
		}
		p.st.ok(time.Now())
		asked = tag
	}
}

// ErrConfigRefused wraps the reason a new config was not taken.
var ErrConfigRefused = errors.New("new config refused; the previous one stays")

// PollOnce asks for the config once, holding up to the wait when ifNoneMatch
// is current. It returns the ETag to ask with next. A refused config is
// reported (an audit event "config_refused", once per ETag) and is not an
// error of the poll.
func (p *ConfigPuller) PollOnce(ctx context.Context, ifNoneMatch string) (string, error) {
	q := url.Values{"wait": {strconv.Itoa(int(p.o.Wait / time.Second))}}
	var hdr http.Header
	if ifNoneMatch != "" {
		hdr = http.Header{"If-None-Match": {ifNoneMatch}}
	}
	r, err := p.c.do(ctx, http.MethodGet, "/v1/kiosks/"+url.PathEscape(p.c.kiosk)+"/config", q, hdr, nil, p.o.Wait)
	if err != nil {
		return ifNoneMatch, err
	}
	if r.status == http.StatusNotModified {
		return ifNoneMatch, nil
	}
	if r.status != http.StatusOK {
		return ifNoneMatch, fmt.Errorf("config: unexpected HTTP %d: %w", r.status, ErrUnreachable)
	}
	tag := r.header.Get("ETag")
	cfg, err := api.DecodeConfig(r.body)
	if err == nil {
		err = p.validate(*cfg)
	}
	if err != nil {
		return tag, p.refuse(ctx, tag, err)
	}
	err = p.s.Update(ctx, func(tx outbox.Tx) error {
		if err := tx.SetKV(kvConfigDoc, string(r.body)); err != nil {
			return err
		}
		if err := tx.SetKV(kvConfigRefused, ""); err != nil {
			return err
		}
		return tx.SetKV(kvConfigETag, tag)
	})
	if err != nil {
		return ifNoneMatch, fmt.Errorf("config: store the new config: %w", err)
	}
	p.onConfig(*cfg)
	return tag, nil
}

func (p *ConfigPuller) refuse(ctx context.Context, tag string, reason error) error {
	p.o.Logger.Warn("config refused", "etag", tag, "reason", pii.Scrub(reason.Error()))
	msg := pii.Scrub(reason.Error())
	if len(msg) > 500 {
		msg = msg[:500]
	}
	ev, err := auditEvent(eventKey("config_refused", p.c.kiosk, tag), api.Audit{Action: "config_refused", Outcome: "refused",
		Detail: map[string]string{"etag": tag, "reason": msg}}, time.Now())
	if err != nil {
		return err
	}
	err = p.s.Update(ctx, func(tx outbox.Tx) error {
		if prev, _, err := tx.GetKV(kvConfigRefused); err != nil || prev == tag {
			return err
		}
		if _, err := tx.Enqueue(ev); err != nil {
			return err
		}
		return tx.SetKV(kvConfigRefused, tag)
	})
	if err != nil {
		return fmt.Errorf("config: report the refusal: %w", err)
	}
	return nil
}

// Handler applies one kind of command.
type Handler struct {
	// InTx does the local effect inside the transaction that records the
	// command (for example setting out-of-service in kv). May be nil.
	InTx func(tx outbox.Tx, c api.Command) error
	// AfterCommit does what cannot be inside a transaction (print a test
	// page, restart). It is recorded as pending in the same transaction and
	// run after commit; pending effects left by a crash run at the next
	// start. May be nil.
	AfterCommit func(ctx context.Context, c api.Command) error
	// AtMostOnce clears the pending mark before AfterCommit runs instead of
	// after: right for a restart, which must not loop; otherwise the
	// effect runs at least once.
	AtMostOnce bool
}

// CommandPuller fetches, verifies and applies the centre's signed commands.
type CommandPuller struct {
	c        *Client
	s        Store
	pub      ed25519.PublicKey
	handlers map[api.CommandKind]Handler
	o        PullOptions
	st       status
}

// NewCommandPuller builds a command puller verifying with the centre's
// public key.
func NewCommandPuller(c *Client, s Store, pub ed25519.PublicKey, handlers map[api.CommandKind]Handler, o PullOptions) *CommandPuller {
	o.defaults()
	return &CommandPuller{c: c, s: s, pub: pub, handlers: handlers, o: o}
}

// Status of the puller.
func (p *CommandPuller) Status() Status { return p.st.get() }

func (p *CommandPuller) String() string { return "command puller" }

// Serve runs pending effects left by a crash, then long-polls commands
// until ctx ends.
func (p *CommandPuller) Serve(ctx context.Context) error {
	if err := p.RunPending(ctx); err != nil && ctx.Err() == nil {
		p.o.Logger.Warn("pending command effects", "err", err)
	}
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		err := p.PollOnce(ctx, p.o.Wait)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			now := time.Now()
			d := p.o.Backoff.Delay(p.st.failures() + 1)
			p.st.fail(now, err, now.Add(d))
			p.o.Logger.Warn("command poll failed", "err", err)
			if sleep(ctx, d, nil) {
				return ctx.Err()
			}
			continue
		}
		p.st.ok(time.Now())
	}
}

func getInt(ctx context.Context, s Store, key string) (int64, error) {
	v, ok, err := s.GetKV(ctx, key)
	if err != nil || !ok || v == "" {
		return 0, err
	}
	return strconv.ParseInt(v, 10, 64)
}

// LastApplied is the sequence number of the last applied command.
func (p *CommandPuller) LastApplied(ctx context.Context) (int64, error) {
	return getInt(ctx, p.s, kvLastSeq)
}

// PollOnce fetches commands after the cursor (holding up to wait when
// there are none) and handles each in order.
func (p *CommandPuller) PollOnce(ctx context.Context, wait time.Duration) error {
	cursor, err := getInt(ctx, p.s, kvCursor)
	if err != nil {
		return fmt.Errorf("commands: read cursor: %w", err)
	}
	q := url.Values{"after": {strconv.FormatInt(cursor, 10)}, "wait": {strconv.Itoa(int(wait / time.Second))}}
	r, err := p.c.do(ctx, http.MethodGet, "/v1/kiosks/"+url.PathEscape(p.c.kiosk)+"/commands", q, nil, nil, wait)
	if err != nil {
		return err
	}
	cl, err := api.DecodeCommandList(r.body)
	if err != nil {
		return fmt.Errorf("commands: the centre's answer does not read: %w: %w", ErrUnreachable, err)
	}
	for i := range cl.Commands {
		if err := p.Handle(ctx, cl.Commands[i]); err != nil {
			return err
		}
	}
	return nil
}

// refusalReason names why a command was refused, as reported to the centre.
func refusalReason(err error) string {
	switch {
	case errors.Is(err, api.ErrCommandForged):
		return "forged_signature"
	case errors.Is(err, api.ErrCommandMistargets):
		return "wrong_kiosk"
	case errors.Is(err, api.ErrCommandReplayed):
		return "replayed_sequence"
	case errors.Is(err, api.ErrCommandExpired):
		return "expired"
	case errors.Is(err, api.ErrCommandKind):
		return "unknown_kind"
	}
	return "refused"
}

// Handle verifies one command and applies it exactly once, or refuses it
// and reports why. A refusal is returned as nil after it is reported: the
// next command may still be good.
func (p *CommandPuller) Handle(ctx context.Context, c api.Command) error {
	now := time.Now()
	var pending *api.Command
	var h Handler
	err := p.s.Update(ctx, func(tx outbox.Tx) error {
		pending = nil
		last, err := txInt(tx, kvLastSeq)
		if err != nil {
			return err
		}
		cursor, err := txInt(tx, kvCursor)
		if err != nil {
			return err
		}
		verr := api.VerifyCommand(p.pub, &c, p.c.kiosk, now, last)
		var ok bool
		if verr == nil {
			if h, ok = p.handlers[c.Kind]; !ok {
				verr = fmt.Errorf("command %s: kind %q has no handler on this kiosk: %w", c.ID, c.Kind, api.ErrCommandKind)
			}
		}
		if verr == nil {
			applied, err := tx.CommandApplied(c.ID)
			if err != nil {
				return err
			}
			if applied {
				verr = fmt.Errorf("command %s was applied before: %w", c.ID, api.ErrCommandReplayed)
			}
		}
		if verr != nil {
			return p.refuseTx(tx, c, verr, cursor, now)
		}
		if h.InTx != nil {
			if err := h.InTx(tx, c); err != nil {
				return &applyError{err: fmt.Errorf("command %s (%s): apply: %w", c.ID, c.Kind, err), cause: err}
			}
		}
		if err := tx.RecordCommand(c.ID, c.Seq, string(c.Kind)); err != nil {
			return err
		}
		if err := tx.SetKV(kvLastSeq, strconv.FormatInt(c.Seq, 10)); err != nil {
			return err
		}
		if err := tx.SetKV(kvCursor, strconv.FormatInt(max(cursor, c.Seq), 10)); err != nil {
			return err
		}
		if h.AfterCommit != nil {
			if err := addPending(tx, c); err != nil {
				return err
			}
			pending = &c
		}
		return enqueueResult(tx, c, "applied", "", now)
	})
	var ae *applyError
	if errors.As(err, &ae) && !errors.Is(err, outbox.ErrStorage) {
		// The handler refused this command (not the disk): nothing of it
		// was committed. Report it as failed and move on, so one command
		// the kiosk cannot carry out does not block the ones after it.
		return p.reportFailed(ctx, c, ae.cause, now)
	}
	if err != nil {
		return fmt.Errorf("commands: %w", err)
	}
	if pending != nil {
		return p.runEffect(ctx, h, *pending)
	}
	return nil
}

// applyError is a handler's refusal to apply a command.
type applyError struct{ err, cause error }

func (e *applyError) Error() string { return e.err.Error() }
func (e *applyError) Unwrap() error { return e.err }

func (p *CommandPuller) reportFailed(ctx context.Context, c api.Command, cause error, now time.Time) error {
	p.o.Logger.Warn("command failed", "id", c.ID, "seq", c.Seq, "kind", c.Kind, "err", pii.Scrub(cause.Error()))
	reason := "apply_failed: " + pii.Scrub(cause.Error())
	if len(reason) > 300 {
		reason = reason[:300]
	}
	err := p.s.Update(ctx, func(tx outbox.Tx) error {
		cursor, err := txInt(tx, kvCursor)
		if err != nil {
			return err
		}
		if c.Seq > cursor {
			if err := tx.SetKV(kvCursor, strconv.FormatInt(c.Seq, 10)); err != nil {
				return err
			}
		}
		return enqueueResult(tx, c, "failed", reason, now)
	})
	if err != nil {
		return fmt.Errorf("commands: report failure of %s: %w", c.ID, err)
	}
	return nil
}

func (p *CommandPuller) refuseTx(tx outbox.Tx, c api.Command, verr error, cursor int64, now time.Time) error {
	reason := refusalReason(verr)
	p.o.Logger.Warn("command refused", "id", c.ID, "seq", c.Seq, "kind", c.Kind, "reason", reason)
	// The cursor moves past a refused command so it is not fetched and
	// refused forever; the applied sequence does not move.
	if c.Kiosk == p.c.kiosk && c.Seq > cursor {
		if err := tx.SetKV(kvCursor, strconv.FormatInt(c.Seq, 10)); err != nil {
			return err
		}
	}
	return enqueueResult(tx, c, "refused", reason, now)
}

// enqueueResult queues a command_result event; its key is derived from the
// command and outcome, and one already queued is not queued twice.
func enqueueResult(tx outbox.Tx, c api.Command, outcome, reason string, now time.Time) error {
	mark := "sync.commands.reported." + eventKey(c.ID, outcome, reason)
	if _, seen, err := tx.GetKV(mark); err != nil || seen {
		return err
	}
	b, err := json.Marshal(api.CommandResult{CommandID: c.ID, Seq: c.Seq, Outcome: outcome, Reason: reason})
	if err != nil {
		return err
	}
	if _, err := tx.Enqueue(outbox.Event{Kind: string(api.EventCommandResult), Key: eventKey("command_result", c.ID, outcome, reason), Payload: b, Created: now}); err != nil {
		return err
	}
	return tx.SetKV(mark, "1")
}

func txInt(tx outbox.Tx, key string) (int64, error) {
	v, ok, err := tx.GetKV(key)
	if err != nil || !ok || v == "" {
		return 0, err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("kv %s holds %q, not a number: %w", key, v, err)
	}
	return n, nil
}

func readPending(tx outbox.Tx) ([]api.Command, error) {
	v, ok, err := tx.GetKV(kvPending)
	if err != nil || !ok || v == "" {
		return nil, err
	}
	var cs []api.Command
	if err := json.Unmarshal([]byte(v), &cs); err != nil {
		return nil, fmt.Errorf("pending command effects do not read: %w", err)
	}
	return cs, nil
}

func writePending(tx outbox.Tx, cs []api.Command) error {
	b, err := json.Marshal(cs)
	if err != nil {
		return err
	}
	return tx.SetKV(kvPending, string(b))
}

func addPending(tx outbox.Tx, c api.Command) error {
	cs, err := readPending(tx)
	if err != nil {
		return err
	}
	return writePending(tx, append(cs, c))
}

func (p *CommandPuller) clearPending(ctx context.Context, id string) error {
	return p.s.Update(ctx, func(tx outbox.Tx) error {
		cs, err := readPending(tx)
		if err != nil {
			return err
		}
		out := cs[:0]
		for _, c := range cs {
			if c.ID != id {
				out = append(out, c)
			}
		}
		return writePending(tx, out)
	})
}

func (p *CommandPuller) runEffect(ctx context.Context, h Handler, c api.Command) error {
	if h.AtMostOnce {
		if err := p.clearPending(ctx, c.ID); err != nil {
			return err
		}
	}
	if err := h.AfterCommit(ctx, c); err != nil {
		p.o.Logger.Warn("command effect failed", "id", c.ID, "kind", c.Kind, "err", err)
		if h.AtMostOnce {
			return nil
		}
		return fmt.Errorf("command %s (%s): effect: %w", c.ID, c.Kind, err)
	}
	if !h.AtMostOnce {
		return p.clearPending(ctx, c.ID)
	}
	return nil
}

// RunPending performs effects recorded as pending whose process died
// before they were done.
func (p *CommandPuller) RunPending(ctx context.Context) error {
	var cs []api.Command
	if err := p.s.Update(ctx, func(tx outbox.Tx) (err error) { cs, err = readPending(tx); return }); err != nil {
		return err
	}
	var errs []error
	for _, c := range cs {
		h, ok := p.handlers[c.Kind]
		if !ok || h.AfterCommit == nil {
			errs = append(errs, p.clearPending(ctx, c.ID))
			continue
		}
		errs = append(errs, p.runEffect(ctx, h, c))
	}
	return errors.Join(errs...)
}
