package central

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/central/store"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// MaxLongPoll bounds ?wait= on config and commands.
const MaxLongPoll = 60 * time.Second

func eventAAD(kiosk, key string) []byte { return []byte("event|" + kiosk + "|" + key) }

func (s *Server) ingest(w http.ResponseWriter, r *http.Request) {
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	batch, err := api.DecodeEventBatch(b)
	if errors.Is(err, api.ErrBatchTooLarge) {
		fail(w, http.StatusRequestEntityTooLarge, api.CodeBatchTooLarge, err.Error())
		return
	}
	if err != nil {
		fail(w, http.StatusBadRequest, api.CodeMalformedJSON, err.Error())
		return
	}
	kiosk := kioskOf(r)
	now := s.now()
	results, err := s.ingestBatch(r.Context(), kiosk, batch.Events, now)
	if err != nil {
		s.log.Error("ingest failed", "kiosk", kiosk, "events", len(batch.Events), "err", err)
		fail(w, http.StatusServiceUnavailable, api.CodeInternal, "events could not be stored; retry the batch later")
		return
	}
	writeJSON(w, http.StatusOK, api.EventBatchResponse{Results: results})
}

func reject(key, code, msg string) api.EventResult {
	return api.EventResult{IdempotencyKey: key, Status: api.ItemRejected, HTTPStatus: http.StatusUnprocessableEntity, Code: code, Message: msg}
}

// pending is one accepted event on its way into the store.
type pending struct {
	at     int // index in the batch
	kind   api.EventKind
	canon  []byte // compacted payload, compared on a replay
	ev     store.Event
	change *store.PersonChange
	apply  func() // in-memory effect, run only when the event is first stored
}

// ingestOne ingests a batch of one event.
func (s *Server) ingestOne(ctx context.Context, kiosk string, e api.Event, now time.Time) (api.EventResult, error) {
	res, err := s.ingestBatch(ctx, kiosk, []api.Event{e}, now)
	if err != nil {
		return api.EventResult{}, err
	}
	return res[0], nil
}

// ingestBatch answers each event of a batch as if the events came one at a
// time, but stores the accepted ones in one transaction: the commit (an
// fsync) is what limits ingest, not the events. On an error the kiosk
// sends the batch again: a failed transaction stored and applied nothing,
// and whatever was committed is answered as duplicate the second time.
func (s *Server) ingestBatch(ctx context.Context, kiosk string, events []api.Event, now time.Time) ([]api.EventResult, error) {
	out := make([]api.EventResult, len(events))
	todo := make([]pending, 0, len(events))
	// Keys accepted earlier in this batch: a second event with the same key
	// is answered against the first, as it would be in a later batch.
	batchKeys := make(map[string]bool, len(events))
	locked := false
	for i := range events {
		e := &events[i]
		if code, msg := e.Check(); code != "" {
			out[i] = reject(e.IdempotencyKey, code, msg)
			continue
		}
		// Compact so that whitespace differences are not conflicts.
		var canon bytes.Buffer
		if err := json.Compact(&canon, e.Payload); err != nil {
			out[i] = reject(e.IdempotencyKey, "bad_payload", err.Error())
			continue
		}
		p := pending{at: i, kind: e.Kind, canon: canon.Bytes()}
		if e.Kind == api.EventMobileUpdated {
			// Held from the grant check until the overlay is committed and
			// applied, because service submissions rewrite the same overlay.
			if !locked {
				s.svcMu.Lock()
				defer s.svcMu.Unlock()
				locked = true
			}
			rej, err := s.prepareMobile(ctx, kiosk, e, now, batchKeys[e.IdempotencyKey], &p)
			if err != nil {
				return nil, err
			}
			if rej != nil {
				out[i] = *rej
				continue
			}
		}
		kid, sealed, err := s.keys.Seal(eventAAD(kiosk, e.IdempotencyKey), p.canon)
		if err != nil {
			return nil, fmt.Errorf("seal event: %w", err)
		}
		p.ev = store.Event{Kiosk: kiosk, Key: e.IdempotencyKey, Kind: string(e.Kind), CreatedAt: e.CreatedAt, ReceivedAt: now, KeyID: kid, Payload: sealed}
		batchKeys[e.IdempotencyKey] = true
		todo = append(todo, p)
	}
	var heartbeat []byte
	if len(todo) > 0 {
		evs := make([]store.Event, len(todo))
		changes := make([]*store.PersonChange, len(todo))
		for j, p := range todo {
			evs[j], changes[j] = p.ev, p.change
		}
		res, err := s.Store.InsertEvents(ctx, evs, changes)
		if err != nil {
			return nil, err
		}
		// Effects first: the changes are committed, so memory must follow
		// even if answering a later item fails.
		for j, p := range todo {
			if res[j].Inserted && p.apply != nil {
				p.apply()
			}
		}
		for j, p := range todo {
			r, err := s.answer(kiosk, p, res[j])
			if err != nil {
				return nil, err
			}
			out[p.at] = r
			if res[j].Inserted && p.kind == api.EventHeartbeat {
				heartbeat = p.canon
			}
		}
	}
	// One touch for the batch: the last stored heartbeat is the newest the
	// kiosk sent, and last_seen is the same time for all of them.
	// The events are committed by now, so a failure here is logged rather
	// than answered: a retry would only bring duplicates.
	if err := s.Store.TouchKiosk(ctx, kiosk, now, heartbeat); err != nil {
		s.log.Error("touch kiosk", "kiosk", kiosk, "err", err)
	}
	return out, nil
}

