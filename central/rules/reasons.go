package rules

// Reason codes. They are stable: the kiosk maps them to text and the server
// returns them as they are. Answer.Reasons lists them in the order of
// reasonOrder, whatever order the checks ran in, so that two answers for the
// same facts are byte-for-byte equal.
const (
	ReasonNotCitizenOrResident     = "not_citizen_or_resident"
	ReasonNotYourDependent         = "not_your_dependent"
	ReasonNotYourVisitor           = "not_your_visitor"
	ReasonSubjectNotResident       = "subject_not_resident"
	ReasonOutsideKingdom           = "outside_kingdom"
	ReasonVisitorOutsideKingdom    = "visitor_outside_kingdom"
	ReasonAccountAlreadyActive     = "account_already_active"
	ReasonNoEnrolledFingerprints   = "no_enrolled_fingerprints"
	ReasonNoVisitVisa              = "no_visit_visa"
	ReasonTooEarlyToExtend         = "too_early_to_extend"
	ReasonVisaExpiredTooLong       = "visa_expired_too_long"
	ReasonNoPassport               = "no_passport"
	ReasonPassportReportedLost     = "passport_reported_lost"
	ReasonPassportAlreadyReported  = "passport_already_reported"
	ReasonPassportExpired          = "passport_expired"
	ReasonPassportUnder3Months     = "passport_validity_under_3_months"
	ReasonNoMedicalInsurance       = "no_medical_insurance"
	ReasonInsuranceDoesNotCover    = "insurance_does_not_cover_extension"
	ReasonNoDrivingLicence         = "no_driving_licence"
	ReasonUnpaidTrafficFines       = "unpaid_traffic_fines"
	ReasonExitReentryAlreadyIssued = "exit_reentry_already_issued"
	ReasonNoPrintableDocuments     = "no_printable_documents"
	ReasonFeeUnpaid                = "fee_unpaid"
)

// reasonOrder is the fixed order of Answer.Reasons: who may ask first, then
// where the subject is, then their records, and the fee last, because paying
// is the last thing a person should do once everything else is in order.
var reasonOrder = []string{
	ReasonNotCitizenOrResident,
	ReasonNotYourDependent,
	ReasonNotYourVisitor,
	ReasonSubjectNotResident,
	ReasonOutsideKingdom,
	ReasonVisitorOutsideKingdom,
	ReasonAccountAlreadyActive,
	ReasonNoEnrolledFingerprints,
	ReasonNoVisitVisa,
	ReasonTooEarlyToExtend,
	ReasonVisaExpiredTooLong,
	ReasonNoPassport,
	ReasonPassportReportedLost,
	ReasonPassportAlreadyReported,
	ReasonPassportExpired,
	ReasonPassportUnder3Months,
	ReasonNoMedicalInsurance,
	ReasonInsuranceDoesNotCover,
	ReasonNoDrivingLicence,
	ReasonUnpaidTrafficFines,
	ReasonExitReentryAlreadyIssued,
	ReasonNoPrintableDocuments,
	ReasonFeeUnpaid,
}

// Reasons lists every reason code in the order answers use.
func Reasons() []string {
	return append([]string(nil), reasonOrder...)
}

type text struct{ en, ar string }

