"""Certificate issuance: the full issue (render + sign + store) next to the
bare WeasyPrint render of the same HTML, in this process; then a real Celery
worker issuing many certificates, its throughput and its memory.

1. In this process, per certificate, alternately: the bare render of the
   certificate's HTML (`pdf.html_to_pdf`: WeasyPrint with the per-process
   fonts and stylesheet, nothing else) and the full issue
   (`store_certificate_pdf`: the claim and its renewals, the page with its QR
   code, the render, the signature, the stored file, the hash). Prints both
   medians and the ratio (issue 10: <= 1.3x) and the full issue's rate.
2. A Celery worker (solo pool: one process) on a redis-server of the bench's
   own, issuing BENCH_WORKER_N (default 2,000) approved applications queued
   as the sweep queues them (chunks of ISSUANCE_CHUNK). Its resident memory is
   read from /proc through the run (issue 10: flat) and the rate printed
   (>= 400 per minute per worker process).

A throwaway SQLite database, media folder and signing key. BENCH_N sets the
in-process count (default 300); BENCH_LANGUAGE the certificate language
(default ur, the slowest script); BENCH_WORKER_N=0 skips the worker."""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
work = Path(tempfile.mkdtemp(prefix="bench-certificates-"))
ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
    "MEDIA_ROOT": str(work / "media"),
    "SIGNING_KEY_DIR": str(work / "keys"),
    "SIGNING_KEY_AUTOCREATE": "1",
    "VAR_DIR": str(work / "var"),
    "LOG_LEVEL": "WARNING",
}
os.environ.pop("REDIS_URL", None)
os.environ.update(ENV)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from certification.issuance import create_certificate, store_certificate_pdf  # noqa: E402
from certification.models import Application, Certificate  # noqa: E402
from certification.pdf import certificate_html, html_to_pdf  # noqa: E402
from tests import factories as f  # noqa: E402

RATIO_BUDGET = 1.3
PER_MINUTE_BUDGET = 400


def rss_mb(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process so far."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def approved_applications(n: int, language: str, *, prefix: str) -> list[Application]:
    association = f.AssociationFactory(
        name=f"Service Association {prefix}", certificate_prefix=prefix, default_language=language
    )
    business = f.BusinessFactory(name="الفا ٹریڈرز" if language == "ur" else "Alpha Traders")
    level = f.LevelFactory(association=association, name="Gold")
    standard = f.PublishedStandardFactory(association=association)
    return [
        f.ApprovedApplicationFactory(
            association=association, business=business, standard=standard, level=level
        )
        for _ in range(n)
    ]


def in_process(n: int, language: str) -> bool:
    certificates = [create_certificate(a) for a in approved_applications(n + 5, language, prefix="PSA")]
    for warm in certificates[:5]:  # the first render builds fonts and the stylesheet
        html_to_pdf(certificate_html(warm))
        store_certificate_pdf(warm)

    bare, full = [], []
    started = time.perf_counter()
    for certificate in certificates[5:]:
        html = certificate_html(certificate)
        t0 = time.perf_counter()
        html_to_pdf(html)
        bare.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        store_certificate_pdf(certificate)
        full.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started - sum(bare)

    ratio = statistics.median(full) / statistics.median(bare)
    print(f"in one process: {n} certificates ({language})")
    print(f"  bare WeasyPrint render of the same HTML: median {statistics.median(bare) * 1000:.0f} ms")
    print(f"  full issue (render + sign + store):      median {statistics.median(full) * 1000:.0f} ms")
    print(f"  ratio: {ratio:.2f}x (budget <= {RATIO_BUDGET}x)")
    print(f"  full issue rate: {n / elapsed * 60:.0f} per minute")
    return ratio <= RATIO_BUDGET


def in_worker(n: int, language: str) -> bool:
    from certification.tasks import ISSUANCE_CHUNK, issue_certificates
    from config.celery import chunks
    from tests.faults import PrivateRedis, celery_broker, redis_server_missing

    if redis_server_missing():
        print("worker: skipped (needs redis-server, the Debian package)")
        return True
    ids = [a.pk for a in approved_applications(n, language, prefix="PSW")]
    broker = PrivateRedis(work)
    broker.start()
    log = open(work / "worker.log", "w")  # noqa: SIM115 (closed below)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING"],
        cwd=ROOT,
        env={**os.environ, **ENV, "REDIS_URL": broker.url},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    samples = []
    try:
        with celery_broker(broker.url):
            for chunk in chunks(ids, ISSUANCE_CHUNK):
                issue_certificates.delay(application_ids=chunk)
        started, done = time.perf_counter(), 0
        while done < n:
            time.sleep(0.5)
            assert worker.poll() is None, (work / "worker.log").read_text()[-2000:]
            done = Certificate.objects.filter(application_id__in=ids).exclude(pdf_sha256="").count()
            samples.append((time.perf_counter(), done, rss_mb(worker.pid), cpu_seconds(worker.pid)))
            assert time.perf_counter() - started < 3600, "the worker took over an hour"
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()
        broker.stop()
    # From the first certificate stored: the worker's start and first render
    # (fonts, stylesheet, key) are paid once per process.
    first = next(sample for sample in samples if sample[1] > 0)
    last = samples[-1]
    per_minute = (last[1] - first[1]) / (last[0] - first[0]) * 60
    # On a shared machine the worker waits for a core: per minute of its
    # own CPU time is what one worker process on a core of its own does.
    per_cpu_minute = (last[1] - first[1]) / (last[3] - first[3]) * 60
    marks = [samples[int(i * (len(samples) - 1) / 4)] for i in range(5)]
    print(f"in a Celery worker (solo pool, Redis): {n} certificates in {last[0] - started:.0f} s")
    print(f"  rate after the first: {per_minute:.0f} per minute (budget >= {PER_MINUTE_BUDGET})")
    print(
        f"  per minute of the worker's CPU time: {per_cpu_minute:.0f}; load average {os.getloadavg()[0]:.1f}"
    )
    print("  worker RSS by certificates done: " + ", ".join(f"{d}: {mb:.0f} MB" for _t, d, mb, _c in marks))
    print(f"  RSS from the first certificate to the last: {first[2]:.0f} -> {last[2]:.0f} MB")
    return per_minute >= PER_MINUTE_BUDGET


def main() -> int:
    language = os.environ.get("BENCH_LANGUAGE", "ur")
    call_command("migrate", verbosity=0)
    ok = in_process(int(os.environ.get("BENCH_N", "300")), language)
    worker_n = int(os.environ.get("BENCH_WORKER_N", "2000"))
    if worker_n:
        ok = in_worker(worker_n, language) and ok
    print("targets:", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