// prepareMobile decides whether a mobile_updated event may be stored and
// computes its change. A key already stored (or accepted earlier in the
// batch) is not judged again: it goes to the store without a change and is
// answered duplicate or conflict. Its grant may have expired while the
// kiosk was offline; refusing it would make the kiosk park an event that
// was in fact delivered. A nil result and nil error mean: store p.
func (s *Server) prepareMobile(ctx context.Context, kiosk string, e *api.Event, now time.Time, inBatch bool, p *pending) (*api.EventResult, error) {
	if inBatch {
		return nil, nil
	}
	switch _, err := s.Store.Event(ctx, kiosk, e.IdempotencyKey); {
	case err == nil:
		return nil, nil
	case !errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("look up event: %w", err)
	}
	var mu api.MobileUpdated
	if err := json.Unmarshal(e.Payload, &mu); err != nil {
		r := reject(e.IdempotencyKey, "bad_payload", fmt.Sprintf("mobile_updated payload does not decode (%v); send grant and mobile as the confirm answer gave them", err))
		return &r, nil
	}
	g, err := s.openGrant(mu.Grant)
	var r api.EventResult
	switch {
	case err != nil:
		r = reject(e.IdempotencyKey, "bad_grant", "the grant is not one this centre issued")
	case g.Kiosk != kiosk:
		r = reject(e.IdempotencyKey, "bad_grant", "the grant was issued to another kiosk")
	case g.Mobile != mu.Mobile:
		r = reject(e.IdempotencyKey, "bad_grant", "the mobile number differs from the confirmed one")
	case !now.Before(g.Expires):
		r = reject(e.IdempotencyKey, "grant_expired", "the confirmation is too old; confirm the number again")
	default:
		p.change, p.apply, err = s.mobileChange(g.Person, g.Mobile, now)
		return nil, err
	}
	return &r, nil
}

// answer turns what the store did with one event into its item result.
func (s *Server) answer(kiosk string, p pending, r store.InsertResult) (api.EventResult, error) {
	key := p.ev.Key
	if r.Inserted {
		return api.EventResult{IdempotencyKey: key, Status: api.ItemStored, HTTPStatus: http.StatusCreated}, nil
	}
	old := r.Existing
	prev, err := s.keys.Open(old.KeyID, eventAAD(kiosk, key), old.Payload)
	if err != nil {
		return api.EventResult{}, fmt.Errorf("open stored event: %w", err)
	}
	if old.Kind != string(p.kind) || !bytes.Equal(prev, p.canon) {
		return api.EventResult{IdempotencyKey: key, Status: api.ItemConflict, HTTPStatus: http.StatusConflict, Code: "idempotency_conflict",
			Message: "this key was stored before with a different payload; use a new key for a new event"}, nil
	}
	return api.EventResult{IdempotencyKey: key, Status: api.ItemDuplicate, HTTPStatus: http.StatusOK}, nil
}

// personOverlay is what the centre changed in a person's record, sealed at rest.
type personOverlay struct {
	ID     string `json:"id"`
	Mobile string `json:"mobile"`
	// Record, when set, is the whole changed record (services change more
	// than the mobile number, and the store keeps one row per person).
	Record *people.Person `json:"record,omitempty"`
}

