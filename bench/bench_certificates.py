"""Render + sign + store one certificate, many times, in one process.

Prints the median and 95th percentile, certificates per minute, and the
process's resident memory along the way (it should stay flat). Uses a
throwaway SQLite database, media folder and signing key. BENCH_N sets the
count (default 1000); BENCH_LANGUAGE the certificate language (default ur,
the slowest script)."""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
work = Path(tempfile.mkdtemp(prefix="bench-certificates-"))
os.environ.update(
    DJANGO_SETTINGS_MODULE="config.settings",
    DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}",
    MEDIA_ROOT=str(work / "media"),
    SIGNING_KEY_DIR=str(work / "keys"),
    SIGNING_KEY_AUTOCREATE="1",
    VAR_DIR=str(work / "var"),
    LOG_LEVEL="WARNING",
)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from certification.issuance import create_certificate, store_certificate_pdf  # noqa: E402
from tests import factories as f  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    n = int(os.environ.get("BENCH_N", "1000"))
    language = os.environ.get("BENCH_LANGUAGE", "ur")
    call_command("migrate", verbosity=0)

    association = f.AssociationFactory(
        name="Pakistan Service Association", certificate_prefix="PSA", default_language=language
    )
    business = f.BusinessFactory(name="الفا ٹریڈرز" if language == "ur" else "Alpha Traders")
    level = f.LevelFactory(association=association, name="Gold")
    standard = f.PublishedStandardFactory(association=association)
    certificates = [
        create_certificate(
            f.ApprovedApplicationFactory(
                association=association, business=business, standard=standard, level=level
            )
        )
        for _ in range(n + 5)
    ]
    for warm in certificates[:5]:  # the first render builds fonts and the stylesheet
        store_certificate_pdf(warm)

    times, memory = [], []
    started = time.perf_counter()
    for i, certificate in enumerate(certificates[5:], 1):
        t0 = time.perf_counter()
        store_certificate_pdf(certificate)
        times.append(time.perf_counter() - t0)
        if i in (1, n // 10, n // 2, n) or i % 250 == 0:
            memory.append((i, rss_mb()))
    elapsed = time.perf_counter() - started

    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(f"certificates: {n} ({language}), render + sign + store")
    print(f"median: {statistics.median(times) * 1000:.0f} ms   p95: {p95 * 1000:.0f} ms")
    print(f"throughput: {n / elapsed * 60:.0f} certificates/minute (one process)")
    print("RSS: " + ", ".join(f"{i}: {mb:.0f} MB" for i, mb in memory))
    ok = p95 <= 0.300 and n / elapsed * 60 >= 300
    print("targets (p95 <= 300 ms, >= 300/min):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
