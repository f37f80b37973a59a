"""The survey template every association can copy: the 22-item SERVQUAL
battery, the three standard questions and the comment prompt, in English,
Urdu and Bengali, as plain data the survey models load.

The battery follows the structure of Parasuraman, Zeithaml & Berry (1988,
refined 1991): 22 items rated on a 7-point scale, tangibles 1-4, reliability
5-9, responsiveness 10-13, assurance 14-17, empathy 18-22, each asked once
about an excellent business of the kind (expectation) and once about this
business (perception). The wording is ours, for a generic service business;
it keeps what each item measures, not the published sentences. Each item
also has a short `feature` for the three-column form (rated as minimum,
desired and perceived level, Parasuraman, Zeithaml & Berry 1994) and for
reports ("where to improve first").

The texts are data, not gettext messages: an association edits its copy of
the instrument per language, and the survey page shows the respondent's
language from it. Urdu uses Urdu punctuation (۔ ، ؟) for right-to-left
display; Bengali uses the dari (।) and Bengali digits in running text.
"""

from dataclasses import dataclass

LANGUAGES = ("en", "ur", "bn")


@dataclass(frozen=True)
class Text:
    en: str
    ur: str
    bn: str

    def get(self, language: str) -> str:
        """The text in `language`, or English for a language the template lacks."""
        return getattr(self, language) if language in LANGUAGES else self.en


@dataclass(frozen=True)
class BatteryItem:
    number: int
    dimension: str  # an associations.models.Dimension value
    feature: Text
    expectation: Text
    perception: Text

    @property
    def code(self) -> str:
        return f"Q{self.number}"


@dataclass(frozen=True)
class Scale:
    low: int
    high: int
    labels: tuple[tuple[int | bool, Text], ...]  # (value, label); the end points at least


@dataclass(frozen=True)
class Question:
    code: str
    text: Text
    scale: Scale


TANGIBLES, RELIABILITY, RESPONSIVENESS, ASSURANCE, EMPATHY = (
    "tangibles",
    "reliability",
    "responsiveness",
    "assurance",
    "empathy",
)

# The published ranges of the five dimensions, by item number.
DIMENSION_ITEMS = {
    TANGIBLES: range(1, 5),
    RELIABILITY: range(5, 10),
    RESPONSIVENESS: range(10, 14),
    ASSURANCE: range(14, 18),
    EMPATHY: range(18, 23),
}