func (s *Server) mobileChange(id, mobile string, now time.Time) (*store.PersonChange, func(), error) {
	slot := s.slot(id)
	ov := personOverlay{ID: id, Mobile: mobile}
	s.mu.Lock()
	if p, ok := s.persons[id]; ok {
		rec, err := clonePerson(*p)
		if err == nil {
			rec.Mobile = mobile
			ov.Record = &rec
		}
	}
	s.mu.Unlock()
	b, _ := json.Marshal(ov)
	kid, sealed, err := s.keys.Seal([]byte("person|"+slot), b)
	if err != nil {
		return nil, nil, fmt.Errorf("seal person change: %w", err)
	}
	apply := func() {
		s.mu.Lock()
		if p, ok := s.persons[id]; ok {
			p.Mobile = mobile
		}
		s.mu.Unlock()
		s.log.Info("mobile updated", "id", pii.ID(id), "mobile", pii.Mobile(mobile))
	}
	return &store.PersonChange{Slot: slot, KeyID: kid, Sealed: sealed, UpdatedAt: now}, apply, nil
}

func (s *Server) applyPersonChanges(ctx context.Context) error {
	cs, err := s.Store.PersonChanges(ctx)
	if err != nil {
		return err
	}
	for _, c := range cs {
		b, err := s.keys.Open(c.KeyID, []byte("person|"+c.Slot), c.Sealed)
		if err != nil {
			return fmt.Errorf("central: a stored person change does not open (records.key replaced?): %w", err)
		}
		var o personOverlay
		if err := json.Unmarshal(b, &o); err != nil {
			return fmt.Errorf("central: stored person change: %w", err)
		}
		if p, ok := s.persons[o.ID]; ok {
			if o.Record != nil && o.Record.ID == o.ID {
				*p = *o.Record
			}
			p.Mobile = o.Mobile
		}
	}
	return nil
}

func waitParam(r *http.Request) (time.Duration, error) {
	v := r.URL.Query().Get("wait")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("wait must be whole seconds, got %q", v)
	}
	d := time.Duration(n) * time.Second
	return min(d, MaxLongPoll), nil
}

func (s *Server) config(ctx context.Context, kiosk string) (store.Config, error) {
	c, err := s.Store.Config(ctx, kiosk)
	if errors.Is(err, store.ErrNotFound) {
		return configDoc(api.DefaultConfig())
	}
	return c, err
}

func configDoc(c api.Config) (store.Config, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return store.Config{}, err
	}
	h := sha256.Sum256(b)
	return store.Config{Doc: b, ETag: `"` + hex.EncodeToString(h[:8]) + `"`}, nil
}

// getConfig answers 304 when If-None-Match names the current ETag; with
// ?wait=N it holds the request until the config changes or N seconds pass.
func (s *Server) getConfig(w http.ResponseWriter, r *http.Request) {
	wait, err := waitParam(r)
	if err != nil {
		fail(w, http.StatusBadRequest, api.CodeBadRequest, err.Error())
		return
	}
	kiosk := kioskOf(r)
	ctx, cancel := context.WithTimeout(r.Context(), wait)
	defer cancel()
	for {
		changed := s.watchCh(kiosk)
		c, err := s.config(r.Context(), kiosk)
		if err != nil {
			fail(w, http.StatusServiceUnavailable, api.CodeInternal, "config unavailable; retry")
			return
		}
		if r.Header.Get("If-None-Match") != c.ETag {
			w.Header().Set("ETag", c.ETag)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			w.Write(c.Doc)
			return
		}
		select {
		case <-changed:
			continue
		case <-s.done:
		case <-ctx.Done():
		}
		w.Header().Set("ETag", c.ETag)
		w.WriteHeader(http.StatusNotModified)
		return
	}
}

func (s *Server) getCommands(w http.ResponseWriter, r *http.Request) {
	wait, err := waitParam(r)
	if err != nil {
		fail(w, http.StatusBadRequest, api.CodeBadRequest, err.Error())
		return
	}
	after := int64(0)
	if v := r.URL.Query().Get("after"); v != "" {
		if after, err = strconv.ParseInt(v, 10, 64); err != nil || after < 0 {
			fail(w, http.StatusBadRequest, api.CodeBadRequest, "after must be a sequence number ≥ 0")
			return
		}
	}
	kiosk := kioskOf(r)
	ctx, cancel := context.WithTimeout(r.Context(), wait)
	defer cancel()
	for {
		changed := s.watchCh(kiosk)
		envs, last, err := s.Store.Commands(r.Context(), kiosk, after)
		if err != nil {
			fail(w, http.StatusServiceUnavailable, api.CodeInternal, "commands unavailable; retry")
			return
		}
		if len(envs) > 0 || wait == 0 {
			out := api.CommandList{Commands: make([]api.Command, 0, len(envs)), LastSeq: last}
			for _, b := range envs {
				var c api.Command
				if err := json.Unmarshal(b, &c); err != nil {
					fail(w, http.StatusInternalServerError, api.CodeInternal, "a stored command is unreadable")
					return
				}
				out.Commands = append(out.Commands, c)
			}
			writeJSON(w, http.StatusOK, out)
			return
		}
		select {
		case <-changed:
			continue
		case <-s.done:
			wait = 0
		case <-ctx.Done():
			wait = 0
		}
	}
}

