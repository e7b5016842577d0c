package api

import "github.com/absher-kiosk/kiosk/kiosk/domain"

// ParseServiceID reads a service name that came in from outside (a path,
// a request, a stored configuration): a domain.ServiceID, or one of the
// names the centre's rules gave two services before the one spelling
// (activate_account, lost_passport). Kiosks and tools of the previous
// release still send those, so the centre reads them for one more
// release; nothing writes them. It reports false for a name it does not
// know.
func ParseServiceID(name string) (domain.ServiceID, bool) {
	switch name {
	case "activate_account":
		return domain.ActivateAbsher, true
	case "lost_passport":
		return domain.ReportLostPassport, true
	}
	if id := domain.ServiceID(name); id.Known() {
		return id, true
	}
	return "", false
}