ITEMS = (
    # -- tangibles --
    BatteryItem(
        1,
        TANGIBLES,
        Text(
            "Modern, well-kept equipment",
            "جدید اور اچھی حالت والا سازوسامان",
            "আধুনিক ও ভালো অবস্থার যন্ত্রপাতি",
        ),
        Text(
            "An excellent business uses modern, well-kept equipment.",
            "ایک بہترین ادارہ جدید اور اچھی حالت والا سازوسامان استعمال کرتا ہے۔",
            "একটি চমৎকার প্রতিষ্ঠান আধুনিক ও ভালো অবস্থার যন্ত্রপাতি ব্যবহার করে।",
        ),
        Text(
            "This business uses modern, well-kept equipment.",
            "یہ ادارہ جدید اور اچھی حالت والا سازوسامان استعمال کرتا ہے۔",
            "এই প্রতিষ্ঠানটি আধুনিক ও ভালো অবস্থার যন্ত্রপাতি ব্যবহার করে।",
        ),
    ),
    BatteryItem(
        2,
        TANGIBLES,
        Text(
            "Clean, inviting premises",
            "صاف ستھری اور پرکشش جگہ",
            "পরিষ্কার-পরিচ্ছন্ন ও আকর্ষণীয় জায়গা",
        ),
        Text(
            "An excellent business has clean, inviting premises (office, shop or counter).",
            "ایک بہترین ادارے کی جگہ (دفتر، دکان یا کاؤنٹر) صاف ستھری اور پرکشش ہوتی ہے۔",
            "একটি চমৎকার প্রতিষ্ঠানের জায়গা (অফিস, দোকান বা কাউন্টার) পরিষ্কার-পরিচ্ছন্ন ও আকর্ষণীয় হয়।",
        ),
        Text(
            "This business has clean, inviting premises (office, shop or counter).",
            "اس ادارے کی جگہ (دفتر، دکان یا کاؤنٹر) صاف ستھری اور پرکشش ہے۔",
            "এই প্রতিষ্ঠানের জায়গা (অফিস, দোকান বা কাউন্টার) পরিষ্কার-পরিচ্ছন্ন ও আকর্ষণীয়।",
        ),
    ),
    BatteryItem(
        3,
        TANGIBLES,
        Text(
            "Neat, suitably dressed staff",
            "صاف ستھرا اور مناسب لباس میں عملہ",
            "পরিপাটি ও মানানসই পোশাকের কর্মী",
        ),
        Text(
            "The staff of an excellent business are neat and suitably dressed.",
            "ایک بہترین ادارے کا عملہ صاف ستھرا اور مناسب لباس میں ہوتا ہے۔",
            "একটি চমৎকার প্রতিষ্ঠানের কর্মীরা পরিপাটি ও মানানসই পোশাকে থাকেন।",
        ),
        Text(
            "The staff of this business are neat and suitably dressed.",
            "اس ادارے کا عملہ صاف ستھرا اور مناسب لباس میں ہوتا ہے۔",
            "এই প্রতিষ্ঠানের কর্মীরা পরিপাটি ও মানানসই পোশাকে থাকেন।",
        ),
    ),
    BatteryItem(
        4,
        TANGIBLES,
        Text(
            "Clear, neat forms, receipts and leaflets",
            "واضح اور سلیقے سے بنے فارم، رسیدیں اور معلوماتی پرچے",
            "স্পষ্ট ও সুন্দরভাবে তৈরি ফর্ম, রসিদ ও লিফলেট",
        ),
        Text(
            "The forms, receipts and leaflets of an excellent business are clear and neatly presented.",
            "ایک بہترین ادارے کے فارم، رسیدیں اور معلوماتی پرچے واضح اور سلیقے سے بنے ہوتے ہیں۔",
            "একটি চমৎকার প্রতিষ্ঠানের ফর্ম, রসিদ ও লিফলেট স্পষ্ট এবং সুন্দরভাবে তৈরি হয়।",
        ),
        Text(
            "The forms, receipts and leaflets of this business are clear and neatly presented.",
            "اس ادارے کے فارم، رسیدیں اور معلوماتی پرچے واضح اور سلیقے سے بنے ہوئے ہیں۔",
            "এই প্রতিষ্ঠানের ফর্ম, রসিদ ও লিফলেট স্পষ্ট এবং সুন্দরভাবে তৈরি।",
        ),
    ),
    # -- reliability --
    BatteryItem(
        5,
        RELIABILITY,
        Text(
            "Doing what was promised, by the time promised",
            "وعدہ کیا ہوا کام وعدے کے وقت تک کرنا",
            "প্রতিশ্রুত কাজ কথামতো সময়ের মধ্যে করা",
        ),
        Text(
            "An excellent business does what it promised, by the time it promised.",
            "ایک بہترین ادارہ جس کام کا وعدہ کرتا ہے، وہ وعدے کے وقت تک کر دیتا ہے۔",
            "একটি চমৎকার প্রতিষ্ঠান যে কাজের প্রতিশ্রুতি দেয়, তা কথা দেওয়া সময়ের মধ্যেই করে দেয়।",
        ),
        Text(
            "This business does what it promised, by the time it promised.",
            "یہ ادارہ جس کام کا وعدہ کرتا ہے، وہ وعدے کے وقت تک کر دیتا ہے۔",
            "এই প্রতিষ্ঠানটি যে কাজের প্রতিশ্রুতি দেয়, তা কথা দেওয়া সময়ের মধ্যেই করে দেয়।",
        ),
    ),
    BatteryItem(
        6,
        RELIABILITY,
        Text(
            "A real effort to solve customers' problems",
            "گاہکوں کے مسائل حل کرنے کی سچی کوشش",
            "গ্রাহকের সমস্যা সমাধানে আন্তরিক চেষ্টা",
        ),
        Text(
            "When a customer has a problem, an excellent business makes a real effort to solve it.",
            "جب کسی گاہک کو کوئی مسئلہ ہو تو ایک بہترین ادارہ اسے حل کرنے کی سچے دل سے کوشش کرتا ہے۔",
            "কোনো গ্রাহকের সমস্যা হলে একটি চমৎকার প্রতিষ্ঠান আন্তরিকভাবে তা সমাধানের চেষ্টা করে।",
        ),
        Text(
            "When a customer has a problem, this business makes a real effort to solve it.",
            "جب کسی گاہک کو کوئی مسئلہ ہو تو یہ ادارہ اسے حل کرنے کی سچے دل سے کوشش کرتا ہے۔",
            "কোনো গ্রাহকের সমস্যা হলে এই প্রতিষ্ঠানটি আন্তরিকভাবে তা সমাধানের চেষ্টা করে।",
        ),
    ),
    BatteryItem(
        7,
        RELIABILITY,
        Text(
            "Getting the service right the first time",
            "پہلی ہی بار درست خدمت",
            "প্রথমবারেই সঠিক সেবা",
        ),
        Text(
            "An excellent business gets the service right the first time, with no need to redo it.",
            "ایک بہترین ادارہ پہلی ہی بار درست خدمت فراہم کرتا ہے اور کام دوبارہ کرنے کی ضرورت نہیں پڑتی۔",
            "একটি চমৎকার প্রতিষ্ঠান প্রথমবারেই সঠিকভাবে সেবা দেয়, কাজটি আবার করার দরকার পড়ে না।",
        ),
        Text(
            "This business gets the service right the first time, with no need to redo it.",
            "یہ ادارہ پہلی ہی بار درست خدمت فراہم کرتا ہے اور کام دوبارہ کرنے کی ضرورت نہیں پڑتی۔",
            "এই প্রতিষ্ঠানটি প্রথমবারেই সঠিকভাবে সেবা দেয়, কাজটি আবার করার দরকার পড়ে না।",
        ),
    ),
    BatteryItem(
        8,
        RELIABILITY,
        Text(
            "Service at the agreed time",
            "طے شدہ وقت پر خدمت",
            "নির্ধারিত সময়ে সেবা",
        ),
        Text(
            "An excellent business provides its service at the agreed time, without delay.",
            "ایک بہترین ادارہ طے شدہ وقت پر، کسی تاخیر کے بغیر، خدمت فراہم کرتا ہے۔",
            "একটি চমৎকার প্রতিষ্ঠান নির্ধারিত সময়েই, কোনো দেরি না করে, সেবা দেয়।",
        ),
        Text(
            "This business provides its service at the agreed time, without delay.",
            "یہ ادارہ طے شدہ وقت پر، کسی تاخیر کے بغیر، خدمت فراہم کرتا ہے۔",
            "এই প্রতিষ্ঠানটি নির্ধারিত সময়েই, কোনো দেরি না করে, সেবা দেয়।",
        ),
    ),
    BatteryItem(
        9,
        RELIABILITY,
        Text(
            "Records, bills and receipts free of mistakes",
            "غلطیوں سے پاک ریکارڈ، بل اور رسیدیں",
            "ভুলমুক্ত রেকর্ড, বিল ও রসিদ",
        ),
        Text(
            "An excellent business keeps its records, bills and receipts free of mistakes.",
            "ایک بہترین ادارہ اپنے ریکارڈ، بلوں اور رسیدوں میں کوئی غلطی نہیں ہونے دیتا۔",
            "একটি চমৎকার প্রতিষ্ঠান তার রেকর্ড, বিল ও রসিদে কোনো ভুল থাকতে দেয় না।",
        ),
        Text(
            "This business keeps its records, bills and receipts free of mistakes.",
            "یہ ادارہ اپنے ریکارڈ، بلوں اور رسیدوں میں کوئی غلطی نہیں ہونے دیتا۔",
            "এই প্রতিষ্ঠানটি তার রেকর্ড, বিল ও রসিদে কোনো ভুল থাকতে দেয় না।",
        ),
    ),
    # -- responsiveness --
    BatteryItem(
        10,
        RESPONSIVENESS,
        Text(
            "Telling customers exactly when the service will be done",
            "گاہکوں کو ٹھیک ٹھیک بتانا کہ کام کب ہوگا",
            "কাজ ঠিক কখন হবে তা গ্রাহককে জানানো",
        ),
        Text(
            "An excellent business tells customers exactly when their service will be carried out.",
            "ایک بہترین ادارہ گاہکوں کو ٹھیک ٹھیک بتاتا ہے کہ ان کا کام کب ہوگا۔",
            "একটি চমৎকার প্রতিষ্ঠান গ্রাহকদের স্পষ্ট করে জানায়, ঠিক কখন তাঁদের কাজটি করা হবে।",
        ),
        Text(
            "This business tells customers exactly when their service will be carried out.",
            "یہ ادارہ گاہکوں کو ٹھیک ٹھیک بتاتا ہے کہ ان کا کام کب ہوگا۔",
            "এই প্রতিষ্ঠানটি গ্রাহকদের স্পষ্ট করে জানায়, ঠিক কখন তাঁদের কাজটি করা হবে।",
        ),
    ),
    BatteryItem(
        11,
        RESPONSIVENESS,
        Text(
            "Prompt service",
            "فوری خدمت",
            "দ্রুত সেবা",
        ),
        Text(
            "The staff of an excellent business serve customers promptly.",
            "ایک بہترین ادارے کا عملہ گاہکوں کو فوری خدمت فراہم کرتا ہے۔",
            "একটি চমৎকার প্রতিষ্ঠানের কর্মীরা গ্রাহকদের দ্রুত সেবা দেন।",
        ),
        Text(
            "The staff of this business serve customers promptly.",
            "اس ادارے کا عملہ گاہکوں کو فوری خدمت فراہم کرتا ہے۔",
            "এই প্রতিষ্ঠানের কর্মীরা গ্রাহকদের দ্রুত সেবা দেন।",
        ),
    ),
    BatteryItem(
        12,
        RESPONSIVENESS,
        Text(
            "Staff always glad to help",
            "مدد کے لیے ہمیشہ تیار عملہ",
            "সাহায্যে সবসময় আগ্রহী কর্মী",
        ),
        Text(
            "The staff of an excellent business are always glad to help customers.",
            "ایک بہترین ادارے کا عملہ گاہکوں کی مدد کے لیے ہمیشہ خوشی سے تیار رہتا ہے۔",
            "একটি চমৎকার প্রতিষ্ঠানের কর্মীরা গ্রাহকদের সাহায্য করতে সবসময় আগ্রহী থাকেন।",
        ),
        Text(
            "The staff of this business are always glad to help customers.",
            "اس ادارے کا عملہ گاہکوں کی مدد کے لیے ہمیشہ خوشی سے تیار رہتا ہے۔",
            "এই প্রতিষ্ঠানের কর্মীরা গ্রাহকদের সাহায্য করতে সবসময় আগ্রহী থাকেন।",
        ),
    ),
    BatteryItem(
        13,
        RESPONSIVENESS,
        Text(
            "Time for customers' requests, however busy",
            "مصروفیت کے باوجود گاہکوں کی درخواست کے لیے وقت",
            "ব্যস্ততার মধ্যেও গ্রাহকের অনুরোধে সাড়া",
        ),
        Text(
            "The staff of an excellent business always find time for a customer's request, "
            "however busy they are.",
            "ایک بہترین ادارے کا عملہ چاہے کتنا ہی مصروف ہو، گاہک کی درخواست کے لیے وقت نکال لیتا ہے۔",
            "একটি চমৎকার প্রতিষ্ঠানের কর্মীরা যত ব্যস্তই থাকুন, গ্রাহকের অনুরোধে সাড়া দেওয়ার সময় বের করে নেন।",
        ),
        Text(
            "The staff of this business always find time for a customer's request, however busy they are.",
            "اس ادارے کا عملہ چاہے کتنا ہی مصروف ہو، گاہک کی درخواست کے لیے وقت نکال لیتا ہے۔",
            "এই প্রতিষ্ঠানের কর্মীরা যত ব্যস্তই থাকুন, গ্রাহকের অনুরোধে সাড়া দেওয়ার সময় বের করে নেন।",
        ),
    ),
    # -- assurance --
    BatteryItem(
        14,
        ASSURANCE,
        Text(
            "Staff whose conduct gives customers confidence",
            "عملے کا اعتماد پیدا کرنے والا رویہ",
            "কর্মীদের আস্থা জাগানো আচরণ",
        ),
        Text(
            "The way the staff of an excellent business behave gives customers confidence.",
            "ایک بہترین ادارے کے عملے کا رویہ گاہکوں میں اعتماد پیدا کرتا ہے۔",
            "একটি চমৎকার প্রতিষ্ঠানের কর্মীদের আচরণ গ্রাহকদের মনে আস্থা জাগায়।",
        ),
        Text(
            "The way the staff of this business behave gives customers confidence.",
            "اس ادارے کے عملے کا رویہ گاہکوں میں اعتماد پیدا کرتا ہے۔",
            "এই প্রতিষ্ঠানের কর্মীদের আচরণ গ্রাহকদের মনে আস্থা জাগায়।",
        ),
    ),
    BatteryItem(
        15,
        ASSURANCE,
        Text(
            "Feeling safe when paying or giving personal details",
            "ادائیگی یا ذاتی معلومات دیتے وقت تحفظ کا احساس",
            "টাকা পরিশোধ বা ব্যক্তিগত তথ্য দেওয়ার সময় নিরাপত্তাবোধ",
        ),
        Text(
            "Customers feel safe dealing with an excellent business, "
            "including when they pay or give personal details.",
            "ایک بہترین ادارے کے ساتھ لین دین میں، چاہے ادائیگی ہو یا ذاتی معلومات دینا، "
            "گاہک خود کو محفوظ محسوس کرتے ہیں۔",
            "একটি চমৎকার প্রতিষ্ঠানের সঙ্গে লেনদেনে, টাকা পরিশোধ বা ব্যক্তিগত তথ্য দেওয়ার সময়ও, "
            "গ্রাহকেরা নিজেদের নিরাপদ মনে করেন।",
        ),
        Text(
            "Customers feel safe dealing with this business, "
            "including when they pay or give personal details.",
            "اس ادارے کے ساتھ لین دین میں، چاہے ادائیگی ہو یا ذاتی معلومات دینا، "
            "گاہک خود کو محفوظ محسوس کرتے ہیں۔",
            "এই প্রতিষ্ঠানের সঙ্গে লেনদেনে, টাকা পরিশোধ বা ব্যক্তিগত তথ্য দেওয়ার সময়ও, গ্রাহকেরা নিজেদের নিরাপদ মনে করেন।",
        ),
    ),
    BatteryItem(
        16,
        ASSURANCE,
        Text(
            "Courteous staff",
            "خوش اخلاق عملہ",
            "ভদ্র ও বিনয়ী কর্মী",
        ),
        Text(
            "The staff of an excellent business are courteous to customers at all times.",
            "ایک بہترین ادارے کا عملہ ہر وقت گاہکوں کے ساتھ خوش اخلاقی سے پیش آتا ہے۔",
            "একটি চমৎকার প্রতিষ্ঠানের কর্মীরা সবসময় গ্রাহকদের সঙ্গে ভদ্র ও বিনয়ী আচরণ করেন।",
        ),
        Text(
            "The staff of this business are courteous to customers at all times.",
            "اس ادارے کا عملہ ہر وقت گاہکوں کے ساتھ خوش اخلاقی سے پیش آتا ہے۔",
            "এই প্রতিষ্ঠানের কর্মীরা সবসময় গ্রাহকদের সঙ্গে ভদ্র ও বিনয়ী আচরণ করেন।",
        ),
    ),
    BatteryItem(
        17,
        ASSURANCE,
        Text(
            "Staff who can answer customers' questions",
            "گاہکوں کے سوالوں کا جواب دے سکنے والا عملہ",
            "গ্রাহকের প্রশ্নের উত্তর দিতে সক্ষম কর্মী",
        ),
        Text(
            "The staff of an excellent business know enough to answer customers' questions.",
            "ایک بہترین ادارے کا عملہ اتنی معلومات رکھتا ہے کہ گاہکوں کے سوالوں کا جواب دے سکے۔",
            "একটি চমৎকার প্রতিষ্ঠানের কর্মীরা গ্রাহকদের প্রশ্নের উত্তর দেওয়ার মতো যথেষ্ট জানেন।",
        ),
        Text(
            "The staff of this business know enough to answer customers' questions.",
            "اس ادارے کا عملہ اتنی معلومات رکھتا ہے کہ گاہکوں کے سوالوں کا جواب دے سکے۔",
            "এই প্রতিষ্ঠানের কর্মীরা গ্রাহকদের প্রশ্নের উত্তর দেওয়ার মতো যথেষ্ট জানেন।",
        ),
    ),
    # -- empathy --
    BatteryItem(
        18,
        EMPATHY,
        Text(
            "Individual attention for each customer",
            "ہر گاہک پر الگ سے توجہ",
            "প্রত্যেক গ্রাহকের প্রতি আলাদা মনোযোগ",
        ),
        Text(
            "An excellent business gives each customer individual attention.",
            "ایک بہترین ادارہ ہر گاہک پر الگ سے توجہ دیتا ہے۔",
            "একটি চমৎকার প্রতিষ্ঠান প্রত্যেক গ্রাহকের প্রতি আলাদাভাবে মনোযোগ দেয়।",
        ),
        Text(
            "This business gives each customer individual attention.",
            "یہ ادارہ ہر گاہک پر الگ سے توجہ دیتا ہے۔",
            "এই প্রতিষ্ঠানটি প্রত্যেক গ্রাহকের প্রতি আলাদাভাবে মনোযোগ দেয়।",
        ),
    ),
    BatteryItem(
        19,
        EMPATHY,
        Text(
            "Opening hours that suit customers",
            "گاہکوں کے لیے سہولت والے اوقاتِ کار",
            "গ্রাহকের সুবিধামতো খোলার সময়",
        ),
        Text(
            "An excellent business is open at hours that suit all its customers.",
            "ایک بہترین ادارے کے اوقاتِ کار اس کے تمام گاہکوں کے لیے سہولت والے ہوتے ہیں۔",
            "একটি চমৎকার প্রতিষ্ঠান এমন সময়ে খোলা থাকে, যা তার সব গ্রাহকের জন্য সুবিধাজনক।",
        ),
        Text(
            "This business is open at hours that suit all its customers.",
            "اس ادارے کے اوقاتِ کار اس کے تمام گاہکوں کے لیے سہولت والے ہیں۔",
            "এই প্রতিষ্ঠানটি এমন সময়ে খোলা থাকে, যা তার সব গ্রাহকের জন্য সুবিধাজনক।",
        ),
    ),
    BatteryItem(
        20,
        EMPATHY,
        Text(
            "Personal attention from staff",
            "عملے کی ذاتی توجہ",
            "কর্মীদের ব্যক্তিগত মনোযোগ",
        ),
        Text(
            "The staff of an excellent business give customers personal attention.",
            "ایک بہترین ادارے کا عملہ گاہکوں پر ذاتی توجہ دیتا ہے۔",
            "একটি চমৎকার প্রতিষ্ঠানের কর্মীরা গ্রাহকদের প্রতি ব্যক্তিগতভাবে মনোযোগ দেন।",
        ),
        Text(
            "The staff of this business give customers personal attention.",
            "اس ادارے کا عملہ گاہکوں پر ذاتی توجہ دیتا ہے۔",
            "এই প্রতিষ্ঠানের কর্মীরা গ্রাহকদের প্রতি ব্যক্তিগতভাবে মনোযোগ দেন।",
        ),
    ),
    BatteryItem(
        21,
        EMPATHY,
        Text(
            "Caring about what is best for customers",
            "گاہکوں کی بھلائی کی فکر",
            "গ্রাহকের ভালোর প্রতি আন্তরিকতা",
        ),
        Text(
            "An excellent business truly cares about what is best for its customers.",
            "ایک بہترین ادارے کو دل سے اپنے گاہکوں کی بھلائی کی فکر ہوتی ہے۔",
            "একটি চমৎকার প্রতিষ্ঠান আন্তরিকভাবে তার গ্রাহকদের ভালো চায়।",
        ),
        Text(
            "This business truly cares about what is best for its customers.",
            "اس ادارے کو دل سے اپنے گاہکوں کی بھلائی کی فکر ہے۔",
            "এই প্রতিষ্ঠানটি আন্তরিকভাবে তার গ্রাহকদের ভালো চায়।",
        ),
    ),
    BatteryItem(
        22,
        EMPATHY,
        Text(
            "Understanding each customer's particular needs",
            "گاہکوں کی خاص ضروریات کو سمجھنا",
            "গ্রাহকের নিজস্ব প্রয়োজন বোঝা",
        ),
        Text(
            "The staff of an excellent business understand the particular needs of their customers.",
            "ایک بہترین ادارے کا عملہ اپنے گاہکوں کی خاص ضروریات کو سمجھتا ہے۔",
            "একটি চমৎকার প্রতিষ্ঠানের কর্মীরা গ্রাহকদের নিজ নিজ প্রয়োজন বোঝেন।",
        ),
        Text(
            "The staff of this business understand the particular needs of their customers.",
            "اس ادارے کا عملہ اپنے گاہکوں کی خاص ضروریات کو سمجھتا ہے۔",
            "এই প্রতিষ্ঠানের কর্মীরা গ্রাহকদের নিজ নিজ প্রয়োজন বোঝেন।",
        ),
    ),
)

