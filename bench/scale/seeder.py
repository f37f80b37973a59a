"""The seeder's state (ids, dates, what later parts need from earlier
ones) and the small tables; the large ones are built by certificates.py,
workflow.py and metrics.py."""

import base64
import datetime
import hashlib
import random
import time
from collections import defaultdict
from decimal import Decimal
from types import SimpleNamespace

from . import certificates, metrics, workflow
from .plan import (
    ASSOCIATIONS,
    BENCH_PASSWORD,
    CERTIFICATE_FILE,
    CITIES,
    EMAIL_DOMAIN,
    EVIDENCE_FILE,
    NAME_PREFIXES,
    NAME_SUFFIXES,
    REMINDER_OFFSETS,
    SHARED_PDF,
    TRADES,
    VALIDITY_MONTHS,
    scaled,
)
from .tables import Ids, Writer, models


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
            self.step("certificates (approved applications)", lambda: certificates.certificates(self))
            self.step("renewal reminders", lambda: certificates.reminders(self))
            self.step("applications in the workflow", lambda: workflow.workflow(self))
            self.step("metric reports and values", lambda: metrics.metrics(self))
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
        users, emails, staff, auditors, auditor_memberships, business_users = [], [], [], [], [], []

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
                auditor_memberships.append(self._auditor_membership(profile_id, a.id))
                if active:
                    self.auditors_of[a.id].append((profile_id, user_id, name))
                else:
                    inactive_auditors[a.id] = (profile_id, user_id, name)
        # Two auditors of each association also audit for the next one.
        for i, a in enumerate(self.associations):
            following = self.associations[(i + 1) % len(self.associations)]
            for profile_id, user_id, name in self.auditors_of[a.id][1:3]:
                auditor_memberships.append(self._auditor_membership(profile_id, following.id))
                self.auditors_of[following.id].append((profile_id, user_id, name))
        self.inactive_auditors = inactive_auditors

        # A business user's role is granted per association: the owner has
        # one in every association the business belongs to, an editor in its first.
        associations_of = defaultdict(list)
        for pair in self.pairs:
            associations_of[pair.business].append(pair.association.id)

        def business_user(business_id: int, user_id: int, association_id: int, role: str) -> dict:
            return {
                "id": self.ids("business_user"),
                "business_id": business_id,
                "user_id": user_id,
                "association_id": association_id,
                "role": role,
            }

        self.owner_of: dict[int, int] = {}
        for business_id, name in self.business_names.items():
            language = rng.choices(["en", "ur", "bn"], weights=[70, 20, 10])[0]
            owner = user(f"owner{business_id}@{EMAIL_DOMAIN}", f"Owner of {name}", language=language)
            self.owner_of[business_id] = owner
            business_users += [
                business_user(business_id, owner, association_id, "owner")
                for association_id in associations_of[business_id]
            ]
            if rng.random() < 0.2:
                editor = user(f"editor{business_id}@{EMAIL_DOMAIN}", f"Editor at {name}")
                business_users.append(
                    business_user(business_id, editor, associations_of[business_id][0], "editor")
                )
        self.w.insert(M.User, users)
        self.w.insert(M.EmailAddress, emails)
        self.w.insert(M.StaffMembership, staff)
        self.w.insert(M.AuditorProfile, auditors)
        self.w.insert(M.AuditorMembership, auditor_memberships)
        self.w.insert(M.BusinessUser, business_users)
        return f"{len(users):,} users ({len(auditors)} auditors, {len(staff)} staff)"

    def _auditor_membership(self, profile_id: int, association_id: int) -> dict:
        return {
            "id": self.ids("auditor_membership"),
            "auditor_id": profile_id,
            "association_id": association_id,
            "started_at": self.now - datetime.timedelta(days=900),
        }

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
            M.AuditorMembership,
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
