// Package pii owns the personal numbers the kiosk handles: the national ID
// or Iqama number and the Saudi mobile number. It reads them as people type
// them, checks them, and decides how they look wherever they are not needed
// in full. Every other package (the flow, the centre, the receipts, the
// logs, the outbox, the maintenance console) uses these rules rather than
// its own, so that a number cannot be hidden in one place and printed whole
// in another. It imports only the standard library.
//
// # Reading
//
// [ParseID] and [NormaliseMobile] fold the three digit sets keypads and
// paste produce (ASCII, Arabic-Indic and Extended Arabic-Indic) to ASCII and
// drop the separators people type (spaces, no-break spaces, tabs, dashes).
// They refuse with an [*Error] whose Code is one of the stable reason codes
// ([Empty], [NotDigits], …): the kiosk's screens key their messages on those
// codes and the centre maps them onto its API error codes.
//
// # Masking a known number: [Mask]
//
// A number known to be personal keeps its last four digits, folded to ASCII,
// and every other character becomes '*' ("******4567"). A value of eight
// characters or fewer keeps nothing, because four of eight would give away
// half of it. The mask keeps the length of its input so that screens and
// receipts line up the same way whatever the number.
//
// # Scrubbing free text: [Scrub]
//
// Text the kiosk did not write itself (reasons and messages from the centre,
// error strings, log lines, console text, document lines for paper) may
// quote a person's number in any form. Scrub finds every number in the text
// that has the shape of an ID or a mobile number and replaces it with its
// [Mask]. A number here is a run of digits, or several runs joined by one to
// three separators (space, no-break space, tab, dash), optionally led by
// '+', so "+966 55 123 4567", "00966551234567", "٠٥٥١٢٣٤٥٦٧" and
// "055-123-4567" are all found. Its shape is personal when its digits are
// ten starting with 1 or 2 (an ID or Iqama), or a mobile number in one of
// the forms [NormaliseMobile] accepts: 5XXXXXXXX, 05XXXXXXXX,
// 9665XXXXXXXX or 009665XXXXXXXX. A run of digits is never split, so a
// twenty-digit reference is not mistaken for two IDs.
//
// Why shapes and not "every long number": the same text goes to paper,
// where visa, fine and bill numbers, dates and amounts must stay readable,
// and to logs and the console, where no ID or mobile number may appear in
// full in any form. Masking by shape serves both; masking every run of five
// or seven digits made receipts unreadable and still let the spaced form
// "+966 55 123 4567" through. Two choices lean towards safety:
//   - the ID check digit is not required, because a mistyped ID is still
//     nine tenths of a person's number;
//   - a calendar date written YYYY-MM-DD that stands alone is kept whole and
//     never joined to a neighbour, so "2026-09-14 10" is not read as the
//     ID-shaped "2026091410" and logs keep their dates.
//
// Scrub is idempotent: a masked tail ("******4567") is never joined to the
// digits that follow it.
//
// # Values that mask themselves
//
// [ID] and [Mobile] hold a number that is on its way to the wire. Their
// String, Format and LogValue show only the mask; Reveal gives the digits
// to the code that must send them.
package pii
