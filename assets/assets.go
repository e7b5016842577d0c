// Package assets holds what the kiosk carries inside its binary: fonts and
// translation catalogues. Embedding them means a kiosk renders the same
// screens and receipts whatever fonts the host happens to have installed.
package assets

import (
	"embed"
	"fmt"
)

// Font file names inside Fonts. The Noto families are licensed under the
// SIL Open Font License 1.1 (fonts/OFL.txt).
const (
	LatinRegular  = "fonts/NotoSans-Regular.ttf"
	LatinBold     = "fonts/NotoSans-Bold.ttf"
	ArabicRegular = "fonts/NotoSansArabic-Regular.ttf"
	ArabicBold    = "fonts/NotoSansArabic-Bold.ttf"
)

// Fonts holds the embedded font files and their licence.
//
//go:embed fonts/*.ttf fonts/OFL.txt
var Fonts embed.FS

// Messages holds the translation catalogues, one TOML file per language,
// named active.<lang>.toml.
//
//go:embed i18n/*.toml
var Messages embed.FS

// Font returns the bytes of one embedded font file.
func Font(name string) ([]byte, error) {
	b, err := Fonts.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("embedded font %q is missing; rebuild with the assets/fonts folder intact: %w", name, err)
	}
	return b, nil
}
