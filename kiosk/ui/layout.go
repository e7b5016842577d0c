package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"

	"github.com/absher-kiosk/kiosk/kiosk/text"
)

// Row lays objects out side by side in reading order: left to right in
// English, right to left in Arabic. The first object is where the eye
// starts.
func Row(dir text.Direction, objs ...fyne.CanvasObject) *fyne.Container {
	return container.NewHBox(mirror(dir, objs)...)
}

// GridRow spreads objects over equal columns in reading order.
func GridRow(dir text.Direction, objs ...fyne.CanvasObject) *fyne.Container {
	return container.NewGridWithColumns(len(objs), mirror(dir, objs)...)
}

func mirror(dir text.Direction, objs []fyne.CanvasObject) []fyne.CanvasObject {
	out := make([]fyne.CanvasObject, len(objs))
	copy(out, objs)
	if dir == text.RTL {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out
}

// BackIcon and NextIcon point the way the reader's eye moves: "back" is
// to the right in Arabic.
func BackIcon(dir text.Direction) fyne.Resource {
	if dir == text.RTL {
		return theme.NavigateNextIcon()
	}
	return theme.NavigateBackIcon()
}

// NextIcon is the mirror of BackIcon.
func NextIcon(dir text.Direction) fyne.Resource {
	if dir == text.RTL {
		return theme.NavigateBackIcon()
	}
	return theme.NavigateNextIcon()
}

func spacer() fyne.CanvasObject { return layout.NewSpacer() }
