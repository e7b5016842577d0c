// Package text is the kiosk's right-to-left text engine. It splits text into
// directional runs with the Unicode Bidirectional Algorithm, wraps by words
// before reordering, and renders lines for paper. It has no UI dependency so
// that the screens and the printed receipts lay text out the same way.
package text

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/bidi"
)

// Direction is the writing direction of a paragraph or of a run.
type Direction int

const (
	// Auto takes the paragraph direction from its first strong character
	// (rules P2 and P3), left to right when there is none.
	Auto Direction = iota
	LTR
	RTL
)

func (d Direction) String() string {
	switch d {
	case LTR:
		return "LTR"
	case RTL:
		return "RTL"
	default:
		return "Auto"
	}
}

// Run is a stretch of text in one direction. Text is in logical (reading)
// order; a shaper given Dir lays it out itself.
type Run struct {
	Text string
	Dir  Direction
}

// lrm is a strong left-to-right mark. The x/text bidi package treats a
// left-to-right default as "detect", so a forced LTR paragraph is obtained
// by putting a strong L first and dropping it afterwards.
const lrm = '\u200E'

// Resolve turns Auto into the direction of s's first strong character.
func Resolve(s string, base Direction) Direction {
	if base != Auto {
		return base
	}
	for _, r := range s {
		p, _ := bidi.LookupRune(r)
		switch p.Class() {
		case bidi.L:
			return LTR
		case bidi.R, bidi.AL:
			return RTL
		}
	}
	return LTR
}

// Runs splits one line of text into directional runs and returns them in
// visual order, left to right as they appear on a screen or paper. Invalid
// UTF-8 is replaced with U+FFFD; line breaks are treated as spaces, since
// a caller lays out lines (see Wrap) before asking for runs.
func Runs(s string, base Direction) []Run {
	s = clean(s)
	if s == "" {
		return nil
	}
	base = Resolve(s, base)
	return visual(leveled(logicalRuns(s, base), base))
}

// levelRun is a run with its resolved embedding level (0..2 here, since
// the kiosk never emits explicit embeddings).
type levelRun struct {
	Run
	level int
}

// leveled assigns levels to the logical runs. The bidi package reports
// only the direction of each run, which is not enough in a left-to-right
// paragraph: a number that follows right-to-left letters keeps its European
// number type (rule W7 does not turn it into L) and sits at level 2, inside
// the right-to-left stretch, not at level 0 beside it.
func leveled(runs []Run, base Direction) []levelRun {
	out := make([]levelRun, 0, len(runs))
	if base == RTL {
		for _, r := range runs {
			l := 1
			if r.Dir == LTR {
				l = 2
			}
			out = append(out, levelRun{r, l})
		}
		return out
	}
	prevStrong := LTR // sos of a left-to-right paragraph
	for _, r := range runs {
		if r.Dir == RTL {
			out = append(out, levelRun{r, 1})
			prevStrong = RTL
			continue
		}
		rs := []rune(r.Text)
		start := 0
		for i := 0; i < len(rs); {
			c := class(rs[i])
			if c == bidi.L {
				prevStrong = LTR
				i++
				continue
			}
			if c == bidi.R || c == bidi.AL {
				prevStrong = RTL
				i++
				continue
			}
			if c != bidi.EN && c != bidi.AN {
				i++
				continue
			}
			// A number: digits joined by single separators and terminators.
			j := i + 1
			hasAN := c == bidi.AN
			for j < len(rs) {
				cj := class(rs[j])
				if cj == bidi.EN || cj == bidi.AN || cj == bidi.ET || cj == bidi.NSM {
					hasAN = hasAN || cj == bidi.AN
					j++
					continue
				}
				if (cj == bidi.CS || cj == bidi.ES) && j+1 < len(rs) {
					if n := class(rs[j+1]); n == bidi.EN || n == bidi.AN {
						j++
						continue
					}
				}
				break
			}
			if prevStrong == RTL || hasAN {
				if i > start {
					out = append(out, levelRun{Run{string(rs[start:i]), LTR}, 0})
				}
				out = append(out, levelRun{Run{string(rs[i:j]), LTR}, 2})
				start = j
			}
			i = j
		}
		if start < len(rs) {
			out = append(out, levelRun{Run{string(rs[start:]), LTR}, 0})
		}
	}
	return out
}

// visual applies rule L2: from the highest level down to the lowest odd
// level, reverse every maximal sequence of runs at that level or higher.
func visual(runs []levelRun) []Run {
	maxL, minOdd := 0, 3
	for _, r := range runs {
		maxL = max(maxL, r.level)
		if r.level%2 == 1 {
			minOdd = min(minOdd, r.level)
		}
	}
	for l := maxL; l >= minOdd && l >= 1; l-- {
		for i := 0; i < len(runs); {
			if runs[i].level < l {
				i++
				continue
			}
			j := i
			for j < len(runs) && runs[j].level >= l {
				j++
			}
			for a, b := i, j-1; a < b; a, b = a+1, b-1 {
				runs[a], runs[b] = runs[b], runs[a]
			}
			i = j
		}
	}
	out := make([]Run, len(runs))
	for i, r := range runs {
		out[i] = r.Run
	}
	return out
}

func class(r rune) bidi.Class {
	p, _ := bidi.LookupRune(r)
	return p.Class()
}

// LogicalRuns returns the runs of s in reading order, as the bidi package
// computes them; Runs is this list in visual order.
func LogicalRuns(s string, base Direction) []Run {
	s = clean(s)
	if s == "" {
		return nil
	}
	return logicalRuns(s, Resolve(s, base))
}

func logicalRuns(s string, base Direction) []Run {
	var p bidi.Paragraph
	in := s
	var opts []bidi.Option
	if base == RTL {
		opts = append(opts, bidi.DefaultDirection(bidi.RightToLeft))
	} else {
		in = string(lrm) + s
	}
	if _, err := p.SetString(in, opts...); err != nil {
		return []Run{{Text: s, Dir: base}}
	}
	o, err := p.Order()
	if err != nil || o.NumRuns() == 0 {
		// The algorithm refuses only malformed option sets; the text is
		// still drawable as one run in the paragraph direction.
		return []Run{{Text: s, Dir: base}}
	}
	runs := make([]Run, 0, o.NumRuns())
	for i := 0; i < o.NumRuns(); i++ {
		r := o.Run(i)
		t := r.String()
		if i == 0 && base != RTL {
			t = strings.TrimPrefix(t, string(lrm))
		}
		if t == "" {
			continue
		}
		d := LTR
		if r.Direction() == bidi.RightToLeft {
			d = RTL
		}
		if n := len(runs); n > 0 && runs[n-1].Dir == d {
			runs[n-1].Text += t
			continue
		}
		runs = append(runs, Run{Text: t, Dir: d})
	}
	return runs
}

// clean makes s safe for the bidi tables: valid UTF-8, one line.
func clean(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.ContainsAny(s, "\r\n\u2029\u0085\u001c\u001d\u001e") {
		s = strings.Map(func(r rune) rune {
			switch r {
			case '\r', '\n', '\u2029', '\u0085', '\u001c', '\u001d', '\u001e':
				return ' '
			}
			return r
		}, s)
	}
	return s
}
