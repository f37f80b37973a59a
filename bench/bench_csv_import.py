"""Imports one large metric CSV through the import service (store the file,
parse, check the whole file, bulk write, history) and prints rows per second.

    DATABASE_URL=postgres://... python bench/bench_csv_import.py [rows]

Two measurements:

1. A throw-away test database (test_<name>, created and dropped): 100 KPIs,
   an empty table.
2. When DATABASE_URL holds the scale data (bench/seed_scale.py): a realistic
   file, the 5 KPIs of one of its associations (values within each KPI's
   range, sample sizes where the KPI takes one), for one of its businesses,
   into the full table (500,000 values). It runs in a transaction that is
   rolled back, so the data stays as seeded (the commit is not timed).

Issue 10's budget: >= 30,000 rows/s."""

import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from associations.models import Association, KpiDefinition  # noqa: E402
from members.metrics.csv_import import start_metric_import  # noqa: E402
from members.metrics.csv_parsing import parse_metric_csv  # noqa: E402
from members.metrics.values import kpis_by_code  # noqa: E402
from members.models import Business, Membership, MembershipStatus, MetricReport, MetricValue, User  # noqa: E402

BUDGET = 30_000


def make_csv(rows: int, kpis: list[KpiDefinition], *, last_month: int) -> bytes:
    """`rows` values, a month at a time for every KPI, ending at month
    number `last_month` (year * 12 + month - 1)."""
    lines = ["month,kpi_code,value,sample_size"]
    first = last_month - (rows - 1) // len(kpis)
    for i in range(rows):
        month = first + i // len(kpis)
        kpi = kpis[i % len(kpis)]
        low, high = Decimal(kpi.min_value), Decimal(kpi.max_value)
        value = low + (high - low) * Decimal((i * 37) % 101) / 100
        sample = str(50 + i % 400) if kpi.has_sample_size else ""
        lines.append(f"{month // 12:04d}-{month % 12 + 1:02d},{kpi.code},{value:.2f},{sample}")
    return ("\n".join(lines) + "\n").encode()


def measure(business, association, user, data: bytes, rows: int, label: str) -> float:
    started = time.perf_counter()
    parsed = parse_metric_csv(data, kpis_by_code(association))
    parse_seconds = time.perf_counter() - started
    assert not parsed.errors, parsed.errors[:3]
    before = MetricValue.objects.count()

    started = time.perf_counter()
    job = start_metric_import(
        business, association=association, actor=user, upload=SimpleUploadedFile("bench.csv", data)
    )
    seconds = time.perf_counter() - started
    assert job.status == "done", (job.status, job.errors[:3])
    stored = MetricValue.objects.count() - before
    assert stored == rows, stored

    kpis = KpiDefinition.objects.filter(association=association).count()
    print(f"{label}: {connection.vendor}; rows: {rows:,}; KPIs: {kpis}; values already there: {before:,}")
    print(f"  parse and check only: {parse_seconds:.2f} s ({rows / parse_seconds:,.0f} rows/s)")
    print(f"  full import (store file, parse, check, bulk write, history): {seconds:.2f} s")
    print(f"  rows per second: {rows / seconds:,.0f} (budget >= {BUDGET:,})")
    return rows / seconds


def empty_table(rows: int) -> float:
    association = Association.objects.create(
        name="Bench", slug="bench", country="PK", certificate_prefix="BEN"
    )
    business = Business.objects.create(name="Bench business")
    Membership.objects.create(association=association, business=business, member_number="B-1")
    user = User.objects.create_user(email="bench@example.com")
    KpiDefinition.objects.bulk_create(
        KpiDefinition(
            association=association,
            code=f"kpi-{k:03d}",
            name=f"KPI {k}",
            unit="%",
            min_value=0,
            max_value=100,
            has_sample_size=k % 4 == 0,
            order=k,
        )
        for k in range(100)
    )
    kpis = list(KpiDefinition.objects.filter(association=association).order_by("order"))
    data = make_csv(rows, kpis, last_month=2000 * 12)
    return measure(business, association, user, data, rows, "empty table, 100 KPIs")


def full_table(rows: int) -> float:
    """One business of the scale data, its file ending before its first
    reported month; rolled back afterwards."""
    membership = (
        Membership.objects.filter(status=MembershipStatus.ACTIVE, business__users__isnull=False)
        .select_related("business", "association")
        .order_by("pk")
        .first()
    )
    business, association = membership.business, membership.association
    user = business.users.order_by("pk").first().user
    reported = MetricReport.objects.filter(business=business).order_by("period")
    first_reported = reported.values_list("period", flat=True).first()
    last_month = (first_reported.year * 12 + first_reported.month - 2) if first_reported else 2000 * 12
    kpis = list(KpiDefinition.objects.filter(association=association).order_by("order", "pk"))
    data = make_csv(rows, kpis, last_month=last_month)
    with transaction.atomic():
        speed = measure(business, association, user, data, rows, "full table (scale data), 5 KPIs")
        transaction.set_rollback(True)
    return speed


def has_scale_data() -> bool:
    if connection.vendor != "postgresql":
        return False
    state = subprocess.run(
        [sys.executable, "bench/seed_scale.py", "--status"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return state == "scale"


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    old_name = settings.DATABASES["default"]["NAME"]
    scale = has_scale_data()
    with (
        tempfile.TemporaryDirectory() as media,
        override_settings(MEDIA_ROOT=media, METRIC_IMPORT_SYNC_MAX_ROWS=10**9, METRIC_IMPORT_MAX_BYTES=10**9),
    ):
        speeds = []
        if scale:
            speeds.append(full_table(count))
        else:
            print("(no scale data in DATABASE_URL, so no full-table run: bench/seed_scale.py fills it)")
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            speeds.append(empty_table(count))
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        print("budget:", "met" if min(speeds) >= BUDGET else "NOT met")
