package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/kiosk/text"
)

// Keypad is the on-screen number pad in telephone order:
//
//	1 2 3
//	4 5 6
//	7 8 9
//	⌫ 0 ✓
//
// It is not mirrored in Arabic: digits keep the layout of every phone.
func Keypad(lang string, label func(id string) string, send func(Event)) *fyne.Container {
	dir := dirOf(lang)
	key := func(d rune) fyne.CanvasObject {
		b := NewButton(string(d), text.LTR, nil, func() { send(Event{Kind: EvKey, Key: d}) })
		b.Label.TextSize = sizeHuge
		return b
	}
	del := NewButton(label("keypad_delete"), dir, backspaceIcon, func() { send(Event{Kind: EvDelete}) })
	ok := NewButton(label("keypad_ok"), dir, theme.ConfirmIcon(), func() { send(Event{Kind: EvConfirm}) })
	ok.Primary = true
	return container.NewGridWithColumns(3,
		key('1'), key('2'), key('3'),
		key('4'), key('5'), key('6'),
		key('7'), key('8'), key('9'),
		del, key('0'), ok,
	)
}

// digit maps a typed rune to an ASCII digit: Western, Arabic-Indic and
// Extended Arabic-Indic digits are all accepted, as pii reads them.
func digit(r rune) (rune, bool) {
	d, ok := pii.Digit(r)
	return rune(d), ok
}

// backspaceIcon is the usual "erase left" key cap; themed so it follows
// the high-contrast colours.
var backspaceIcon = theme.NewThemedResource(fyne.NewStaticResource("backspace.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24"><path fill="#000000" d="M22 3H7c-.69 0-1.23.35-1.59.88L0 12l5.41 8.11c.36.53.9.89 1.59.89h15c1.1 0 2-.9 2-2V5c0-1.1-.9-2-2-2zm-3 12.59L17.59 17 14 13.41 10.41 17 9 15.59 12.59 12 9 8.41 10.41 7 14 10.59 17.59 7 19 8.41 15.41 12 19 15.59z"/></svg>`)))
