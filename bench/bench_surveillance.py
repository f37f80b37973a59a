"""The daily surveillance job (certification/live.py) at scale: 100,000
certificates and 2.4 million monthly KPI values.

    DATABASE_URL=postgres://... python bench/bench_surveillance.py

Needs PostgreSQL. An empty database is seeded with the scale data first
(bench/seed_scale.py: 100,000 certificates, 500,000 values); the values are
then topped up to 2.4 million with COPY: each membership gets the months
before its first report, going back, with values from the same formulas
(better businesses score better), so about five years of history in all.

It prints the time of the evaluation alone (every certificate under
surveillance read with the values of its window, evaluated; the best of two
runs) and of the whole job, which also records the changes it finds (state,
history row, notices rendered into the outbox) inside a transaction rolled
back afterwards, so the next run finds the same work."""

import datetime
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
PY = sys.executable

TARGET_VALUES = 2_400_000
BUDGET_SECONDS = 60
RECORD_SAMPLE = 200


class Rollback(Exception):
    pass


def _ready() -> bool:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("bench_surveillance measures PostgreSQL at scale: set DATABASE_URL=postgres://... (skipped)")
        return False
    state = subprocess.run(
        [PY, "bench/seed_scale.py", "--status"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    if state == "other":
        print("The database holds data bench/seed_scale.py did not make; use an empty one.", file=sys.stderr)
        sys.exit(3)
    if state == "empty":
        print("Seeding the scale data (bench/seed_scale.py) ...")
        subprocess.run([PY, "bench/seed_scale.py"], cwd=ROOT, env={**os.environ, "DEBUG": "1"}, check=True)
    return True


def top_up_values() -> int:
    """Older months for every membership until the table holds TARGET_VALUES."""
    from django.db import connection
    from django.db.models import Max, Min

    from associations.models import KpiDefinition
    from bench.scale.metrics import _kpi_values
    from bench.scale.plan import add_months
    from bench.scale.tables import Writer
    from members.models import MetricReport, MetricValue

    have = MetricValue.objects.count()
    if have >= TARGET_VALUES:
        return have
    pairs = list(
        MetricReport.objects.values("business_id", "association_id")
        .annotate(first=Min("period"), by=Min("submitted_by_id"))
        .order_by("business_id", "association_id")
    )
    kpis = {}
    for association_id, code, pk in KpiDefinition.objects.values_list("association_id", "code", "pk"):
        kpis.setdefault(association_id, {})[code] = pk
    per_report = 5
    extra_months = -(-(TARGET_VALUES - have) // per_report // len(pairs))
    rng = random.Random(13)
    report_id = (MetricReport.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    value_id = (MetricValue.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    now = datetime.datetime.now(datetime.UTC)
    reports, values = [], []
    quality = {}
    for pair in pairs:
        business_quality = quality.setdefault(pair["business_id"], rng.random())
        for step in range(1, extra_months + 1):
            period = add_months(pair["first"], -step)
            reports.append(
                {
                    "id": report_id,
                    "business_id": pair["business_id"],
                    "association_id": pair["association_id"],
                    "period": period,
                    "submitted_by_id": pair["by"],
                    "source": "csv",
                    "created_at": now,
                    "updated_at": now,
                }
            )
            for code, value, sample in _kpi_values(business_quality, 0.0, rng):
                if len(values) + have >= TARGET_VALUES:
                    break
                values.append(
                    {
                        "id": value_id,
                        "report_id": report_id,
                        "kpi_id": kpis[pair["association_id"]][code],
                        "value": value,
                        "sample_size": sample,
                    }
                )
                value_id += 1
            report_id += 1
    writer = Writer(connection)
    writer.now = now
    writer.insert(MetricReport, reports)
    writer.insert(MetricValue, values)
    writer.reset_sequences([MetricReport, MetricValue])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return MetricValue.objects.count()


def main() -> int:
    if not _ready():
        return 0
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from certification import live
    from certification.models import Certificate

    started = time.perf_counter()
    values = top_up_values()
    print(f"metric values: {values:,} (topped up in {time.perf_counter() - started:.0f} s)")
    today = timezone.localdate()
    total = Certificate.objects.count()
    watched = live.under_surveillance(today).count()
    print(f"certificates: {total:,}, under surveillance today: {watched:,}")

    timings = []
    for _ in range(2):
        began = time.perf_counter()
        changes = live.pending_decisions(today=today)
        timings.append(time.perf_counter() - began)
    by_state: dict[str, int] = {}
    for _certificate, decision, _gates in changes:
        by_state[str(decision.next_state)] = by_state.get(str(decision.next_state), 0) + 1
    print(f"evaluation (read + decide): {min(timings):.1f} s; changes found: {by_state}")

    # Recording a change is one transaction each (lock, state, history,
    # notices rendered per recipient): timed on the first RECORD_SAMPLE
    # changes, rolled back. A first run over data never evaluated finds
    # thousands at once; a daily run finds the day's few.
    sample = changes[:RECORD_SAMPLE]
    began = time.perf_counter()
    try:
        with transaction.atomic():
            for certificate, decision, gates in sample:
                live.record_decision(certificate, decision, gates=gates, today=today)
            elapsed = time.perf_counter() - began
            raise Rollback
    except Rollback:
        pass
    per_change = elapsed / max(1, len(sample))
    print(f"recording {len(sample):,} changes: {elapsed:.1f} s ({per_change * 1000:.0f} ms each)")
    evaluation = min(timings)
    print(
        f"budget {BUDGET_SECONDS} s for the evaluation: {'OK' if evaluation < BUDGET_SECONDS else 'OVER'}; "
        f"all {len(changes):,} changes found today would take {per_change * len(changes):.0f} s more"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
