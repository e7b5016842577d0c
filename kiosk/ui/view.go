// Package ui draws the kiosk's touch screens with Fyne. Screens are pure
// functions of the current View, the translation catalogue and the display
// settings; every user action goes back to the step machine as an Event.
// All text reaches the screen through BidiLabel, so Arabic reads right to
// left with digits and Latin words in their place.
package ui

import "github.com/absher-kiosk/kiosk/kiosk/domain"

// Screen names the screen to draw: coarser than the flow's steps (several
// steps share one screen), derived from them in the program's adapter.
type Screen string

const (
	ScreenAttract  Screen = "attract"
	ScreenLanguage Screen = "language"
	ScreenID       Screen = "id"
	ScreenMenu     Screen = "menu"
	ScreenFinger   Screen = "finger"
	ScreenMobile   Screen = "mobile"
	ScreenCode     Screen = "code"
	ScreenResult   Screen = "result"
	ScreenReceipt  Screen = "receipt"
	ScreenThanks   Screen = "thanks"
	ScreenError    Screen = "error"
	ScreenPassword Screen = "password" // the fallback: Absher password on a text keyboard
)

// View is everything a screen needs to draw itself. It carries codes, not
// sentences: the screen looks each code up in the user's language.
type View struct {
	Screen Screen
	Lang   string // "ar" or "en"

	Entry  string // digits typed so far on a keypad step
	Places int    // places the entry line draws before anything is typed; longer input grows the line

	Services []domain.ServiceID // offered on the menu, message ServiceID.MessageKey
	Finger   string             // finger to use: "right_index" or "left_index"
	Scanning bool               // a capture is in progress

	TriesLeft   int    // attempts left on the current step, 0 when not limited
	Quality     string // fingerprint quality hint code, message "quality_<code>"
	Problem     string // what went wrong, message "problem_<code>"; shown on any step
	MobileLast4 string // last four digits of the number a code was sent to
	ResendIn    int    // seconds before a new SMS code may be asked for

	Done      bool   // the centre acknowledged the request
	Reference string // the outbox reference when it has not yet

	IdleWarning bool // the session is about to end for inactivity
	IdleLeft    int  // seconds left before it does

	Documents []Document // Print a document: the list to choose from
	Printing  Document   // Print a document: the one being printed

	Catalogue *Catalogue // the catalogue services' steps and results

	Busy        bool // waiting on the centre: the screen says so instead of freezing
	CanFallback bool // the fingerprint screen offers "use password instead"
	CanReveal   bool // the machine can show the typed password on request
	Revealed    bool // Entry holds the password itself, at the user's request
}

// EventKind says what the user did.
type EventKind int

const (
	EvTouch    EventKind = iota + 1 // touched the attract screen
	EvLanguage                      // chose a language (Value)
	EvKey                           // typed a digit (Key)
	EvDelete                        // removed the last digit
	EvConfirm                       // confirmed the entry or the step
	EvService                       // chose a service (Value)
	EvBack                          // went back a step
	EvCancel                        // abandoned the session
	EvMoreTime                      // asked for more time on the idle warning
	EvResend                        // asked for a new SMS code
	EvReceipt                       // answered the receipt offer (Value "yes" or "no")
	EvFinish                        // left the thank-you or error screen
	EvDocument                      // chose a document to print (Value: its ID)
	EvSubject                       // chose whom a service is for (Value: list index)
	EvOption                        // chose an option (Value: "name=value")
	EvExisting                      // an issued exit/re-entry visa: Value "print" or "cancel"
	EvFallback                      // chose the password and SMS code instead of a fingerprint
	EvReveal                        // toggled showing the typed password
)

// Event is one user action.
type Event struct {
	Kind  EventKind
	Key   rune   // an ASCII digit for EvKey; any printable ASCII character on the password step
	Value string // language, service or answer
}

// Machine is the step machine the screens follow. The flow package's
// machine satisfies it through a small adapter in the program's wiring.
type Machine interface {
	View() View
	Send(Event)
	Subscribe(func(View))
}
