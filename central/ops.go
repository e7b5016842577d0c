package central

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// MemorySink is the dev SMS sink: messages stay in memory for the ops page
// and are logged with the number masked. Codes in dev mode are meant to be
// seen by the person running the demo, so the text is logged in full.
type MemorySink struct {
	mu   sync.Mutex
	msgs []api.SMSMessage
	log  interface {
		Info(msg string, args ...any)
	}
	now func() time.Time
}

const sinkKeep = 200

func (m *MemorySink) Send(ctx context.Context, kiosk, to, text string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	at := time.Now()
	if m.now != nil {
		at = m.now()
	}
	m.msgs = append(m.msgs, api.SMSMessage{To: to, Text: text, SentAt: at, Kiosk: kiosk})
	if len(m.msgs) > sinkKeep {
		m.msgs = m.msgs[len(m.msgs)-sinkKeep:]
	}
	m.log.Info("sms sink", "to", pii.Mobile(to), "kiosk", kiosk, "text", text)
	return nil
}

// Messages returns the caught messages, newest last.
func (m *MemorySink) Messages() []api.SMSMessage {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]api.SMSMessage{}, m.msgs...)
}

// Last returns the newest message to a number, for tests and demos.
func (m *MemorySink) Last(to string) (api.SMSMessage, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.msgs) - 1; i >= 0; i-- {
		if m.msgs[i].To == to {
			return m.msgs[i], true
		}
	}
	return api.SMSMessage{}, false
}

type teeSink []SMSSink

func (t teeSink) Send(ctx context.Context, kiosk, to, text string) error {
	for _, s := range t {
		if err := s.Send(ctx, kiosk, to, text); err != nil {
			return err
		}
	}
	return nil
}

// opsConsole serves the console (console.go) over plain HTTP on a
// loopback listener.
func (s *Server) opsConsole() http.Handler {
	mux := http.NewServeMux()
	s.console(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ops/", http.StatusFound) })
	return mux
}