# -- instructions ------------------------------------------------------------

EXPECTATIONS_INTRO = Text(
    "Think of an excellent business that offers this kind of service. For each statement, "
    "choose how strongly you agree that such a business would be like this.",
    "اس طرح کی خدمت فراہم کرنے والے کسی بہترین ادارے کا تصور کریں۔ ہر بیان کے بارے میں بتائیں کہ "
    "آپ اس بات سے کس حد تک متفق ہیں کہ ایسا ادارہ اسی طرح کا ہوگا۔",
    "এ ধরনের সেবা দেয় এমন একটি চমৎকার প্রতিষ্ঠানের কথা ভাবুন। প্রতিটি বক্তব্যের ক্ষেত্রে বেছে নিন, "
    "এমন প্রতিষ্ঠান এ রকমই হবে—এ কথার সঙ্গে আপনি কতটা একমত।",
)
PERCEPTIONS_INTRO = Text(
    "Now think of this business. For each statement, choose how strongly you agree that it describes "
    "this business.",
    "اب اس ادارے کے بارے میں سوچیں۔ ہر بیان کے بارے میں بتائیں کہ آپ اس بات سے کس حد تک متفق ہیں کہ "
    "یہ اس ادارے پر صادق آتا ہے۔",
    "এবার এই প্রতিষ্ঠানটির কথা ভাবুন। প্রতিটি বক্তব্য এই প্রতিষ্ঠানের ক্ষেত্রে খাটে—এ কথার সঙ্গে আপনি কতটা একমত, তা বেছে নিন।",
)
# The three-column form rates each item's feature three times.
THREE_COLUMN_INTRO = Text(
    "For each feature, rate three levels of service: the lowest you would accept, the level you wish "
    "for, and the level this business gives.",
    "ہر خصوصیت کے لیے خدمت کی تین سطحیں بتائیں: کم از کم قابلِ قبول سطح، آپ کی مطلوبہ سطح، "
    "اور وہ سطح جو یہ ادارہ فراہم کرتا ہے۔",
    "প্রতিটি বৈশিষ্ট্যের জন্য সেবার তিনটি মান বেছে নিন: ন্যূনতম যে মান আপনি মেনে নেবেন, "
    "যে মান আপনি চান, এবং এই প্রতিষ্ঠানটি যে মানের সেবা দেয়।",
)
MINIMUM_COLUMN = Text(
    "The lowest level I would accept",
    "کم از کم قابلِ قبول سطح",
    "ন্যূনতম গ্রহণযোগ্য মান",
)
DESIRED_COLUMN = Text(
    "The level I wish for",
    "مطلوبہ سطح",
    "কাঙ্ক্ষিত মান",
)
PERCEIVED_COLUMN = Text(
    "The level this business gives",
    "اس ادارے کی فراہم کردہ سطح",
    "এই প্রতিষ্ঠানের দেওয়া সেবার মান",
)

