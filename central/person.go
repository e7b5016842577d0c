package central

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/absher-kiosk/kiosk/central/civil"
	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/central/rules"
	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// GrantTTL is how long a confirmed mobile change may wait in a kiosk's
// outbox before it is delivered.
const GrantTTL = 7 * 24 * time.Hour

// day writes a recorded date for the wire; a missing one is "".
func day(d civil.Date) string { return d.String() }

// today is the date in Riyadh on the centre's clock: between midnight and
// 03:00 local time UTC still shows yesterday, and the rules are about the
// kiosk's day.
func (s *Server) today() civil.Date { return civil.Of(s.now()) }

func (s *Server) profile(w http.ResponseWriter, r *http.Request, _ *session, p people.Person) {
	out := api.Profile{IDNumber: p.ID, Kind: string(p.Kind), NameAR: p.NameAR, NameEN: p.NameEN, BirthDate: day(p.BirthDate),
		Nationality: p.Nationality, AbsherActive: p.AbsherActive, Dependents: len(p.DependentIDs), AsOf: s.now()}
	if p.Mobile != "" {
		out.MobileMasked = pii.Mask(p.Mobile)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) verifyCode(personID, docID string) string {
	m := hmac.New(sha256.New, s.indexKey)
	m.Write([]byte("document|" + personID + "|" + docID))
	return strings.ToUpper(hex.EncodeToString(m.Sum(nil))[:12])
}

func (s *Server) documents(w http.ResponseWriter, r *http.Request, _ *session, p people.Person) {
	base := s.opt.VerifyURL
	if base == "" {
		base = s.URL + "/verify/"
	}
	list := api.DocumentList{Documents: []api.Document{}}
	for _, d := range rules.Printable(p, s.today()) {
		kind, number, _ := strings.Cut(d, ":")
		doc := api.Document{ID: d, IssuedAt: s.now(), Lines: []api.DocumentLine{
			{LabelAR: "الاسم", LabelEN: "Name", Value: p.NameEN},
			{LabelAR: "رقم الهوية", LabelEN: "ID number", Value: p.ID},
		}}
		switch kind {
		case "exit_reentry_visa", "final_exit_visa":
			doc.Kind = api.DocExitReentryVisa
			doc.TitleAR, doc.TitleEN = "تأشيرة خروج وعودة", "Exit/re-entry visa"
			if kind == "final_exit_visa" {
				doc.Kind = api.DocFinalExitVisa
				doc.TitleAR, doc.TitleEN = "تأشيرة خروج نهائي", "Final exit visa"
			}
			for _, v := range p.Visas {
				if v.Number == number {
					doc.Lines = append(doc.Lines,
						api.DocumentLine{LabelAR: "رقم التأشيرة", LabelEN: "Visa number", Value: v.Number},
						api.DocumentLine{LabelAR: "تاريخ الإصدار", LabelEN: "Issued", Value: day(v.Issued)},
						api.DocumentLine{LabelAR: "تاريخ الانتهاء", LabelEN: "Expires", Value: day(v.Expiry)})
				}
			}
		case "residence_card":
			doc.Kind = api.DocResidenceSummary
			doc.TitleAR, doc.TitleEN = "ملخص هوية مقيم رقمية", "Digital residence card summary"
			doc.Lines = append(doc.Lines,
				api.DocumentLine{LabelAR: "الجنسية", LabelEN: "Nationality", Value: p.Nationality},
				api.DocumentLine{LabelAR: "تاريخ الميلاد", LabelEN: "Birth date", Value: day(p.BirthDate)})
		case "traffic_violations":
			doc.Kind = api.DocTrafficStatement
			doc.TitleAR, doc.TitleEN = "بيان المخالفات المرورية", "Traffic violation statement"
			for _, f := range p.Fines {
				paid := "unpaid"
				if f.Paid {
					paid = "paid"
				}
				doc.Lines = append(doc.Lines, api.DocumentLine{LabelAR: f.Number, LabelEN: f.Violation, Value: fmt.Sprintf("%s %d SAR %s", day(f.Date), f.AmountSAR, paid)})
			}
		default:
			doc.Kind = kind
			doc.TitleEN = kind
			doc.TitleAR = kind
		}
		doc.VerifyCode = s.verifyCode(p.ID, d)
		doc.VerifyURL = base + doc.VerifyCode
		s.mu.Lock()
		s.issued[doc.VerifyCode] = issuedDoc{titleEN: doc.TitleEN, titleAR: doc.TitleAR, idMasked: pii.Mask(p.ID), at: doc.IssuedAt}
		s.mu.Unlock()
		list.Documents = append(list.Documents, doc)
	}
	writeJSON(w, http.StatusOK, list)
}

func (s *Server) dependents(w http.ResponseWriter, r *http.Request, _ *session, p people.Person) {
	out := api.DependentList{Dependents: []api.Dependent{}}
	add := func(id, rel string) {
		if d, ok := s.person(id); ok {
			out.Dependents = append(out.Dependents, api.Dependent{IDNumber: d.ID, Kind: string(d.Kind), NameAR: d.NameAR, NameEN: d.NameEN, Relation: rel})
		}
	}
	for _, id := range p.DependentIDs {
		add(id, "dependent")
	}
	s.mu.Lock()
	var visitors []string
	for id, q := range s.persons {
		if q.HostID == p.ID && q.Kind == people.Visitor {
			visitors = append(visitors, id)
		}
	}
	s.mu.Unlock()
	for _, id := range visitors {
		add(id, "visitor")
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) visas(w http.ResponseWriter, r *http.Request, _ *session, p people.Person) {
	out := api.VisaList{Visas: []api.Visa{}}
	for _, v := range p.Visas {
		out.Visas = append(out.Visas, api.Visa{Number: v.Number, Kind: string(v.Kind), Status: string(v.Status), Issued: day(v.Issued), Expiry: day(v.Expiry)})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) passport(w http.ResponseWriter, r *http.Request, _ *session, p people.Person) {
	if p.Passport == nil {
		fail(w, http.StatusNotFound, api.CodeNotFound, "no passport is recorded")
		return
	}
	pp := p.Passport
	writeJSON(w, http.StatusOK, api.Passport{Number: pp.Number, Issued: day(pp.Issued), Expiry: day(pp.Expiry), Lost: pp.Lost, Valid: !pp.Lost && pp.Expiry.After(s.today())})
}

func (s *Server) fines(w http.ResponseWriter, r *http.Request, _ *session, p people.Person) {
	out := api.FineList{Fines: []api.Fine{}}
	for _, f := range p.Fines {
		out.Fines = append(out.Fines, api.Fine{Number: f.Number, Code: f.Code, Violation: f.Violation, AmountSAR: f.AmountSAR, Date: day(f.Date), Paid: f.Paid})
		if !f.Paid {
			out.UnpaidSAR += f.AmountSAR
			out.UnpaidCount++
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) insurance(w http.ResponseWriter, r *http.Request, _ *session, p people.Person) {
	if p.Insurance == nil {
		fail(w, http.StatusNotFound, api.CodeNotFound, "no medical insurance is recorded")
		return
	}
	i := p.Insurance
	t := s.today()
	writeJSON(w, http.StatusOK, api.Insurance{Provider: i.Provider, Policy: i.Policy, Start: day(i.Start), End: day(i.End), Active: !i.Start.After(t) && !i.End.Before(t)})
}

func (s *Server) eligibility(w http.ResponseWriter, r *http.Request, _ *session, p people.Person) {
	req, ok := decodeBody[api.EligibilityRequest](w, r)
	if !ok {
		return
	}
	service, known := api.ParseServiceID(r.PathValue("service"))
	if !known {
		fail(w, http.StatusNotFound, api.CodeUnknownService, fmt.Sprintf("no service %q: want one of %v", r.PathValue("service"), domain.Services()))
		return
	}
	in := rules.Input{Today: s.today(), Applicant: p, Subject: p, Options: req.Options}
	if req.SubjectID != "" && req.SubjectID != p.ID {
		sub, ok := s.subjectOf(w, p, req.SubjectID)
		if !ok {
			return
		}
		in.Subject = sub
	}
	ans, err := rules.Check(service, in)
	var oe *rules.OptionError
	switch {
	case errors.Is(err, rules.ErrUnknownService):
		fail(w, http.StatusNotFound, api.CodeUnknownService, err.Error())
		return
	case errors.As(err, &oe):
		fail(w, http.StatusBadRequest, api.CodeBadRequest, err.Error())
		return
	case err != nil:
		fail(w, http.StatusInternalServerError, api.CodeInternal, "eligibility could not be decided")
		return
	}
	if ans.Reasons == nil {
		ans.Reasons = []string{}
	}
	writeJSON(w, http.StatusOK, api.Eligibility{Service: service, Eligible: ans.Eligible, Reasons: ans.Reasons, FeeSAR: ans.FeeSAR, Details: ans.Details})
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// mobileChallenge is a started change of mobile number.
type mobileChallenge struct {
	id, kiosk, personID, mobile string
	sms                         smsState
}

func (s *Server) mobileCode(w http.ResponseWriter, r *http.Request, se *session, p people.Person) {
	req, ok := decodeBody[api.MobileChangeRequest](w, r)
	if !ok {
		return
	}
	m, err := pii.NormaliseMobile(req.Mobile)
	if err != nil {
		fail(w, http.StatusUnprocessableEntity, api.CodeBadMobile, msgMobile)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// One challenge per session and number, so resending is the same call.
	key := se.kiosk + "|" + se.personID + "|" + m
	c, ok := s.mobiles[key]
	if !ok {
		c = &mobileChallenge{id: s.token(16), kiosk: se.kiosk, personID: se.personID, mobile: m}
		s.mobiles[key] = c
		s.mobiles[c.id] = c
	}
	if e := s.send(r.Context(), se.kiosk, &c.sms, m, "new mobile number"); e != nil {
		failWith(w, statusOf(e.Code), *e)
		return
	}
	writeJSON(w, http.StatusOK, api.MobileChallenge{ChallengeID: c.id, Mobile: m, SMS: s.challenge(&c.sms)})
}

type grant struct {
	Kiosk   string    `json:"k"`
	Person  string    `json:"p"`
	Mobile  string    `json:"m"`
	Expires time.Time `json:"e"`
}

// The grant is sealed so the kiosk carries it without being able to read
// or forge it, and the centre accepts it after a restart.
func (s *Server) sealGrant(g grant) (string, error) {
	b, _ := json.Marshal(g)
	kid, sealed, err := s.keys.Seal([]byte("mobile-grant"), b)
	if err != nil {
		return "", err
	}
	return kid + "." + base64.RawURLEncoding.EncodeToString(sealed), nil
}

func (s *Server) openGrant(t string) (grant, error) {
	var g grant
	kid, enc, ok := strings.Cut(t, ".")
	if !ok {
		return g, errors.New("grant is not in kid.sealed form")
	}
	sealed, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return g, fmt.Errorf("grant encoding: %w", err)
	}
	b, err := s.keys.Open(kid, []byte("mobile-grant"), sealed)
	if err != nil {
		return g, fmt.Errorf("grant does not open: %w", err)
	}
	if err := json.Unmarshal(b, &g); err != nil {
		return g, fmt.Errorf("grant content: %w", err)
	}
	return g, nil
}

func (s *Server) mobileConfirm(w http.ResponseWriter, r *http.Request, se *session, p people.Person) {
	req, ok := decodeBody[api.MobileConfirmRequest](w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	c, ok := s.mobiles[req.ChallengeID]
	if !ok || c.kiosk != se.kiosk || c.personID != se.personID {
		s.mu.Unlock()
		fail(w, http.StatusNotFound, api.CodeNotFound, "no such mobile change in this session; ask for a code first")
		return
	}
	e := s.checkCode(&c.sms, req.Code)
	s.mu.Unlock()
	if e != nil {
		failWith(w, statusOf(e.Code), *e)
		return
	}
	g := grant{Kiosk: se.kiosk, Person: se.personID, Mobile: c.mobile, Expires: s.now().Add(GrantTTL)}
	t, err := s.sealGrant(g)
	if err != nil {
		fail(w, http.StatusInternalServerError, api.CodeInternal, "the change could not be authorised; try again")
		return
	}
	writeJSON(w, http.StatusOK, api.MobileGrant{Grant: t, Mobile: c.mobile, ExpiresAt: g.Expires})
}

// issuedDoc is what the public verification page tells a reader of a
// printed QR code: the document is genuine, of which kind, for whom
// (masked) and when it was issued.
type issuedDoc struct {
	titleEN, titleAR, idMasked string
	at                         time.Time
}

// verifyPage answers the QR code of a printed document. It needs no client
// certificate: whoever holds the paper may check it.
func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	s.mu.Lock()
	d, ok := s.issued[code]
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, "Document %s is not known to this centre.\nالمستند غير معروف.\n", template.HTMLEscapeString(code))
		return
	}
	fmt.Fprintf(w, "Document %s is genuine.\n%s / %s\nFor ID %s, issued %s.\n", code, d.titleEN, d.titleAR, d.idMasked, d.at.UTC().Format("2006-01-02 15:04 UTC"))
}
