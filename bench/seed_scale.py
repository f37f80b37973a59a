"""The scale data set of issue 10: 5 associations, 5,000 businesses, 100,000
certificates, 110,000 applications, 500,000 metric values and 230,000
history rows, with a person in every role.

    DATABASE_URL=postgres://... python bench/seed_scale.py [--seed N] [--scale 1.0] [--reset] [--force]

Writes rows straight into the tables (PostgreSQL COPY; batched INSERTs
elsewhere, where a small --scale keeps it quick), with the ids chosen here,
so it takes a few minutes rather than hours. Nothing goes through the
services: the rows are what the services would have left behind. The same
--seed on the same day gives the same data (dates are relative to today, so
reminders and expiry always have work).

Every model the seeder writes is named in `models()` and every table is
written by `Writer.insert`: when a model moves app or gains a column, those
two places (and the row builder of that table) are all that change.

Every seeded login has the password BENCH_PASSWORD; like the demo, it refuses
to run with DEBUG off unless --force."""

import argparse
import base64
import datetime
import hashlib
import itertools
import os
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

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


def models() -> SimpleNamespace:
    """Every model the seeder writes, in one place."""
    from allauth.account.models import EmailAddress
    from django.contrib.contenttypes.models import ContentType

    from associations import models as associations
    from audits import models as audits
    from certification import models as certification
    from members import models as members

    return SimpleNamespace(
        ContentType=ContentType,
        EmailAddress=EmailAddress,
        Association=associations.Association,
        StaffMembership=associations.StaffMembership,
        CodeOfConduct=associations.CodeOfConduct,
        Standard=associations.Standard,
        Criterion=associations.Criterion,
        KpiDefinition=associations.KpiDefinition,
        CertificationLevel=associations.CertificationLevel,
        ActionLog=associations.ActionLog,
        User=members.User,
        Business=members.Business,
        BusinessUser=members.BusinessUser,
        Membership=members.Membership,
        MetricReport=members.MetricReport,
        MetricValue=members.MetricValue,
        Application=certification.Application,
        Evidence=certification.Evidence,
        ChangeRequest=certification.ChangeRequest,
        Certificate=certification.Certificate,
        CertificateSequence=certification.CertificateSequence,
        ReminderSent=certification.ReminderSent,
        AuditorProfile=audits.AuditorProfile,
        AuditorAssociations=audits.AuditorProfile.associations.through,
        Assignment=audits.Assignment,
        ConflictOfInterest=audits.ConflictOfInterest,
        Scorecard=audits.Scorecard,
        Score=audits.Score,
    )


