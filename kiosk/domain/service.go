package domain

import "slices"

// ServiceID names a kiosk service. The one spelling is used on the wire
// (paths, events, eligibility), in the central configuration, in message
// keys (MessageKey) and by the centre's rules.
type ServiceID string

// The kiosk's services.
const (
	UpdateMobile       ServiceID = "update_mobile"
	PrintDocument      ServiceID = "print_document"
	ActivateAbsher     ServiceID = "activate_absher"
	VisaExtension      ServiceID = "visa_extension"
	ExitReentry        ServiceID = "exit_reentry"
	LicenceRenewal     ServiceID = "licence_renewal"
	ReportLostPassport ServiceID = "report_lost_passport"
)

// Services lists every service in menu order. It is a new slice on every
// call, so no caller can change another's list.
func Services() []ServiceID {
	return []ServiceID{UpdateMobile, PrintDocument, ActivateAbsher, VisaExtension, ExitReentry, LicenceRenewal, ReportLostPassport}
}

// Known reports whether s is one of Services.
func (s ServiceID) Known() bool { return slices.Contains(Services(), s) }

// MessageKey is the key of the service's name in the translations.
func (s ServiceID) MessageKey() string { return "service_" + string(s) }

// Delivery says how a service's request reaches the centre.
type Delivery int

const (
	// Online: the person waits for the centre's answer within the visit.
	Online Delivery = iota + 1
	// Queued: the request is written to the outbox and sent when the
	// centre answers; the person leaves with a reference.
	Queued
)

func (d Delivery) String() string {
	switch d {
	case Online:
		return "online"
	case Queued:
		return "queued"
	}
	return "no delivery"
}