# The optional 100-point split of importance across the dimensions.
IMPORTANCE_INTRO = Text(
    "Share 100 points among the five features below to show how important each is to you: the more "
    "important a feature, the more points. The points must add up to 100.",
    "نیچے دی گئی پانچ خصوصیات میں 100 پوائنٹس اس طرح تقسیم کریں کہ جو خصوصیت آپ کے لیے جتنی اہم ہو، "
    "اسے اتنے ہی زیادہ پوائنٹس ملیں۔ کل پوائنٹس 100 ہونے چاہییں۔",
    "নিচের পাঁচটি বৈশিষ্ট্যের মধ্যে ১০০ পয়েন্ট ভাগ করে দিন: যে বৈশিষ্ট্য আপনার কাছে যত "
    "গুরুত্বপূর্ণ, তাকে তত বেশি পয়েন্ট দিন। মোট পয়েন্ট যেন ১০০ হয়।",
)
DIMENSION_DESCRIPTIONS = {
    TANGIBLES: Text(
        "How the premises, equipment, staff and printed materials look.",
        "جگہ، سازوسامان، عملے اور چھپے ہوئے کاغذات کی ظاہری حالت۔",
        "প্রতিষ্ঠানের জায়গা, যন্ত্রপাতি, কর্মী ও ছাপা কাগজপত্র দেখতে কেমন।",
    ),
    RELIABILITY: Text(
        "Doing what was promised, correctly and every time.",
        "جو وعدہ کیا جائے وہی کرنا، درست طریقے سے اور ہر بار۔",
        "যা প্রতিশ্রুতি দেওয়া হয়েছে তা-ই করা, নির্ভুলভাবে এবং প্রতিবার।",
    ),
    RESPONSIVENESS: Text(
        "Being ready to help and quick to serve.",
        "مدد کے لیے تیار رہنا اور جلدی خدمت کرنا۔",
        "সাহায্যের জন্য প্রস্তুত থাকা এবং দ্রুত সেবা দেওয়া।",
    ),
    ASSURANCE: Text(
        "Staff who know their work, are polite, and make customers feel they can trust the business.",
        "ایسا عملہ جو اپنا کام جانتا ہو، خوش اخلاق ہو اور گاہکوں کو یہ احساس دلائے کہ "
        "اس ادارے پر بھروسا کیا جا سکتا ہے۔",
        "কর্মীরা নিজেদের কাজ জানেন, ভদ্র আচরণ করেন এবং গ্রাহকদের মনে এই ভরসা জাগান যে প্রতিষ্ঠানটির ওপর আস্থা রাখা যায়।",
    ),
    EMPATHY: Text(
        "Caring for each customer as a person and paying attention to their needs.",
        "ہر گاہک کا ذاتی طور پر خیال رکھنا اور اس کی ضروریات پر توجہ دینا۔",
        "প্রত্যেক গ্রাহককে আলাদা মানুষ হিসেবে গুরুত্ব দেওয়া এবং তাঁর প্রয়োজনের প্রতি যত্ন নেওয়া।",
    ),
}