var reasonTexts = map[string]text{
	ReasonNotCitizenOrResident: {
		"This service is for citizens and residents only.",
		"هذه الخدمة متاحة للمواطنين والمقيمين فقط.",
	},
	ReasonNotYourDependent: {
		"This person is not registered as your dependent.",
		"هذا الشخص غير مسجل ضمن التابعين لك.",
	},
	ReasonNotYourVisitor: {
		"This visitor is not registered as hosted by you.",
		"هذا الزائر غير مسجل على استضافتك.",
	},
	ReasonSubjectNotResident: {
		"Exit/re-entry visas are issued to residents only; citizens travel without one.",
		"تأشيرة الخروج والعودة تصدر للمقيمين فقط، ولا يحتاجها المواطن.",
	},
	ReasonOutsideKingdom: {
		"You are recorded as outside the Kingdom. Visit a passport office after your entry is recorded.",
		"أنت مسجل خارج المملكة. راجع مكتب الجوازات بعد تسجيل دخولك.",
	},
	ReasonVisitorOutsideKingdom: {
		"The visitor is recorded as outside the Kingdom.",
		"الزائر مسجل خارج المملكة.",
	},
	ReasonAccountAlreadyActive: {
		"Your Absher account is already active.",
		"حسابك في أبشر مفعل مسبقاً.",
	},
	ReasonNoEnrolledFingerprints: {
		"Two fingerprints must be enrolled. Visit a passport or civil affairs office to enrol them.",
		"يجب تسجيل بصمتين. راجع مكتب الجوازات أو الأحوال المدنية لتسجيلها.",
	},
	ReasonNoVisitVisa: {
		"The visitor has no valid visit visa to extend.",
		"لا توجد للزائر تأشيرة زيارة سارية لتمديدها.",
	},
	ReasonTooEarlyToExtend: {
		"It is too early: a visit visa can be extended from 7 days before it expires.",
		"الوقت مبكر: يمكن تمديد تأشيرة الزيارة قبل انتهائها بسبعة أيام.",
	},
	ReasonVisaExpiredTooLong: {
		"The visit visa expired more than 3 days ago and can no longer be extended here. Visit a passport office.",
		"انتهت تأشيرة الزيارة منذ أكثر من ثلاثة أيام ولا يمكن تمديدها هنا. راجع مكتب الجوازات.",
	},
	ReasonNoPassport: {
		"No passport is recorded.",
		"لا يوجد جواز سفر مسجل.",
	},
	ReasonPassportReportedLost: {
		"The passport was reported lost or stolen. Issue a new passport first.",
		"تم الإبلاغ عن فقدان جواز السفر أو سرقته. يجب إصدار جواز جديد أولاً.",
	},
	ReasonPassportAlreadyReported: {
		"This passport has already been reported lost or stolen.",
		"تم الإبلاغ عن فقدان هذا الجواز مسبقاً.",
	},
	ReasonPassportExpired: {
		"The passport has expired. Renew it first.",
		"جواز السفر منتهي الصلاحية. يجب تجديده أولاً.",
	},
	ReasonPassportUnder3Months: {
		"The passport must be valid for at least 3 more months.",
		"يجب أن يكون جواز السفر سارياً لمدة ثلاثة أشهر على الأقل.",
	},
	ReasonNoMedicalInsurance: {
		"The visitor has no medical insurance. Buy a policy first.",
		"لا يوجد تأمين طبي للزائر. يجب شراء وثيقة تأمين أولاً.",
	},
	ReasonInsuranceDoesNotCover: {
		"The medical insurance ends before the extended visa would. Extend the policy first.",
		"ينتهي التأمين الطبي قبل نهاية التمديد. يجب تمديد وثيقة التأمين أولاً.",
	},
	ReasonNoDrivingLicence: {
		"No driving licence is recorded.",
		"لا توجد رخصة قيادة مسجلة.",
	},
	ReasonUnpaidTrafficFines: {
		"There are unpaid traffic fines. Pay them first.",
		"توجد مخالفات مرورية غير مسددة. يجب سدادها أولاً.",
	},
	ReasonExitReentryAlreadyIssued: {
		"An exit/re-entry visa is already issued. You can print or cancel it.",
		"توجد تأشيرة خروج وعودة صادرة. يمكنك طباعتها أو إلغاؤها.",
	},
	ReasonNoPrintableDocuments: {
		"There are no documents to print.",
		"لا توجد مستندات للطباعة.",
	},
	ReasonFeeUnpaid: {
		"The fee has not been paid. Pay it through SADAD, then try again.",
		"لم يتم سداد الرسوم. سددها عبر سداد ثم حاول مرة أخرى.",
	},
}

// ReasonText is the explanation of a reason code the kiosk shows, in "en" or
// "ar". Any other language falls back to English, because a screen must say
// something; an unknown code comes back as it is, so a newer server's code is
// still visible to a technician rather than hidden.
func ReasonText(code, lang string) string {
	t, ok := reasonTexts[code]
	if !ok {
		return code
	}
	if lang == "ar" {
		return t.ar
	}
	return t.en
}
