"""What the scale data set holds: sizes, shares, names."""

import calendar
import datetime

BENCH_PASSWORD = "bench-password-2026"  # printed on purpose, like the demo's
EMAIL_DOMAIN = "scale.example.org"

# Sizes at --scale 1.0 (the figures of issue 10).
SIZES = {
    "businesses": 5_000,
    "certificates": 100_000,
    "workflow_applications": 10_000,
    "metric_values": 500_000,
    "history": 230_000,
    "auditors_per_association": 10,
}

# (name, slug, prefix, country, languages, default language, colour)
ASSOCIATIONS = [
    ("Pakistan Service Association", "scale-psa", "PSA", "PK", ["en", "ur"], "en", "#0b6e4f"),
    ("Bangladesh Service Council", "scale-bsc", "BSC", "BD", ["en", "bn"], "bn", "#8c1c13"),
    ("Punjab Traders Quality Board", "scale-ptq", "PTQ", "PK", ["en", "ur"], "ur", "#1f4e79"),
    ("Sindh Chamber Service Standards", "scale-scs", "SCS", "PK", ["en", "ur"], "en", "#6a4c93"),
    ("Dhaka Customer Care Forum", "scale-dcc", "DCC", "BD", ["en", "bn"], "en", "#b5651d"),
]

CITIES = {
    "PK": "Lahore Karachi Islamabad Rawalpindi Faisalabad Multan Peshawar Quetta Sialkot Abbottabad".split(),  # noqa: SIM905
    "BD": "Dhaka Chattogram Khulna Rajshahi Sylhet Barishal Rangpur Cumilla".split(),  # noqa: SIM905
}
_PREFIXES = (
    "Shalimar, Indus, Ravi, Margalla, Khyber, Sindh, Chenab, Jhelum, Karakoram, Hunza, Swat, Kaghan, "
    "Thar, Makran, Potohar, Bolan, Mehran, Gandhara, Attock, Kalash, Padma, Meghna, Jamuna, "
    "Sundarban, Teesta, Surma, Karnaphuli, Buriganga, Sonargaon, Mahasthan, Paharpur, Sreemangal, "
    "Cox's Bazar, Kuakata, Ratargul, Lalbagh, Crescent, Green Valley, Silver Line, Golden, Royal, "
    "Star, Pioneer, United, National, Allied, Evergreen, Summit, Horizon, Unity, Falcon, Peacock, "
    "Lotus, Jasmine, Cedar, Delta, Metro, City, Prime, Apex"
)
_TRADES = (
    "Telecom Services, Courier Company, Home Appliance Care, Internet, Water Services, Travel Desk, "
    "Motors, Logistics, Electric Supply, Pharmacy, Clinic, Diagnostics, Hotel, Restaurants, Catering, "
    "Tutors, Printing Press, Security Services, Cleaning Co, Software House, Real Estate, Solar "
    "Energy, Builders, Insurance Agency, Textiles, Furniture, Car Rental, Opticians, Dental Care, "
    "Tailors"
)
NAME_PREFIXES = _PREFIXES.split(", ")
TRADES = _TRADES.split(", ")
NAME_SUFFIXES = ["", "", "", " (Pvt) Ltd", " & Sons", " Group", " Enterprises", " Centre", " Associates"]

# The share of each certificate status (the rest of the certificates are active).
CERTIFICATE_STATUSES = [("expired", 0.12), ("suspended", 0.05), ("revoked", 0.03)]
# Active (and suspended) certificates already past their date, waiting for the nightly expiry.
ACTIVE_PAST_DATE = 0.005
# The share of the workflow applications in each state.
WORKFLOW_STATES = [
    ("draft", 0.13),
    ("submitted", 0.09),
    ("in_review", 0.14),
    ("changes_requested", 0.07),
    ("scored", 0.07),
    ("rejected", 0.25),
    ("withdrawn", 0.25),
]
OPEN_STATES = {"draft", "submitted", "in_review", "changes_requested", "scored"}
VALIDITY_MONTHS = 24
REMINDER_OFFSETS = [90, 30, 7]
# A minimal PDF that every evidence row and certificate points to (one shared stored file).
SHARED_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
EVIDENCE_FILE = "evidence/scale/shared-evidence.pdf"
CERTIFICATE_FILE = "certificates/scale-shared-certificate.pdf"


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def scaled(name: str, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(SIZES[name] * scale))
