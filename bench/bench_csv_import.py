"""Imports 100,000 metric values from one CSV through the import service
(parse, check the whole file, bulk write) and prints rows per second.

    DATABASE_URL=postgres://... python bench/bench_csv_import.py [rows]

Runs against a throw-away test database (test_<name>) that it creates and
drops, so it never touches real data."""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from associations.models import Association, KpiDefinition  # noqa: E402
from members.metrics.csv_import import start_metric_import  # noqa: E402
from members.metrics.csv_parsing import parse_metric_csv  # noqa: E402
from members.metrics.values import kpis_by_code  # noqa: E402
from members.models import Business, Membership, MetricValue, User  # noqa: E402

KPIS = 100


def make_csv(rows: int) -> bytes:
    lines = ["month,kpi_code,value,sample_size"]
    start = 1900 * 12
    for i in range(rows):
        month = start + i // KPIS
        k = i % KPIS
        sample = "120" if k % 4 == 0 else ""
        value = (i * 7) % 10000 / 100
        lines.append(f"{month // 12:04d}-{month % 12 + 1:02d},kpi-{k:03d},{value:.2f},{sample}")
    return ("\n".join(lines) + "\n").encode()


def main(rows: int) -> None:
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
        for k in range(KPIS)
    )
    data = make_csv(rows)

    started = time.perf_counter()
    parsed = parse_metric_csv(data, kpis_by_code(association))
    parse_seconds = time.perf_counter() - started
    assert not parsed.errors, parsed.errors[:3]

    started = time.perf_counter()
    job = start_metric_import(
        business, association=association, actor=user, upload=SimpleUploadedFile("bench.csv", data)
    )
    seconds = time.perf_counter() - started
    assert job.status == "done", (job.status, job.errors[:3])
    stored = MetricValue.objects.count()
    assert stored == rows, stored

    vendor = connection.vendor
    print(f"database: {vendor}; rows: {rows:,}; months: {rows // KPIS:,}; KPIs: {KPIS}")
    print(f"parse and check only: {parse_seconds:.2f} s ({rows / parse_seconds:,.0f} rows/s)")
    print(f"full import (store file, parse, check, bulk write, history): {seconds:.2f} s")
    print(f"rows per second: {rows / seconds:,.0f}")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    old_name = settings.DATABASES["default"]["NAME"]
    with (
        tempfile.TemporaryDirectory() as media,
        override_settings(MEDIA_ROOT=media, METRIC_IMPORT_SYNC_MAX_ROWS=10**9, METRIC_IMPORT_MAX_BYTES=10**9),
    ):
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            main(count)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
