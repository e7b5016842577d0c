// Package domain is the kiosk's vocabulary: the names of the services, the
// codes of the problems a visit can meet, and the two ways a call to the
// centre can fail (a refusal with a stable code, or the centre being out
// of reach). Every layer speaks these words: the wire contract, the flow,
// the screens, the outbox, the logs and the centre's rules. So no layer
// translates one spelling of a service or a problem into another.
//
// It is a leaf: it imports only the standard library.
package domain
