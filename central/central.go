// Package central is the reference central server: the HTTPS API kiosks
// talk to (identity, person data, services, sync, config and commands) and
// the ops console. Start runs it in-process, which is how cmd/central, the
// kiosk's demo mode and other packages' tests use it.
package central

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/absher-kiosk/kiosk/central/biometric"
	"github.com/absher-kiosk/kiosk/central/demo"
	"github.com/absher-kiosk/kiosk/central/devpki"
	"github.com/absher-kiosk/kiosk/central/match"
	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/central/store"
	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/seal"
)

// FingerVerifier matches one ISO/IEC 19794-4 finger image record against a
// person's enrolled fingers. It is declared here and satisfied by the
// biometric matcher; a malformed record must give an error wrapping
// ErrBadFingerRecord.
type FingerVerifier interface {
	Verify(ctx context.Context, p people.Person, record []byte) (score float64, ok bool, err error)
}

// ErrBadFingerRecord means the posted record could not be decoded.
var ErrBadFingerRecord = api.ErrFingerRecord

// SMSSink receives every SMS the centre sends. In dev mode it is the only
// destination: a log line and the ops page.
type SMSSink interface {
	Send(ctx context.Context, kiosk, to, text string) error
}

// Options configure Start. Zero values give a dev centre on a random
// loopback port with the demo population.
type Options struct {
	StateDir string // required: database, keys, dev PKI
	Addr     string // HTTPS listener; default 127.0.0.1:0
	// OpsAddr, when set, serves the ops console over plain HTTP; it must be
	// a loopback address unless OpsAnyAddr is set.
	OpsAddr    string
	OpsAnyAddr bool
	Clock      func() time.Time // default time.Now
	Rand       io.Reader        // tokens and SMS codes; default crypto/rand
	Seed       int64            // demo population seed
	Today      time.Time        // demo population date; default Clock()
	FixtureDir string           // demo fixtures, may be absent
	// Population replaces the demo population when not nil.
	Population []people.Person
	Fingers    FingerVerifier // nil: the real matcher (central/biometric)
	SMS        SMSSink        // nil: the built-in sink (log + ops page)
	Logger     *slog.Logger   // default slog.Default()
	// VerifyURL prefixes document verification codes in QR codes.
	VerifyURL string
}

// Server is a running centre.
type Server struct {
	Addr    string        // bound HTTPS address, host:port
	URL     string        // https://Addr
	OpsURL  string        // http://OpsAddr/ops/ when the ops listener runs
	PKI     *devpki.Files // CA, server, kiosk and ops certificates, signing key
	Pub     ed25519.PublicKey
	Store   store.Store
	SMSSink *MemorySink // the built-in sink, also when Options.SMS is set

	opt      Options
	log      *slog.Logger
	keys     *seal.Keyring
	indexKey []byte
	signKey  ed25519.PrivateKey
	now      func() time.Time
	rnd      io.Reader
	sms      SMSSink

	mu       sync.Mutex
	persons  map[string]*people.Person
	verifs   map[string]*verification
	sessions map[string]*session
	mobiles  map[string]*mobileChallenge
	attempts map[string]store.Attempts // by slot: failed sign-ins and locks, as stored
	turns    map[string]*turn          // by person: the attempt running now
	issued   map[string]issuedDoc
	watch    map[string]chan struct{} // per kiosk, closed on config or command change

	// svcMu serialises service submissions and mobile changes, which both
	// rewrite a person's sealed overlay; svcDone replays recent answers.
	svcMu   sync.Mutex
	svcDone map[string]submitted

	done       chan struct{} // closed by Close: ends long-polls
	closeOnce  sync.Once
	closeErr   error
	https, ops *http.Server
	lnHTTPS    net.Listener
	lnOps      net.Listener
	wg         sync.WaitGroup
}

