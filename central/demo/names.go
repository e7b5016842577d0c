package demo

// name is one name in both scripts.
type name struct{ en, ar string }

var maleNames = []name{
	{"Mohammed", "محمد"}, {"Abdullah", "عبدالله"}, {"Faisal", "فيصل"}, {"Sultan", "سلطان"},
	{"Nasser", "ناصر"}, {"Yousef", "يوسف"}, {"Ibrahim", "إبراهيم"}, {"Hamad", "حمد"},
	{"Bandar", "بندر"}, {"Waleed", "وليد"}, {"Ali", "علي"}, {"Hassan", "حسن"},
	{"Tariq", "طارق"}, {"Ziyad", "زياد"}, {"Meshal", "مشعل"}, {"Rakan", "راكان"},
}

var femaleNames = []name{
	{"Fatimah", "فاطمة"}, {"Aisha", "عائشة"}, {"Sarah", "سارة"}, {"Maha", "مها"},
	{"Reem", "ريم"}, {"Hind", "هند"}, {"Lama", "لمى"}, {"Amal", "أمل"},
	{"Nouf", "نوف"}, {"Abeer", "عبير"}, {"Mariam", "مريم"}, {"Hessa", "حصة"},
}

// Family names of the random population. The showcase uses other family
// names, so a showcase person is found by full English name alone.
var citizenFamilies = []name{
	{"Al-Qahtani", "القحطاني"}, {"Al-Otaibi", "العتيبي"}, {"Al-Ghamdi", "الغامدي"},
	{"Al-Zahrani", "الزهراني"}, {"Al-Shehri", "الشهري"}, {"Al-Dosari", "الدوسري"},
	{"Al-Harbi", "الحربي"}, {"Al-Mutairi", "المطيري"}, {"Al-Anazi", "العنزي"},
	{"Al-Shammari", "الشمري"}, {"Al-Subaie", "السبيعي"}, {"Al-Maliki", "المالكي"},
}

var residentFamilies = []struct {
	name
	nat string
}{
	{name{"Khan", "خان"}, "PAK"}, {name{"Hussain", "حسين"}, "PAK"}, {name{"Rahman", "رحمن"}, "BGD"},
	{name{"Ahmed", "أحمد"}, "EGY"}, {name{"Mahmoud", "محمود"}, "EGY"}, {name{"Nair", "ناير"}, "IND"},
	{name{"Kumar", "كومار"}, "IND"}, {name{"Santos", "سانتوس"}, "PHL"}, {name{"Reyes", "رييس"}, "PHL"},
	{name{"Al-Khatib", "الخطيب"}, "JOR"}, {name{"Haddad", "حداد"}, "LBN"}, {name{"Osman", "عثمان"}, "SDN"},
}

var visitorFamilies = []struct {
	name
	nat string
}{
	{name{"Mostafa", "مصطفى"}, "EGY"}, {name{"Hamdan", "حمدان"}, "YEM"}, {name{"Malik", "مالك"}, "PAK"},
	{name{"Khoury", "خوري"}, "SYR"}, {name{"Idris", "إدريس"}, "SDN"}, {name{"Jawad", "جواد"}, "IRQ"},
}

var insurers = []string{"Tawuniya", "Bupa Arabia", "MedGulf", "Walaa"}

var violations = []struct{ code, en string }{
	{"SPD", "Speeding"}, {"RED", "Running a red light"}, {"PHN", "Using a mobile phone while driving"},
	{"BLT", "Not wearing a seat belt"}, {"PRK", "Parking in a prohibited place"},
}