# -- scales ---------------------------------------------------------------------

# Only the ends are labelled, as in the published battery; the points between are numbers.
AGREEMENT_SCALE = Scale(
    1,
    7,
    (
        (1, Text("Strongly disagree", "بالکل متفق نہیں", "একেবারেই একমত নই")),
        (7, Text("Strongly agree", "پوری طرح متفق", "সম্পূর্ণ একমত")),
    ),
)
LEVEL_SCALE = Scale(
    1,
    7,
    (
        (1, Text("Very low", "بہت کم", "খুবই নিম্ন")),
        (7, Text("Very high", "بہت اعلیٰ", "খুবই উচ্চ")),
    ),
)

# -- the standard questions -----------------------------------------------------------

CSAT = Question(
    "csat",
    Text(
        "Overall, how satisfied are you with this business's service?",
        "مجموعی طور پر آپ اس ادارے کی خدمت سے کس حد تک مطمئن ہیں؟",
        "সব মিলিয়ে এই প্রতিষ্ঠানের সেবায় আপনি কতটা সন্তুষ্ট?",
    ),
    Scale(
        1,
        5,
        (
            (1, Text("Very dissatisfied", "بہت غیر مطمئن", "খুবই অসন্তুষ্ট")),
            (2, Text("Dissatisfied", "غیر مطمئن", "অসন্তুষ্ট")),
            (3, Text("Neither satisfied nor dissatisfied", "نہ مطمئن نہ غیر مطمئن", "সন্তুষ্টও নই, অসন্তুষ্টও নই")),
            (4, Text("Satisfied", "مطمئن", "সন্তুষ্ট")),
            (5, Text("Very satisfied", "بہت مطمئن", "খুবই সন্তুষ্ট")),
        ),
    ),
)
NPS = Question(
    "nps",
    Text(
        "How likely are you to recommend this business to a friend or relative?",
        "اس بات کا کتنا امکان ہے کہ آپ کسی دوست یا رشتہ دار کو اس ادارے کی سفارش کریں؟",
        "কোনো বন্ধু বা আত্মীয়কে এই প্রতিষ্ঠানের কথা সুপারিশ করার সম্ভাবনা আপনার কতটুকু?",
    ),
    Scale(
        0,
        10,
        (
            (0, Text("Not at all likely", "بالکل امکان نہیں", "একেবারেই সম্ভাবনা নেই")),
            (10, Text("Extremely likely", "بہت زیادہ امکان", "খুবই সম্ভাবনা আছে")),
        ),
    ),
)
FCR = Question(
    "fcr",
    Text(
        "Was your issue resolved the first time you contacted this business?",
        "کیا اس ادارے سے پہلی بار رابطہ کرنے پر ہی آپ کا مسئلہ حل ہو گیا؟",
        "এই প্রতিষ্ঠানের সঙ্গে প্রথমবার যোগাযোগেই কি আপনার সমস্যার সমাধান হয়েছিল?",
    ),
    Scale(
        0,
        1,
        (
            (True, Text("Yes", "ہاں", "হ্যাঁ")),
            (False, Text("No", "نہیں", "না")),
        ),
    ),
)
STANDARD_QUESTIONS = (CSAT, NPS, FCR)

COMMENT_PROMPT = Text(
    "Is there anything else you would like to tell us? Please do not write names, phone numbers "
    "or e-mail addresses.",
    "کچھ اور بتانا ہو تو یہاں لکھیں۔ براہِ کرم نام، فون نمبر یا ای میل پتہ نہ لکھیں۔",
    "আর কিছু জানাতে চান? অনুগ্রহ করে নাম, ফোন নম্বর বা ই-মেইল ঠিকানা লিখবেন না।",
)
