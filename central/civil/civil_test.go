package civil

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestOfTakesTheDayInRiyadh(t *testing.T) {
	cases := []struct {
		at   time.Time
		want string
	}{
		// 00:30 in Riyadh is still the day before in UTC.
		{time.Date(2026, 3, 9, 21, 30, 0, 0, time.UTC), "2026-03-10"},
		{time.Date(2026, 3, 10, 20, 30, 0, 0, time.UTC), "2026-03-10"}, // 23:30 in Riyadh
		{time.Date(2026, 3, 10, 21, 0, 0, 0, time.UTC), "2026-03-11"},  // midnight in Riyadh
		{time.Date(2026, 3, 10, 20, 59, 59, 0, time.UTC), "2026-03-10"},
		{time.Date(2028, 2, 28, 21, 30, 0, 0, time.UTC), "2028-02-29"},
		{time.Date(2026, 12, 31, 22, 0, 0, 0, time.UTC), "2027-01-01"},
		// The zone of the instant does not matter, only the instant.
		{time.Date(2026, 3, 10, 0, 30, 0, 0, time.FixedZone("UTC-10", -10*3600)), "2026-03-10"},
	}
	for _, c := range cases {
		if got := Of(c.at).String(); got != c.want {
			t.Errorf("Of(%s) = %s, want %s", c.at.Format(time.RFC3339), got, c.want)
		}
	}
	if Riyadh.String() != Zone {
		t.Errorf("Riyadh is %s, want %s", Riyadh, Zone)
	}
}

func TestAddMonthsClampsToMonthEnd(t *testing.T) {
	cases := []struct {
		from   string
		months int
		want   string
	}{
		{"2026-11-30", 3, "2027-02-28"},
		{"2027-11-30", 3, "2028-02-29"}, // leap year
		{"2027-11-29", 3, "2028-02-29"},
		{"2026-11-28", 3, "2027-02-28"},
		{"2026-12-01", 3, "2027-03-01"},
		{"2026-01-31", 1, "2026-02-28"},
		{"2026-03-31", 1, "2026-04-30"},
		{"2026-03-31", -1, "2026-02-28"},
		{"2026-05-31", -3, "2026-02-28"},
		{"2026-08-31", 6, "2027-02-28"},
		{"2026-10-15", 24, "2028-10-15"},
		{"2028-02-29", 60, "2033-02-28"}, // a licence renewed for 5 years
		{"2028-02-29", 48, "2032-02-29"},
		{"2026-01-15", 0, "2026-01-15"},
	}
	for _, c := range cases {
		if got := must(t, c.from).AddMonths(c.months).String(); got != c.want {
			t.Errorf("%s + %d months = %s, want %s", c.from, c.months, got, c.want)
		}
	}
	if got := must(t, "2028-02-29").AddYears(5).String(); got != "2033-02-28" {
		t.Errorf("2028-02-29 + 5 years = %s, want 2033-02-28", got)
	}
}

func TestAddDaysAndCompare(t *testing.T) {
	cases := []struct {
		from string
		n    int
		want string
	}{
		{"2028-02-28", 1, "2028-02-29"},
		{"2028-02-29", 1, "2028-03-01"},
		{"2027-02-28", 1, "2027-03-01"},
		{"2026-12-31", 1, "2027-01-01"},
		{"2026-03-01", -1, "2026-02-28"},
		{"2026-03-10", 90, "2026-06-08"},
	}
	for _, c := range cases {
		if got := must(t, c.from).AddDays(c.n).String(); got != c.want {
			t.Errorf("%s + %d days = %s, want %s", c.from, c.n, got, c.want)
		}
	}
	a, b := must(t, "2026-02-28"), must(t, "2026-03-01")
	if !a.Before(b) || a.After(b) || !b.After(a) || a.Compare(a) != 0 || b.Compare(a) != 1 || a.Compare(b) != -1 {
		t.Errorf("%s and %s compare wrongly", a, b)
	}
	if y := must(t, "2025-12-31"); !y.Before(must(t, "2026-01-01")) {
		t.Error("a year's last day is not before the next year's first")
	}
}

func TestParseAndText(t *testing.T) {
	if _, err := Parse("2026-02-30"); !errors.Is(err, ErrBadDate) {
		t.Errorf("Parse(2026-02-30) = %v, want ErrBadDate", err)
	}
	if _, err := Parse("10/03/2026"); !errors.Is(err, ErrBadDate) {
		t.Errorf("Parse(10/03/2026) = %v, want ErrBadDate", err)
	}
	if New(2026, 4, 31) != must(t, "2026-05-01") {
		t.Error("New does not normalise 31 April")
	}
	type rec struct {
		D Date `json:"d"`
	}
	b, err := json.Marshal(rec{must(t, "2028-02-29")})
	if err != nil || string(b) != `{"d":"2028-02-29"}` {
		t.Fatalf("marshal: %s %v", b, err)
	}
	if b, _ := json.Marshal(rec{}); string(b) != `{"d":""}` {
		t.Errorf("zero date marshals as %s", b)
	}
	for in, want := range map[string]string{
		`{"d":"2028-02-29"}`:                "2028-02-29",
		`{"d":""}`:                          "",
		`{"d":"0001-01-01T00:00:00Z"}`:      "",
		`{"d":"2026-03-01T00:00:00Z"}`:      "2026-03-01", // written as midnight UTC
		`{"d":"2026-02-28T21:00:00Z"}`:      "2026-03-01", // written as midnight in Riyadh
		`{"d":"2026-03-01T00:00:00+03:00"}`: "2026-03-01",
	} {
		var r rec
		if err := json.Unmarshal([]byte(in), &r); err != nil || r.D.String() != want {
			t.Errorf("unmarshal %s = %q %v, want %q", in, r.D, err, want)
		}
	}
	var r rec
	if err := json.Unmarshal([]byte(`{"d":"tomorrow"}`), &r); !errors.Is(err, ErrBadDate) {
		t.Errorf("unmarshal of a word: %v, want ErrBadDate", err)
	}
}

func must(t *testing.T, s string) Date {
	t.Helper()
	d, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
