package text

import "strings"

// Wrap breaks s into lines no wider than max, as measured by width, at
// spaces; a word wider than max on its own is broken between characters.
// It works on logical text, before any reordering, so that a line keeps
// the words that belong together in reading order. Explicit line breaks
// in s are kept.
func Wrap(s string, width func(string) float64, max float64) []string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var lines []string
	for _, para := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		lines = append(lines, wrapPara(para, width, max)...)
	}
	return lines
}

func wrapPara(s string, width func(string) float64, max float64) []string {
	words := strings.Fields(s)
	if len(words) == 0 {
		return []string{""}
	}
	var lines []string
	cur := ""
	for _, w := range words {
		if cur != "" && width(cur+" "+w) <= max {
			cur += " " + w
			continue
		}
		if cur != "" {
			lines = append(lines, cur)
			cur = ""
		}
		if width(w) <= max {
			cur = w
			continue
		}
		// A single word wider than the line: break it where it must.
		piece := ""
		for _, r := range w {
			if piece != "" && width(piece+string(r)) > max {
				lines = append(lines, piece)
				piece = ""
			}
			piece += string(r)
		}
		cur = piece
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}