func (s *Server) opsKiosks(w http.ResponseWriter, r *http.Request) {
	l, err := s.KioskList(r.Context())
	if err != nil {
		fail(w, http.StatusServiceUnavailable, api.CodeInternal, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, l)
}

// KioskList is the fleet table: kiosks that sent anything, plus the dev
// kiosks that have not yet.
func (s *Server) KioskList(ctx context.Context) (api.KioskList, error) {
	ks, err := s.Store.Kiosks(ctx)
	if err != nil {
		return api.KioskList{}, err
	}
	out := api.KioskList{Kiosks: []api.KioskStatus{}}
	seen := map[string]bool{}
	add := func(id string, k *store.Kiosk) {
		st := api.KioskStatus{ID: id}
		if k != nil {
			t := k.LastSeen
			st.LastSeen = &t
			if len(k.Heartbeat) > 0 {
				var hb api.Heartbeat
				if json.Unmarshal(k.Heartbeat, &hb) == nil {
					st.Heartbeat = &hb
				}
			}
		}
		if c, err := s.config(ctx, id); err == nil {
			st.ConfigETag = c.ETag
		}
		if _, last, err := s.Store.Commands(ctx, id, 1<<62); err == nil {
			st.LastSeq = last
		}
		out.Kiosks = append(out.Kiosks, st)
		seen[id] = true
	}
	for i := range ks {
		add(ks[i].ID, &ks[i])
	}
	for id := range s.PKI.Clients {
		if !seen[id] && id != "ops" {
			add(id, nil)
		}
	}
	return out, nil
}

func (s *Server) opsSetConfig(w http.ResponseWriter, r *http.Request) {
	req, ok := decodeBody[api.ConfigUpdate](w, r)
	if !ok {
		return
	}
	if err := req.Config.Validate(); err != nil {
		fail(w, http.StatusUnprocessableEntity, api.CodeBadRequest, err.Error())
		return
	}
	c, err := s.SetConfig(r.Context(), r.PathValue("id"), req.Config)
	if err != nil {
		fail(w, http.StatusServiceUnavailable, api.CodeInternal, err.Error())
		return
	}
	w.Header().Set("ETag", c.ETag)
	w.WriteHeader(http.StatusNoContent)
}

// SetConfig stores a kiosk's config and wakes its long-polls.
func (s *Server) SetConfig(ctx context.Context, kiosk string, cfg api.Config) (store.Config, error) {
	c, err := configDoc(cfg)
	if err != nil {
		return c, err
	}
	if err := s.Store.SetConfig(ctx, kiosk, c); err != nil {
		return c, err
	}
	s.kick(kiosk)
	return c, nil
}

func (s *Server) opsAddCommand(w http.ResponseWriter, r *http.Request) {
	req, ok := decodeBody[api.NewCommandRequest](w, r)
	if !ok {
		return
	}
	c, err := s.QueueCommand(r.Context(), r.PathValue("id"), *req)
	if errors.Is(err, api.ErrCommandKind) {
		fail(w, http.StatusUnprocessableEntity, api.CodeUnknownCommandKind, err.Error())
		return
	}
	if err != nil {
		fail(w, http.StatusServiceUnavailable, api.CodeInternal, err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

// QueueCommand signs and queues a command for a kiosk.
func (s *Server) QueueCommand(ctx context.Context, kiosk string, req api.NewCommandRequest) (api.Command, error) {
	if !api.KnownCommandKind(req.Kind) {
		return api.Command{}, fmt.Errorf("queue command %q: %w", req.Kind, api.ErrCommandKind)
	}
	ttl := time.Duration(req.TTLSeconds) * time.Second
	if ttl <= 0 {
		ttl = time.Hour
	}
	var c api.Command
	_, err := s.Store.AddCommand(ctx, kiosk, func(seq int64) ([]byte, error) {
		now := s.now()
		c = api.Command{ID: s.token(16), Kiosk: kiosk, Seq: seq, IssuedAt: now.UTC(), Expiry: now.Add(ttl).UTC(), Kind: req.Kind, Args: req.Args}
		c.Sign(s.signKey)
		return json.Marshal(c)
	})
	if err != nil {
		return c, err
	}
	s.kick(kiosk)
	s.log.Info("command queued", "kiosk", kiosk, "seq", c.Seq, "kind", c.Kind)
	return c, nil
}

func (s *Server) opsSMS(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, api.SMSList{Messages: s.SMSSink.Messages()})
}
