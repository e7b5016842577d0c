package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/absher-kiosk/kiosk/assets"
)

// Settings are the user's display choices; they survive screen changes
// within a session and reset with it.
type Settings struct {
	LargeText    bool
	HighContrast bool
}

// MinTouch is the smallest side of anything the user can tap, in pixels
// of the 1080×1920 reference screen.
const MinTouch = 88

// Text sizes of the reference screen.
const (
	sizeBody  = 30
	sizeTitle = 44
	sizeHuge  = 64
	largeK    = 1.35 // large-text mode scales every size by this
)

// fonts are the embedded Noto faces as Fyne resources, so that screens
// look the same on every kiosk and in golden tests.
var fonts = func() (f struct{ latin, latinBold, arabic, arabicBold fyne.Resource }) {
	load := func(name string) fyne.Resource {
		b, err := assets.Font(name)
		if err != nil {
			panic(err) // the binary was built without its fonts
		}
		return fyne.NewStaticResource(name, b)
	}
	f.latin = load(assets.LatinRegular)
	f.latinBold = load(assets.LatinBold)
	f.arabic = load(assets.ArabicRegular)
	f.arabicBold = load(assets.ArabicBold)
	return f
}()

// kioskTheme is a light theme with a high-contrast (white on black)
// variant. It never varies with the host's dark-mode setting: a kiosk in
// a mall must look the same all day.
type kioskTheme struct{ s Settings }

// NewTheme returns the theme for s.
func NewTheme(s Settings) fyne.Theme { return kioskTheme{s} }

var (
	green     = color.NRGBA{0x00, 0x6c, 0x35, 0xff}
	darkGreen = color.NRGBA{0x00, 0x4d, 0x26, 0xff}
	paleGreen = color.NRGBA{0xe6, 0xf2, 0xeb, 0xff}
	ink       = color.NRGBA{0x1a, 0x1a, 0x1a, 0xff}
	red       = color.NRGBA{0xb0, 0x00, 0x20, 0xff}
	amber     = color.NRGBA{0x8a, 0x5a, 0x00, 0xff}
	yellow    = color.NRGBA{0xff, 0xeb, 0x3b, 0xff}
)

func (t kioskTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	if t.s.HighContrast {
		switch n {
		case theme.ColorNameBackground, theme.ColorNameInputBackground, theme.ColorNameOverlayBackground, theme.ColorNameMenuBackground:
			return color.Black
		case theme.ColorNameButton:
			return color.Black
		case theme.ColorNamePrimary, theme.ColorNameFocus, theme.ColorNameHyperlink:
			return yellow
		case theme.ColorNameForegroundOnPrimary:
			return color.Black
		case theme.ColorNameError, theme.ColorNameWarning, theme.ColorNameSuccess:
			return yellow
		case theme.ColorNameSeparator, theme.ColorNameInputBorder:
			return color.White
		default:
			return color.White
		}
	}
	switch n {
	case theme.ColorNameBackground, theme.ColorNameInputBackground, theme.ColorNameOverlayBackground, theme.ColorNameMenuBackground:
		return color.White
	case theme.ColorNameButton:
		return paleGreen
	case theme.ColorNamePrimary, theme.ColorNameFocus, theme.ColorNameHyperlink:
		return green
	case theme.ColorNameForegroundOnPrimary:
		return color.White
	case theme.ColorNameError:
		return red
	case theme.ColorNameWarning:
		return amber
	case theme.ColorNameSuccess:
		return darkGreen
	case theme.ColorNameSeparator, theme.ColorNameInputBorder:
		return darkGreen
	case theme.ColorNameDisabled, theme.ColorNamePlaceHolder:
		return color.NRGBA{0x55, 0x55, 0x55, 0xff}
	default:
		return ink
	}
}

func (t kioskTheme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Bold {
		return fonts.latinBold
	}
	return fonts.latin
}

func (t kioskTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (t kioskTheme) Size(n fyne.ThemeSizeName) float32 {
	k := float32(1)
	if t.s.LargeText {
		k = largeK
	}
	switch n {
	case theme.SizeNameText:
		return sizeBody * k
	case theme.SizeNameHeadingText:
		return sizeTitle * k
	case theme.SizeNamePadding:
		return 12
	case theme.SizeNameInnerPadding:
		return 16
	case theme.SizeNameInlineIcon:
		return 48
	}
	return theme.DefaultTheme().Size(n)
}

// textSize returns a named size scaled for the settings.
func (s Settings) textSize(base float32) float32 {
	if s.LargeText {
		return base * largeK
	}
	return base
}