// Start opens the state folder (creating the dev PKI, keys and database on
// first run), loads the population and starts serving. Close stops it.
func Start(ctx context.Context, o Options) (*Server, error) {
	if o.StateDir == "" {
		return nil, errors.New("central: Options.StateDir is required")
	}
	if err := os.MkdirAll(o.StateDir, 0o700); err != nil {
		return nil, fmt.Errorf("central: create state folder: %w", err)
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Fingers == nil {
		o.Fingers = biometric.New[*match.Template](match.New(), biometric.DecodeFIR, biometric.Enrol, 1000)
	}
	if o.Today.IsZero() {
		o.Today = o.Clock()
	}
	s := &Server{opt: o, log: o.Logger, now: o.Clock, rnd: o.Rand,
		persons: map[string]*people.Person{}, verifs: map[string]*verification{}, sessions: map[string]*session{},
		mobiles: map[string]*mobileChallenge{}, done: make(chan struct{}), attempts: map[string]store.Attempts{}, turns: map[string]*turn{}, issued: map[string]issuedDoc{}, watch: map[string]chan struct{}{}}
	s.SMSSink = &MemorySink{log: o.Logger, now: o.Clock}
	s.sms = s.SMSSink
	if o.SMS != nil {
		s.sms = teeSink{o.SMS, s.SMSSink}
	}
	var err error
	if s.PKI, err = devpki.Ensure(filepath.Join(o.StateDir, "pki")); err != nil {
		return nil, err
	}
	if s.signKey, err = devpki.LoadCommandKey(s.PKI.CommandKey); err != nil {
		return nil, err
	}
	s.Pub = s.signKey.Public().(ed25519.PublicKey)
	if s.keys, err = seal.LoadOrCreate(filepath.Join(o.StateDir, "records.key")); err != nil {
		return nil, fmt.Errorf("central: %w", err)
	}
	if s.indexKey, err = loadOrCreateSecret(filepath.Join(o.StateDir, "index.key")); err != nil {
		return nil, err
	}
	st, err := store.OpenSQLite(ctx, filepath.Join(o.StateDir, "central.db"))
	if err != nil {
		return nil, err
	}
	s.Store = st
	if err := s.loadAttempts(ctx); err != nil {
		st.Close()
		return nil, err
	}
	pop := o.Population
	if pop == nil {
		if pop, err = demo.Generate(o.Seed, o.Today, o.FixtureDir); err != nil {
			st.Close()
			return nil, fmt.Errorf("central: demo population: %w", err)
		}
	}
	for i := range pop {
		p := pop[i]
		s.persons[p.ID] = &p
	}
	if err := s.applyPersonChanges(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if err := s.listen(); err != nil {
		st.Close()
		return nil, err
	}
	s.log.Info("central started", "addr", s.Addr, "ops", s.OpsURL, "persons", len(s.persons), "pki", s.PKI.Dir)
	return s, nil
}

func (s *Server) listen() error {
	serverCert, err := s.PKI.Server.TLS()
	if err != nil {
		return err
	}
	pool, err := s.PKI.CAPool()
	if err != nil {
		return err
	}
	// The certificate is requested but checked in the handler, so a
	// missing one gets a JSON answer the kiosk can show rather than a
	// handshake failure.
	tc := &tls.Config{Certificates: []tls.Certificate{serverCert}, ClientCAs: pool, ClientAuth: tls.VerifyClientCertIfGiven, MinVersion: tls.VersionTLS12}
	ln, err := net.Listen("tcp", s.opt.Addr)
	if err != nil {
		return fmt.Errorf("central: listen on %s: %w", s.opt.Addr, err)
	}
	s.lnHTTPS = tls.NewListener(ln, tc)
	s.Addr = ln.Addr().String()
	s.URL = "https://" + s.Addr
	s.https = &http.Server{Handler: s.apiHandler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug)}
	s.wg.Add(1)
	go func() { defer s.wg.Done(); s.https.Serve(s.lnHTTPS) }()
	if s.opt.OpsAddr != "" {
		host, _, err := net.SplitHostPort(s.opt.OpsAddr)
		if err != nil {
			s.https.Close()
			return fmt.Errorf("central: ops address %q: %w", s.opt.OpsAddr, err)
		}
		if ip := net.ParseIP(host); !s.opt.OpsAnyAddr && (ip == nil || !ip.IsLoopback()) && host != "localhost" {
			s.https.Close()
			return fmt.Errorf("central: ops console address %s is not loopback; the console has no login, so keep it on 127.0.0.1", s.opt.OpsAddr)
		}
		oln, err := net.Listen("tcp", s.opt.OpsAddr)
		if err != nil {
			s.https.Close()
			return fmt.Errorf("central: listen on %s: %w", s.opt.OpsAddr, err)
		}
		s.lnOps = oln
		s.OpsURL = "http://" + oln.Addr().String() + "/ops/"
		s.ops = &http.Server{Handler: s.opsConsole(), ReadHeaderTimeout: 10 * time.Second}
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.ops.Serve(oln) }()
	}
	return nil
}

// Close stops the listeners and closes the store. It may be called more
// than once (a test's cleanup after an explicit Close, say); later calls
// wait for the first and return its result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		close(s.done)
		s.https.Shutdown(ctx)
		if s.ops != nil {
			s.ops.Shutdown(ctx)
		}
		s.wg.Wait()
		s.closeErr = s.Store.Close()
	})
	return s.closeErr
}

// ClientTLS is a TLS config for a dev client (kiosk-001…, ops).
func (s *Server) ClientTLS(cn string) (*tls.Config, error) { return s.PKI.ClientTLS(cn) }

func loadOrCreateSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		if st, _ := os.Stat(path); st.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("central: %s has mode %v; chmod 600 it", path, st.Mode().Perm())
		}
		k, err := hex.DecodeString(string(b))
		if err != nil || len(k) != 32 {
			return nil, fmt.Errorf("central: %s is not a 32-byte hex key; delete it only if no records depend on it", path)
		}
		return k, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("central: read %s: %w", path, err)
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(k)), 0o600); err != nil {
		return nil, fmt.Errorf("central: write %s: %w", path, err)
	}
	return k, nil
}

// slot names a person's row without revealing the ID number.
func (s *Server) slot(id string) string {
	m := hmac.New(sha256.New, s.indexKey)
	m.Write([]byte("person|" + id))
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Server) token(n int) string {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.rnd, b); err != nil {
		panic(fmt.Sprintf("central: randomness failed: %v", err))
	}
	return hex.EncodeToString(b)
}

// kick wakes long-polls of one kiosk.
func (s *Server) kick(kiosk string) {
	s.mu.Lock()
	if ch, ok := s.watch[kiosk]; ok {
		close(ch)
		delete(s.watch, kiosk)
	}
	s.mu.Unlock()
}

func (s *Server) watchCh(kiosk string) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.watch[kiosk]
	if !ok {
		ch = make(chan struct{})
		s.watch[kiosk] = ch
	}
	return ch
}