class Writer:
    """Inserts plain rows ({attname: value}) into a model's table, filling
    what a row leaves out the way Django would (the field's default, now for
    auto_now fields, else NULL or ""). PostgreSQL gets one COPY per table."""

    def __init__(self, connection, batch_size: int = 2_000):
        self.connection = connection
        self.batch_size = batch_size
        self.now = None
        self.counts: dict[str, int] = defaultdict(int)

    def _columns(self, model):
        from django.db.models import JSONField

        columns = []
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                default = lambda: self.now  # noqa: E731
            else:
                default = field.get_default
            columns.append((field, field.attname, default, isinstance(field, JSONField)))
        return columns

    def insert(self, model, rows: Iterable[dict]) -> int:
        columns = self._columns(model)
        table = self.connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(self.connection.ops.quote_name(f.column) for f, *_ in columns)
        values = (tuple(row[a] if a in row else d() for _f, a, d, _j in columns) for row in rows)
        if self.connection.vendor == "postgresql":
            count = self._copy(table, names, columns, values)
        else:
            count = self._insert(table, names, columns, values)
        self.counts[model._meta.label] += count
        return count

    def _copy(self, table, names, columns, values) -> int:
        from psycopg.types.json import Jsonb

        json_at = [i for i, (_f, _a, _d, is_json) in enumerate(columns) if is_json]
        count = 0
        with (
            self.connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in values:
                if json_at:
                    row = list(row)
                    for i in json_at:
                        row[i] = Jsonb(row[i])
                copy.write_row(row)
                count += 1
        return count

    def _insert(self, table, names, columns, values) -> int:
        fields = [f for f, *_ in columns]
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"
        count = 0
        with self.connection.cursor() as cursor:
            while batch := list(itertools.islice(values, self.batch_size)):
                prepared = [
                    [f.get_db_prep_save(v, self.connection) for f, v in zip(fields, row, strict=True)]
                    for row in batch
                ]
                cursor.executemany(sql, prepared)
                count += len(batch)
        return count

    def reset_sequences(self, model_list) -> None:
        from django.core.management.color import no_style

        with self.connection.cursor() as cursor:
            for statement in self.connection.ops.sequence_reset_sql(no_style(), model_list):
                cursor.execute(statement)


class Ids:
    """The primary keys the seeder hands out, per table, from 1."""

    def __init__(self):
        self._next: dict[str, itertools.count] = defaultdict(lambda: itertools.count(1))

    def __call__(self, name: str) -> int:
        return next(self._next[name])


def add_months(day: datetime.date, months: int) -> datetime.date:
    import calendar

    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def scaled(name: str, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(SIZES[name] * scale))


class Seeder:
    def __init__(self, *, seed: int, scale: float, connection, out=print):
        self.rng = random.Random(seed)
        self.seed = seed
        self.scale = scale
        self.M = models()
        self.w = Writer(connection)
        self.ids = Ids()
        self.out = out
        from django.utils import timezone

        self.tz = timezone.get_current_timezone()
        self.today = timezone.localdate()
        # Everything happened before today began: the same --seed gives the
        # same rows all day, and nothing is dated in the future.
        self.now = datetime.datetime.combine(self.today, datetime.time(0, 0)).replace(tzinfo=self.tz)
        self.w.now = self.now
        self.history: dict[int, list[tuple]] = defaultdict(list)  # priority -> events
        self.timings: list[tuple[str, float, str]] = []

    # --- helpers ---------------------------------------------------------------

    def at(self, day: datetime.date, *, rng=None) -> datetime.datetime:
        """A moment during office hours of `day`."""
        rng = rng or self.rng
        moment = datetime.datetime.combine(day, datetime.time(8 + rng.randrange(10), rng.randrange(60)))
        return moment.replace(tzinfo=self.tz)

    def token(self) -> str:
        return base64.urlsafe_b64encode(self.rng.randbytes(24)).decode().rstrip("=")

    def log(self, priority: int, when, association_id, obj_type, obj_id, action, actor_id, data) -> None:
        self.history[priority].append((when, association_id, obj_type, obj_id, action, actor_id, data))

    def step(self, label: str, work) -> None:
        started = time.perf_counter()
        detail = work() or ""
        seconds = time.perf_counter() - started
        self.timings.append((label, seconds, detail))
        self.out(f"  {label:<38} {seconds:6.1f} s  {detail}")

    # --- the parts, in order ----------------------------------------------------

    def run(self) -> None:
        from django.db import transaction

        started = time.perf_counter()
        with transaction.atomic():
            self.step("shared files, content types", self.reference)
            self.step("associations and programmes", self.programmes)
            self.step("businesses and memberships", self.businesses)
            self.step("users and roles", self.people)
            self.step("certificates (approved applications)", self.certificates)
            self.step("renewal reminders", self.reminders)
            self.step("applications in the workflow", self.workflow)
            self.step("metric reports and values", self.metrics)
            self.step("history", self.write_history)
            self.step("sequences", self.sequences)
        self.step("vacuum and analyze", self.analyze)
        self.total = time.perf_counter() - started

    def reference(self) -> str:
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage

        for name in (EVIDENCE_FILE, CERTIFICATE_FILE):
            if not default_storage.exists(name):
                stored = default_storage.save(name, ContentFile(SHARED_PDF))
                assert stored == name, stored
        self.pdf_sha256 = hashlib.sha256(SHARED_PDF).hexdigest()
        from django.contrib.auth.hashers import make_password

        # One hash for every login: hashing 6,000 passwords would take minutes.
        self.password_hash = make_password(BENCH_PASSWORD, salt=f"scale{self.seed}")
        ct = self.M.ContentType.objects.get_for_model
        self.ct = SimpleNamespace(
            application=ct(self.M.Application).pk,
            certificate=ct(self.M.Certificate).pk,
            report=ct(self.M.MetricReport).pk,
        )
        return f"{len(SHARED_PDF)} bytes stored twice"

    def programmes(self) -> str:
        from config.demo import CODE_OF_CONDUCT, CRITERIA, KPIS, LEVELS

        M, w = self.M, self.w
        self.associations = []
        associations, codes, standards, kpis, criteria, levels = [], [], [], [], [], []
        for name, slug, prefix, country, languages, language, colour in ASSOCIATIONS:
            a = SimpleNamespace(id=self.ids("association"), prefix=prefix, country=country, name=name)
            published = self.now - datetime.timedelta(days=4 * 365)
            associations.append(
                {
                    "id": a.id,
                    "name": name,
                    "slug": slug,
                    "country": country,
                    "languages": languages,
                    "default_language": language,
                    "brand_colour": colour,
                    "certificate_prefix": prefix,
                    "validity_months": VALIDITY_MONTHS,
                    "reminder_offsets": REMINDER_OFFSETS,
                    "created_at": published,
                }
            )
            codes.append(
                {
                    "id": self.ids("code"),
                    "association_id": a.id,
                    "version": 1,
                    "title": "Code of Conduct for Member Businesses",
                    "body": CODE_OF_CONDUCT,
                    "status": "published",
                    "published_at": published,
                }
            )
            a.kpis = {}
            for order, (kpi_name, code, unit, higher, low, high, sampled) in enumerate(KPIS, 1):
                kpi = {
                    "id": self.ids("kpi"),
                    "association_id": a.id,
                    "code": code,
                    "name": kpi_name,
                    "unit": unit,
                    "higher_is_better": higher,
                    "min_value": Decimal(low),
                    "max_value": Decimal(high),
                    "has_sample_size": sampled,
                    "order": order,
                }
                kpis.append(kpi)
                a.kpis[code] = kpi["id"]
            a.standard_id = self.ids("standard")
            standards.append(
                {
                    "id": a.standard_id,
                    "association_id": a.id,
                    "name": "Customer Service Excellence",
                    "version": 1,
                    "description": "How well a member business serves its customers, measured across "
                    "the five SERVQUAL dimensions and its service KPIs.",
                    "status": "published",
                    "published_at": published,
                }
            )
            a.criteria = []  # (id, code, dimension, evidence required)
            for order, (code, dimension, weight, text, guidance, kpi, threshold) in enumerate(CRITERIA, 1):
                row = {
                    "id": self.ids("criterion"),
                    "standard_id": a.standard_id,
                    "code": code,
                    "text": text,
                    "dimension": str(dimension),
                    "weight": Decimal(weight),
                    "max_score": 5,
                    "evidence_required": kpi is None,
                    "guidance": guidance,
                    "kpi_id": a.kpis[kpi] if kpi else None,
                    "kpi_threshold": Decimal(threshold) if threshold else None,
                    "order": order,
                }
                criteria.append(row)
                a.criteria.append((row["id"], code, str(dimension), kpi is None))
            a.levels = []  # (min score, id, name), highest first
            for level_name, min_score in LEVELS:
                level_id = self.ids("level")
                levels.append(
                    {
                        "id": level_id,
                        "association_id": a.id,
                        "name": level_name,
                        "min_score": Decimal(min_score),
                    }
                )
                a.levels.insert(0, (min_score, level_id, level_name))
            self.associations.append(a)
        w.insert(M.Association, associations)
        w.insert(M.CodeOfConduct, codes)
        w.insert(M.KpiDefinition, kpis)
        w.insert(M.Standard, standards)
        w.insert(M.Criterion, criteria)
        w.insert(M.CertificationLevel, levels)
        return f"{len(associations)} associations, {len(criteria)} criteria, {len(kpis)} KPIs"

    def businesses(self) -> str:
        from django.utils.text import slugify

        rng = self.rng
        count = scaled("businesses", self.scale, 5)
        rows, memberships, used = [], [], set()
        self.business_quality: dict[int, float] = {}
        self.business_city: dict[int, str] = {}
        self.pairs = []  # memberships: SimpleNamespace(business, association, active)
        numbers = defaultdict(int)
        for _ in range(count):
            home = rng.choice(self.associations)
            city = rng.choice(CITIES[home.country])
            base = f"{rng.choice(NAME_PREFIXES)} {rng.choice(TRADES)}"
            name = base
            n = 1
            while name in used:
                n += 1
                name = f"{base} {city}" if n == 2 else f"{base} {n}"
            used.add(name)
            suffix = rng.choice(NAME_SUFFIXES)
            business_id = self.ids("business")
            rows.append(
                {
                    "id": business_id,
                    "name": name,
                    "legal_name": name + suffix if suffix else "",
                    "city": city,
                    "country": home.country,
                    "website": f"https://www.{slugify(name)}.example.com" if rng.random() < 0.6 else "",
                    "created_at": self.now - datetime.timedelta(days=rng.randrange(900, 3000)),
                }
            )
            self.business_quality[business_id] = rng.random()
            self.business_city[business_id] = city
            # Most businesses belong to one association; some to two or three.
            extra = rng.choices([0, 1, 2], weights=[60, 30, 10])[0]
            others = [a for a in self.associations if a is not home]
            for association in [home, *rng.sample(others, extra)]:
                numbers[association.id] += 1
                status = rng.choices(["active", "suspended", "lapsed"], weights=[97, 2, 1])[0]
                memberships.append(
                    {
                        "id": self.ids("membership"),
                        "association_id": association.id,
                        "business_id": business_id,
                        "member_number": f"{association.prefix}-{numbers[association.id]:05d}",
                        "status": status,
                        "joined_on": self.today - datetime.timedelta(days=rng.randrange(400, 3000)),
                    }
                )
                self.pairs.append(
                    SimpleNamespace(business=business_id, association=association, active=status == "active")
                )
        self.w.insert(self.M.Business, rows)
        self.w.insert(self.M.Membership, memberships)
        self.business_names = {r["id"]: r["name"] for r in rows}
        return f"{len(rows):,} businesses, {len(memberships):,} memberships"

    def people(self) -> str:
        M, rng = self.M, self.rng
        users, emails, staff, auditors, auditor_links, business_users = [], [], [], [], [], []

        def user(email: str, name: str, *, language: str = "en", superuser: bool = False) -> int:
            user_id = self.ids("user")
            users.append(
                {
                    "id": user_id,
                    "email": email,
                    "name": name,
                    "language": language,
                    "password": self.password_hash,
                    "is_superuser": superuser,
                    "is_staff": superuser,
                    "is_active": True,
                    "date_joined": self.now - datetime.timedelta(days=1000),
                }
            )
            emails.append(
                {
                    "id": self.ids("email"),
                    "user_id": user_id,
                    "email": email,
                    "verified": True,
                    "primary": True,
                }
            )
            return user_id

        user(f"superuser@{EMAIL_DOMAIN}", "Platform Superuser", superuser=True)
        self.auditors_of: dict[int, list[tuple[int, int, str]]] = defaultdict(
            list
        )  # active (profile, user, name)
        inactive_auditors: dict[int, tuple[int, int, str]] = {}
        for a in self.associations:
            slug = a.prefix.lower()
            a.staff = {}
            for role in ("admin", "officer", "viewer"):
                a.staff[role] = user(f"{role}@{slug}.{EMAIL_DOMAIN}", f"{a.prefix} {role.title()}")
                staff.append(
                    {"id": self.ids("staff"), "association_id": a.id, "user_id": a.staff[role], "role": role}
                )
            people = [(a.staff["officer"], f"{a.prefix} Officer")]
            for n in range(1, scaled("auditors_per_association", min(1.0, self.scale * 10), 2) + 1):
                name = f"{a.prefix} Auditor {n}"
                people.append((user(f"auditor{n}@{slug}.{EMAIL_DOMAIN}", name), name))
            for n, (user_id, name) in enumerate(people):
                profile_id = self.ids("auditor")
                # The last one has left: past assignments only, never offered again.
                active = n < len(people) - 1 or len(people) < 3
                auditors.append(
                    {
                        "id": profile_id,
                        "user_id": user_id,
                        "expertise": "Customer service audits",
                        "is_active": active,
                        "created_at": self.now - datetime.timedelta(days=900),
                    }
                )
                auditor_links.append(
                    {"id": self.ids("auditor_link"), "auditorprofile_id": profile_id, "association_id": a.id}
                )
                if active:
                    self.auditors_of[a.id].append((profile_id, user_id, name))
                else:
                    inactive_auditors[a.id] = (profile_id, user_id, name)
        # Two auditors of each association also audit for the next one.
        for i, a in enumerate(self.associations):
            following = self.associations[(i + 1) % len(self.associations)]
            for profile_id, user_id, name in self.auditors_of[a.id][1:3]:
                auditor_links.append(
                    {
                        "id": self.ids("auditor_link"),
                        "auditorprofile_id": profile_id,
                        "association_id": following.id,
                    }
                )
                self.auditors_of[following.id].append((profile_id, user_id, name))
        self.inactive_auditors = inactive_auditors

        self.owner_of: dict[int, int] = {}
        for business_id, name in self.business_names.items():
            language = rng.choices(["en", "ur", "bn"], weights=[70, 20, 10])[0]
            owner = user(f"owner{business_id}@{EMAIL_DOMAIN}", f"Owner of {name}", language=language)
            self.owner_of[business_id] = owner
            business_users.append(
                {
                    "id": self.ids("business_user"),
                    "business_id": business_id,
                    "user_id": owner,
                    "role": "owner",
                }
            )
            if rng.random() < 0.2:
                editor = user(f"editor{business_id}@{EMAIL_DOMAIN}", f"Editor at {name}")
                business_users.append(
                    {
                        "id": self.ids("business_user"),
                        "business_id": business_id,
                        "user_id": editor,
                        "role": "editor",
                    }
                )
        self.w.insert(M.User, users)
        self.w.insert(M.EmailAddress, emails)
        self.w.insert(M.StaffMembership, staff)
        self.w.insert(M.AuditorProfile, auditors)
        self.w.insert(M.AuditorAssociations, auditor_links)
        self.w.insert(M.BusinessUser, business_users)
        return f"{len(users):,} users ({len(auditors)} auditors, {len(staff)} staff)"

    # --- certificates -------------------------------------------------------------

    def _scores(self, quality: float, rng) -> tuple[Decimal, dict[str, str]]:
        overall = min(99.0, 60 + 38 * quality + rng.uniform(-3, 3))
        overall = max(60.0, overall)
        dimensions = {
            d: f"{max(40.0, min(100.0, overall + rng.uniform(-8, 8))):.2f}"
            for d in ("reliability", "responsiveness", "assurance", "empathy", "tangibles")
        }
        return Decimal(f"{overall:.2f}"), dimensions

    def _valid_until(self, status: str) -> datetime.date:
        """Spread over three years: a year back to two years ahead."""
        rng, today = self.rng, self.today
        if status in ("active", "suspended"):  # the nightly job expires both past their date
            if rng.random() < ACTIVE_PAST_DATE:
                return today - datetime.timedelta(days=rng.randint(1, 7))
            return today + datetime.timedelta(days=rng.randint(0, 730))
        if status == "expired":
            return today - datetime.timedelta(days=rng.randint(1, 365))
        return today + datetime.timedelta(days=rng.randint(-365, 730))

    def certificates(self) -> str:
        M, rng = self.M, self.rng
        count = scaled("certificates", self.scale, 10)
        active_pairs = [p for p in self.pairs if p.active]
        # Some businesses hold many more certificates than others.
        weights = [0.3 + 2 * self.business_quality[p.business] for p in active_pairs]
        statuses = [s for s, _share in CERTIFICATE_STATUSES]
        status_weights = [share for _s, share in CERTIFICATE_STATUSES]
        status_weights.append(1 - sum(status_weights))
        statuses.append("active")
        planned = []
        for pair in rng.choices(active_pairs, weights=weights, k=count):
            status = rng.choices(statuses, weights=status_weights)[0]
            valid_until = self._valid_until(status)
            valid_from = add_months(valid_until, -VALIDITY_MONTHS)
            issued_at = self.at(valid_from)
            if issued_at > self.now:
                issued_at = self.now - datetime.timedelta(minutes=rng.randint(5, 300))
            planned.append((issued_at, pair, status, valid_from, valid_until))
        planned.sort(key=lambda row: (row[0], row[1].business))

        applications, certificates = [], []
        self.sequence = defaultdict(int)  # (association, year) -> last number
        self.latest_certificate = {}  # (business, association) -> (id, status, valid_until)
        self.active_certificates = []  # (id, association id, valid_until)
        # The most recent few have no PDF or email yet: the sweep's work.
        unrendered = max(1, count // 5000)
        for n, (issued_at, pair, status, valid_from, valid_until) in enumerate(planned):
            a = pair.association
            quality = self.business_quality[pair.business]
            overall, dimensions = self._scores(quality, rng)
            level = next(lv for lv in a.levels if overall >= lv[0])
            created = issued_at - datetime.timedelta(days=rng.randint(30, 120), hours=rng.randint(0, 8))
            submitted = created + datetime.timedelta(days=rng.randint(1, 20))
            application_id = self.ids("application")
            applications.append(
                {
                    "id": application_id,
                    "business_id": pair.business,
                    "association_id": a.id,
                    "standard_id": a.standard_id,
                    "status": "approved",
                    "created_by_id": self.owner_of[pair.business],
                    "created_at": created,
                    "submitted_at": submitted,
                    "decided_at": issued_at - datetime.timedelta(minutes=rng.randint(1, 30)),
                    "decided_by_id": a.staff[rng.choice(("admin", "officer"))],
                    "level_id": level[1],
                    "decision_reason": "",
                }
            )
            self.sequence[(a.id, valid_from.year)] += 1
            certificate_id = self.ids("certificate")
            rendered = n < count - unrendered
            reason = {
                "suspended": "Complaints under investigation by the association.",
                "revoked": "Repeated breaches of the code of conduct.",
            }.get(status, "")
            certificates.append(
                {
                    "id": certificate_id,
                    "application_id": application_id,
                    "association_id": a.id,
                    "business_id": pair.business,
                    "number": f"{a.prefix}-{valid_from.year}-{self.sequence[(a.id, valid_from.year)]:06d}",
                    "verification_token": self.token(),
                    "status": status,
                    "status_reason": reason,
                    "language": "en",
                    "holder_name": self.business_names[pair.business],
                    "holder_city": self.business_city[pair.business],
                    "association_name": a.name,
                    "standard_name": "Customer Service Excellence",
                    "standard_version": 1,
                    "level_name": level[2],
                    "overall_score": overall,
                    "dimension_scores": dimensions,
                    "issued_at": issued_at,
                    "valid_from": valid_from,
                    "valid_until": valid_until,
                    "pdf": CERTIFICATE_FILE if rendered else "",
                    "pdf_sha256": self.pdf_sha256 if rendered else "",
                    "verification_count": rng.randint(0, 40),
                    "issued_email_sent_at": issued_at + datetime.timedelta(minutes=2) if rendered else None,
                }
            )
            self.latest_certificate[(pair.business, a.id)] = (certificate_id, status, valid_until)
            if status == "active":
                self.active_certificates.append((certificate_id, a.id, valid_until))
            self.log(
                4,
                issued_at - datetime.timedelta(minutes=1),
                a.id,
                self.ct.application,
                application_id,
                "application.approve",
                applications[-1]["decided_by_id"],
                {"from": "scored", "to": "approved", "reason": "", "level": level[2]},
            )
            self.log(
                5,
                issued_at,
                a.id,
                self.ct.certificate,
                certificate_id,
                "certificate.created",
                None,
                {"number": certificates[-1]["number"], "application": application_id},
            )
            if status in ("suspended", "revoked"):
                action = "suspend" if status == "suspended" else "revoke"
                self.log(
                    2,
                    min(self.now, issued_at + datetime.timedelta(days=rng.randint(30, 300))),
                    a.id,
                    self.ct.certificate,
                    certificate_id,
                    f"certificate.{action}",
                    a.staff["admin"],
                    {"from": "active", "to": status, "reason": reason},
                )
        self.w.insert(M.Application, applications)
        self.w.insert(M.Certificate, certificates)
        by_status = defaultdict(int)
        for c in certificates:
            by_status[c["status"]] += 1
        return ", ".join(f"{s} {n:,}" for s, n in sorted(by_status.items()))

    def reminders(self) -> str:
        """Reminders already sent for the offsets a certificate has passed;
        the current one sent for most, claimed but unsent for a few, and not
        yet sent for the rest (the daily job's work)."""
        rng, rows, unsent = self.rng, [], 0
        for certificate_id, _association, valid_until in self.active_certificates:
            days_left = (valid_until - self.today).days
            reached = sorted(o for o in REMINDER_OFFSETS if 0 <= days_left <= o)
            if not reached:
                continue
            current, earlier = reached[0], reached[1:]
            for offset in earlier:
                sent = self.at(valid_until - datetime.timedelta(days=offset), rng=rng)
                rows.append(
                    {
                        "id": self.ids("reminder"),
                        "certificate_id": certificate_id,
                        "offset_days": offset,
                        "claimed_at": sent,
                        "sent_at": sent,
                    }
                )
            fate = rng.random()
            claimed = min(self.now, self.at(valid_until - datetime.timedelta(days=current), rng=rng))
            if fate < 0.75:
                rows.append(
                    {
                        "id": self.ids("reminder"),
                        "certificate_id": certificate_id,
                        "offset_days": current,
                        "claimed_at": claimed,
                        "sent_at": claimed,
                    }
                )
            elif fate < 0.80:
                rows.append(
                    {
                        "id": self.ids("reminder"),
                        "certificate_id": certificate_id,
                        "offset_days": current,
                        "claimed_at": claimed,
                        "sent_at": None,
                    }
                )
                unsent += 1
            else:
                unsent += 1
        self.w.insert(self.M.ReminderSent, rows)
        return f"{len(rows):,} sent or claimed, {unsent:,} due and not sent"

    # --- applications in the workflow ----------------------------------------------

    def workflow(self) -> str:
        rng = self.rng
        count = scaled("workflow_applications", self.scale, len(WORKFLOW_STATES))
        states = [s for s, _share in WORKFLOW_STATES]
        shares = [share for _s, share in WORKFLOW_STATES]
        planned = rng.choices(states, weights=shares, k=count)
        # One open application per business and standard: open ones take a
        # membership each, closed ones any membership.
        free = [p for p in self.pairs if p.active]
        rng.shuffle(free)
        open_wanted = sum(1 for s in planned if s in OPEN_STATES)
        if open_wanted > len(free):  # a tiny --scale: fewer memberships than open applications
            planned = [s if s not in OPEN_STATES else "withdrawn" for s in planned]
            for i in range(len(free)):
                planned[i] = states[i % 5]
        rows = SimpleNamespace(
            applications=[],
            evidence=[],
            change_requests=[],
            assignments=[],
            scorecards=[],
            scores=[],
            conflicts={},
        )
        active_pairs = [p for p in self.pairs if p.active]
        for state in planned:
            pair = free.pop() if state in OPEN_STATES else rng.choice(active_pairs)
            self._application(state, pair, rows)
        M, w = self.M, self.w
        w.insert(M.Application, rows.applications)
        w.insert(M.Evidence, rows.evidence)
        w.insert(M.ChangeRequest, rows.change_requests)
        w.insert(M.Assignment, rows.assignments)
        w.insert(M.Scorecard, rows.scorecards)
        w.insert(M.Score, rows.scores)
        w.insert(M.ConflictOfInterest, rows.conflicts.values())
        by_state = defaultdict(int)
        for a in rows.applications:
            by_state[a["status"]] += 1
        return (
            ", ".join(f"{s} {n:,}" for s, n in sorted(by_state.items()))
            + f"; evidence {len(rows.evidence):,}, assignments {len(rows.assignments):,}, "
            f"scores {len(rows.scores):,}"
        )

    def _application(self, state: str, pair, rows) -> None:
        rng, a, ct = self.rng, pair.association, self.ct.application
        business, owner = pair.business, self.owner_of[pair.business]
        application_id = self.ids("application")
        if state in OPEN_STATES:
            created = self.now - datetime.timedelta(days=rng.randint(3, 120), hours=rng.randint(0, 8))
        else:
            created = self.now - datetime.timedelta(days=rng.randint(130, 900), hours=rng.randint(0, 8))
        row = {
            "id": application_id,
            "business_id": business,
            "association_id": a.id,
            "standard_id": a.standard_id,
            "status": state,
            "created_by_id": owner,
            "created_at": created,
            "decision_reason": "",
        }
        rows.applications.append(row)
        latest = self.latest_certificate.get((business, a.id))
        if state in OPEN_STATES and latest and rng.random() < 0.4:
            row["renews_id"] = latest[0]
        clock = [created]

        def later(hours: float) -> datetime.datetime:
            clock[0] = min(self.now, clock[0] + datetime.timedelta(hours=hours * rng.uniform(0.5, 1.5)))
            return clock[0]

        def log(priority, action, actor, data) -> None:
            self.log(priority, later(2), a.id, ct, application_id, action, actor, data)

        # Open applications' histories come first; closed ones keep only their transitions.
        p, detail = (1, True) if state in OPEN_STATES else (3, False)
        log(p, "application.created", owner, {"to": "draft"})
        required = [c for c in a.criteria if c[3]]
        if state in ("draft", "withdrawn"):
            with_evidence = rng.sample(required, rng.randint(0, len(required)))
        else:
            with_evidence = required
        for criterion_id, code, _dimension, _required in with_evidence:
            uploaded = later(3)
            rows.evidence.append(
                {
                    "id": self.ids("evidence"),
                    "application_id": application_id,
                    "criterion_id": criterion_id,
                    "file": EVIDENCE_FILE,
                    "original_name": f"{code.lower()}-evidence.pdf",
                    "content_type": "application/pdf",
                    "size": len(SHARED_PDF),
                    "sha256": self.pdf_sha256,
                    "description": "Policy document and last quarter's records",
                    "uploaded_by_id": owner,
                    "uploaded_at": uploaded,
                }
            )
            if detail:
                self.log(
                    p,
                    uploaded,
                    a.id,
                    ct,
                    application_id,
                    "evidence.added",
                    owner,
                    {"criterion": code, "name": f"{code.lower()}-evidence.pdf", "sha256": self.pdf_sha256},
                )
        if state == "draft":
            return
        if state == "withdrawn" and len(with_evidence) < len(required):
            row["status"] = "withdrawn"
            log(
                p, "application.withdraw", owner, {"from": "draft", "to": "withdrawn", "reason": "Not ready."}
            )
            return
        row["submitted_at"] = later(24)
        log(p, "application.submit", owner, {"from": "draft", "to": "submitted", "reason": ""})

        # Auditors: submitted ones wait for one (half of them) or for the declaration.
        if state in ("submitted", "withdrawn"):
            auditors = 1 if rng.random() < 0.5 else 0
        elif state in ("scored", "rejected"):
            auditors = 2 if rng.random() < 0.7 else 1
        else:
            auditors = rng.choice((1, 2))
        pool = list(self.auditors_of[a.id])
        chosen = rng.sample(pool, min(auditors, len(pool)))
        if (
            state in ("rejected", "withdrawn")
            and a.id in self.inactive_auditors
            and chosen
            and rng.random() < 0.3
        ):
            chosen[0] = self.inactive_auditors[a.id]
        assignments = []
        for index, (profile_id, auditor_user, auditor_name) in enumerate(chosen):
            assigned = later(24)
            due = (assigned + datetime.timedelta(days=rng.randint(10, 30))).date()
            if state in ("submitted", "withdrawn"):
                declaration = "conflict" if rng.random() < 0.03 else "pending"
            elif state == "in_review" and index == 1 and rng.random() < 0.4:
                declaration = "pending"
            else:
                declaration = "no_conflict"
            assignment = {
                "id": self.ids("assignment"),
                "application_id": application_id,
                "auditor_id": profile_id,
                "due_date": due,
                "assigned_by_id": a.staff["officer"],
                "assigned_at": assigned,
                "declaration": declaration,
                "conflict_reason": "I advised the owner last year." if declaration == "conflict" else "",
                "declared_at": later(12) if declaration != "pending" else None,
                "notified_at": assigned + datetime.timedelta(minutes=1),
            }
            rows.assignments.append(assignment)
            assignments.append((assignment, auditor_user, auditor_name))
            log(
                p,
                "audit.assigned",
                a.staff["officer"],
                {"auditor": auditor_name, "due_date": due.isoformat()},
            )
            if declaration == "conflict":
                rows.conflicts.setdefault(
                    (profile_id, business),
                    {
                        "id": self.ids("conflict"),
                        "auditor_id": profile_id,
                        "business_id": business,
                        "reason": "I advised the owner last year.",
                        "declared_at": assignment["declared_at"],
                    },
                )
                log(
                    p,
                    "audit.conflict_declared",
                    auditor_user,
                    {
                        "auditor": auditor_name,
                        "before": "pending",
                        "after": "conflict",
                        "reason": "I advised the owner last year.",
                    },
                )
            elif declaration == "no_conflict":
                log(
                    p,
                    "audit.no_conflict",
                    auditor_user,
                    {"auditor": auditor_name, "before": "pending", "after": "no_conflict"},
                )
                if index == 0:
                    log(
                        p,
                        "application.start_review",
                        auditor_user,
                        {"from": "submitted", "to": "in_review", "reason": ""},
                    )
        if state == "submitted":
            return
        if state == "withdrawn":
            log(
                p,
                "application.withdraw",
                owner,
                {"from": "submitted", "to": "withdrawn", "reason": "Not ready."},
            )
            return

        cleared = [x for x in assignments if x[0]["declaration"] == "no_conflict"]
        quality = self.business_quality[business]
        # A previous round of changes, answered and resolved.
        if state in ("in_review", "scored", "rejected") and cleared and rng.random() < 0.3:
            self._change_requests(
                rows, application_id, a, cleared[0], owner, log, p, resolved=True, later=later
            )
        if state == "changes_requested":
            self._change_requests(
                rows, application_id, a, cleared[0], owner, log, p, resolved=False, later=later
            )
        submit = state in ("scored", "rejected")
        for assignment, auditor_user, auditor_name in cleared:
            if not submit and rng.random() < 0.4:
                continue  # not started scoring yet
            scorecard_id = self.ids("scorecard")
            started = later(24)
            rows.scorecards.append(
                {
                    "id": scorecard_id,
                    "assignment_id": assignment["id"],
                    "created_at": started,
                    "updated_at": later(4),
                    "submitted_at": later(1) if submit else None,
                }
            )
            criteria = a.criteria if submit else a.criteria[: rng.randint(1, len(a.criteria))]
            for criterion_id, _code, _dimension, _required in criteria:
                # Auditors agree within a point: no consensus is needed.
                score = max(1, min(5, round(1 + 4 * quality + rng.uniform(-0.6, 0.6))))
                rows.scores.append(
                    {
                        "id": self.ids("score"),
                        "scorecard_id": scorecard_id,
                        "criterion_id": criterion_id,
                        "score": score,
                        "comment": "Seen on site." if score >= 3 else "Records incomplete; see notes.",
                    }
                )
            log(p, "audit.scores_saved", auditor_user, {"auditor": auditor_name, "before": {}, "after": {}})
            if submit:
                log(p, "audit.scorecard_submitted", auditor_user, {"auditor": auditor_name})
        if state in ("scored", "rejected"):
            log(
                p,
                "application.mark_scored",
                cleared[-1][1],
                {"from": "in_review", "to": "scored", "reason": ""},
            )
        if state == "rejected":
            row["decided_at"] = later(48)
            row["decided_by_id"] = a.staff["admin"]
            row["decision_reason"] = "The complaints process does not meet REL-1 and RSP-2."
            log(
                p,
                "application.reject",
                a.staff["admin"],
                {"from": "scored", "to": "rejected", "reason": row["decision_reason"]},
            )

    def _change_requests(self, rows, application_id, a, auditor, owner, log, p, *, resolved, later) -> None:
        rng = self.rng
        _assignment, auditor_user, _name = auditor
        asked = [c for c in a.criteria if c[3]]
        log(
            p,
            "application.request_changes",
            auditor_user,
            {"from": "in_review", "to": "changes_requested", "reason": "Some evidence is missing."},
        )
        for criterion_id, code, _dimension, _required in rng.sample(asked, rng.randint(1, 3)):
            requested = later(2)
            answered = resolved or rng.random() < 0.4
            rows.change_requests.append(
                {
                    "id": self.ids("change_request"),
                    "application_id": application_id,
                    "criterion_id": criterion_id,
                    "message": "Add last quarter's complaint log.",
                    "requested_by_id": auditor_user,
                    "requested_at": requested,
                    "response": "Added the log for April to June." if answered else "",
                    "responded_at": later(24) if answered else None,
                    "resolved_at": later(24) if resolved else None,
                }
            )
            if answered:
                log(p, "change_request.answered", owner, {"criterion": code, "response": "Added the log."})
        if resolved:
            log(
                p,
                "application.resubmit",
                owner,
                {"from": "changes_requested", "to": "in_review", "reason": ""},
            )

    # --- service metrics ----------------------------------------------------------------

    def metrics(self) -> str:
        rng = self.rng
        target_reports = scaled("metric_values", self.scale, 5) // 5
        pairs = self.pairs
        # Between half and one and a half times the average number of months per membership.
        average = target_reports / len(pairs)
        months = [max(1, round(average * rng.uniform(0.5, 1.5))) for _ in pairs]
        while sum(months) != target_reports:  # hit the total exactly
            i = rng.randrange(len(months))
            if sum(months) > target_reports and months[i] > 1:
                months[i] -= 1
            elif sum(months) < target_reports:
                months[i] += 1
        last_month = (self.today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        reports, values = [], []
        for pair, n in zip(pairs, months, strict=True):
            a, quality = pair.association, self.business_quality[pair.business]
            # A fifth have not reported last month yet.
            end = add_months(last_month, -1) if rng.random() < 0.2 else last_month
            source = rng.choices(["form", "csv", "api"], weights=[50, 30, 20])[0]
            for step in range(n):
                period = add_months(end, step - n + 1)
                report_id = self.ids("report")
                when = min(
                    self.now, self.at(add_months(period, 1) + datetime.timedelta(days=rng.randint(0, 9)))
                )
                reports.append(
                    {
                        "id": report_id,
                        "business_id": pair.business,
                        "association_id": a.id,
                        "period": period,
                        "submitted_by_id": self.owner_of[pair.business],
                        "source": source,
                        "created_at": when,
                        "updated_at": when,
                    }
                )
                trend = step / max(1, n)
                for code, value, sample in self._kpi_values(quality, trend, rng):
                    values.append(
                        {
                            "id": self.ids("metric_value"),
                            "report_id": report_id,
                            "kpi_id": a.kpis[code],
                            "value": value,
                            "sample_size": sample,
                        }
                    )
        self.w.insert(self.M.MetricReport, reports)
        self.w.insert(self.M.MetricValue, values)
        return f"{len(reports):,} reports, {len(values):,} values"

    @staticmethod
    def _kpi_values(quality: float, trend: float, rng) -> list[tuple[str, Decimal, int | None]]:
        """The demo's formulas (config/demo_activity.py): better businesses score better."""

        def clamp(x: float, low: float, high: float) -> float:
            return max(low, min(high, x))

        return [
            (
                "csat",
                Decimal(f"{clamp(70 + 20 * quality + 4 * trend + rng.uniform(-3, 3), 0, 100):.1f}"),
                rng.randint(80, 400),
            ),
            (
                "nps",
                Decimal(f"{clamp(5 + 40 * quality + 5 * trend + rng.uniform(-6, 6), -100, 100):.0f}"),
                rng.randint(60, 300),
            ),
            ("fcr", Decimal(f"{clamp(60 + 25 * quality + rng.uniform(-4, 4), 0, 100):.1f}"), None),
            (
                "first_response_hours",
                Decimal(f"{clamp(30 - 22 * quality + rng.uniform(-2, 2), 0, 720):.1f}"),
                None,
            ),
            (
                "resolution_hours",
                Decimal(f"{clamp(200 - 120 * quality + rng.uniform(-20, 20), 0, 2160):.0f}"),
                None,
            ),
        ]

    # --- history, sequences, statistics ----------------------------------------------------

    def write_history(self) -> str:
        """The most telling entries first (open applications' whole histories,
        certificate status changes, closed applications' transitions, then
        approvals and issuances) up to the target count, oldest first."""
        target = scaled("history", self.scale, 10)
        chosen = []
        for priority in sorted(self.history):
            chosen.extend(self.history[priority][: target - len(chosen)])
        available = sum(len(events) for events in self.history.values())
        chosen.sort(key=lambda event: (event[0], event[3]))
        rows = (
            {
                "id": self.ids("history"),
                "created_at": when,
                "association_id": association_id,
                "content_type_id": content_type,
                "object_id": object_id,
                "action": action,
                "actor_id": actor,
                "data": data,
            }
            for when, association_id, content_type, object_id, action, actor, data in chosen
        )
        written = self.w.insert(self.M.ActionLog, rows)
        return f"{written:,} of {available:,} possible entries"

    def sequences(self) -> str:
        M = self.M
        self.w.insert(
            M.CertificateSequence,
            (
                {"id": self.ids("sequence"), "association_id": association, "year": year, "last_value": last}
                for (association, year), last in sorted(self.sequence.items())
            ),
        )
        written = [
            M.Association,
            M.CodeOfConduct,
            M.KpiDefinition,
            M.Standard,
            M.Criterion,
            M.CertificationLevel,
            M.Business,
            M.Membership,
            M.User,
            M.EmailAddress,
            M.StaffMembership,
            M.AuditorProfile,
            M.AuditorAssociations,
            M.BusinessUser,
            M.Application,
            M.Certificate,
            M.ReminderSent,
            M.Evidence,
            M.ChangeRequest,
            M.Assignment,
            M.Scorecard,
            M.Score,
            M.ConflictOfInterest,
            M.MetricReport,
            M.MetricValue,
            M.ActionLog,
            M.CertificateSequence,
        ]
        self.w.reset_sequences(written)
        return f"{len(self.sequence)} certificate number sequences"

    def analyze(self) -> str:
        """Statistics and the visibility map as autovacuum would leave them on
        a live database (index-only scans need the latter): vacuumed here,
        since autovacuum may be off or slow to get round to it."""
        vacuum = "VACUUM (ANALYZE)" if self.w.connection.vendor == "postgresql" else "ANALYZE"
        with self.w.connection.cursor() as cursor:
            cursor.execute(vacuum)
        return vacuum


# --- the command -------------------------------------------------------------------------


def database_state() -> str:
    """'empty', 'scale' (this seeder's data) or 'other'."""
    from django.db import connection

    M = models()
    if M.Association._meta.db_table not in connection.introspection.table_names():
        return "empty"  # not even migrated
    if M.Association.objects.filter(slug=ASSOCIATIONS[0][1]).exists():
        return "scale"
    if M.User.objects.exists() or M.Association.objects.exists() or M.Business.objects.exists():
        return "other"
    return "empty"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=10, help="random seed (default 10)")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of the issue's sizes (default 1.0)"
    )
    parser.add_argument("--reset", action="store_true", help="empty a database that has data first")
    parser.add_argument("--force", action="store_true", help="run even with DEBUG off")
    parser.add_argument("--status", action="store_true", help="print empty, scale or other, and stop")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if args.status:
        print(database_state())
        return 0
    if not settings.DEBUG and not args.force:
        print(
            "DEBUG is off: this looks like production, and every seeded login shares a published "
            "password. Run with --force if you really want the scale data here.",
            file=sys.stderr,
        )
        return 2
    if args.scale <= 0:
        parser.error("--scale must be positive")
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']}; "
        f"seed {args.seed}, scale {args.scale}"
    )
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    state = database_state()
    if state != "empty":
        if not args.reset:
            print(f"The database has data ({state}); run with --reset to replace it.", file=sys.stderr)
            return 3
        call_command("flush", interactive=False, verbosity=0)
        print(f"  {'migrate and empty the database':<38} {time.perf_counter() - started:6.1f} s")
    else:
        print(f"  {'migrate':<38} {time.perf_counter() - started:6.1f} s")

    seeder = Seeder(seed=args.seed, scale=args.scale, connection=connection)
    seeder.run()
    print()
    for label, n in sorted(seeder.w.counts.items()):
        print(f"  {label:<38} {n:>10,}")
    print(f"\nseeded in {time.perf_counter() - started:.0f} s. Every login's password: {BENCH_PASSWORD}")
    admin = f"admin@{ASSOCIATIONS[0][2].lower()}.{EMAIL_DOMAIN}"
    print(f"e.g. {admin} (staff admin), auditor1@psa.{EMAIL_DOMAIN}, owner1@{EMAIL_DOMAIN} (business owner)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
