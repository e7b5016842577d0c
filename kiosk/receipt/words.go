package receipt

// wording is the fixed text of receipts in one language. It is kept apart
// from the screen catalogue so that a printed layout, checked dot for dot,
// does not change when a screen message is reworded.
type wording struct {
	kiosk, received, done, doneAny, scan, mobile string
	idNumber, newMobile, reference, date, issued string
	verifyCode                                   string
	service                                      map[string]string
}

var words = map[string]wording{
	"ar": {
		kiosk:      "خدمات أبشر الذاتية",
		received:   "تم استلام الطلب وسيُرسل إلى المركز عند توفر الاتصال.",
		done:       "تم تحديث رقم الجوال بنجاح.",
		doneAny:    "تم تنفيذ الطلب بنجاح.",
		mobile:     "رقم الجوال",
		scan:       "للتحقق من هذا المستند امسح الرمز:",
		idNumber:   "رقم الهوية",
		newMobile:  "رقم الجوال الجديد",
		reference:  "رقم المرجع",
		date:       "التاريخ والوقت",
		issued:     "تاريخ الطباعة",
		verifyCode: "رمز التحقق",
		service: map[string]string{
			"update_mobile":  "تحديث رقم الجوال",
			"print_document": "طباعة مستند",
		},
	},
	"en": {
		kiosk:      "Absher self-service",
		received:   "Request received; it will be sent to the centre when the link is back.",
		done:       "Your mobile number has been updated.",
		doneAny:    "Your request has been completed.",
		mobile:     "Mobile number",
		scan:       "To check this paper, scan the code:",
		idNumber:   "ID number",
		newMobile:  "New mobile number",
		reference:  "Reference",
		date:       "Date and time",
		issued:     "Printed",
		verifyCode: "Verification code",
		service: map[string]string{
			"update_mobile":  "Update mobile number",
			"print_document": "Print a document",
		},
	},
}
