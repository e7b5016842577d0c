package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"github.com/absher-kiosk/kiosk/kiosk/text"
)

// Layer is which set of characters the text keyboard shows. It is a
// display state of the screen, like the text size: it holds nothing of
// what was typed.
type Layer int

const (
	LayerLower Layer = iota
	LayerUpper
	LayerSymbols
)

// Rows of each layer, in keyboard order. Absher passwords are Latin, so
// the letters are Latin in both languages; the digits row is always there.
var keyRows = map[Layer][]string{
	LayerLower:   {"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"},
	LayerUpper:   {"1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM"},
	LayerSymbols: {"1234567890", "!@#$%^&*()", "-_=+[]{}<>", `;:'",.?/~`},
}

// Keyboard is the on-screen text keyboard for the password:
//
//	1 2 3 4 5 6 7 8 9 0
//	q w e r t y u i o p
//	 a s d f g h j k l
//	  z x c v b n m
//	⇧  #+=  ⌫  ✓
//
// Like the keypad it is never mirrored: a keyboard's order is the same in
// every language. Every key is a Button, so none is under MinTouch. Typing
// a letter on the shift layer goes back to small letters, as phones do.
func Keyboard(lang string, layer Layer, textSize float32, label func(id string) string, send func(Event), setLayer func(Layer)) *fyne.Container {
	dir := dirOf(lang)
	rows := container.NewVBox()
	for _, row := range keyRows[layer] {
		keys := make([]fyne.CanvasObject, 0, len(row))
		for _, r := range row {
			keys = append(keys, textKey(r, layer, textSize, send, setLayer))
		}
		rows.Add(container.NewGridWithColumns(len(keys), keys...))
	}
	shift := NewButton(label("kb_shift"), dir, theme.MoveUpIcon(), func() {
		if layer == LayerUpper {
			setLayer(LayerLower)
		} else {
			setLayer(LayerUpper)
		}
	})
	shift.Selected = layer == LayerUpper
	symID := "kb_symbols"
	if layer == LayerSymbols {
		symID = "kb_letters"
	}
	sym := NewButton(label(symID), dir, nil, func() {
		if layer == LayerSymbols {
			setLayer(LayerLower)
		} else {
			setLayer(LayerSymbols)
		}
	})
	del := NewButton(label("keypad_delete"), dir, backspaceIcon, func() { send(Event{Kind: EvDelete}) })
	ok := NewButton(label("keypad_ok"), dir, theme.ConfirmIcon(), func() { send(Event{Kind: EvConfirm}) })
	ok.Primary = true
	for _, b := range []*Button{shift, sym, del, ok} {
		b.Label.TextSize = textSize * 0.75
	}
	rows.Add(container.NewGridWithColumns(4, shift, sym, del, ok))
	return rows
}

func textKey(r rune, layer Layer, size float32, send func(Event), setLayer func(Layer)) *Button {
	b := NewButton(string(r), text.LTR, nil, func() {
		send(Event{Kind: EvKey, Key: r})
		if layer == LayerUpper && r >= 'A' && r <= 'Z' {
			setLayer(LayerLower)
		}
	})
	b.Label.TextSize = size
	return b
}

// passwordRune says whether a typed character can be part of a password:
// printable ASCII without the space, the characters of Absher passwords.
func passwordRune(r rune) bool { return r > ' ' && r < 0x7f }
