"""1,000 customer-survey submissions against gunicorn (DEBUG=0, 3 sync
workers): requests per second and p50/p95/p99 of the POST (validate, the
burst check, the response and its 22 answers, the redirect), and of the
survey page's GET.

    DATABASE_URL=postgres://.../cert_bench python bench/bench_survey.py

The data goes into a database of its own, made afresh each run
(<name>_survey on PostgreSQL; a throw-away SQLite file without DATABASE_URL,
fine to try, not for figures). Environment: BENCH_N (submissions, default
1000), BENCH_CONNECTIONS (concurrent clients, default 6), BENCH_WORKERS
(gunicorn workers, default 3). The per-address and per-business limits are
lifted (one address sends everything); the burst rule is not: 1,000
responses in a minute are a burst, so most end up held, as they would.

Each client first GETs the page (its CSRF cookie and token), then POSTs
complete answers again and again, like a form resubmitted: no JavaScript."""

import concurrent.futures
import http.client
import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_pages import PY, SECRET_KEY, Server, _demo_url, _env, _run  # noqa: E402


def _setup() -> dict:
    """In the child: an association, a business, the published classic survey, its open link."""
    import django

    django.setup()
    from django.utils import timezone

    from associations.models import Association, Standard
    from members.models import Business, Instrument, Membership
    from members.surveys.collect import open_link
    from members.surveys.instruments import copy_classic_battery

    association = Association.objects.create(name="Bench Association", slug="bench", certificate_prefix="BEN")
    business = Business.objects.create(name="Bench Courier")
    Membership.objects.create(association=association, business=business, member_number="B-1")
    standard = Standard.objects.create(association=association, name="Bench standard")
    instrument = Instrument.objects.create(standard=standard)
    copy_classic_battery(instrument, actor=None)
    standard.status, standard.published_at = "published", timezone.now()
    standard.save()
    link = open_link(business, association)
    return {"token": link.token, "items": instrument.items.count()}


def _counts() -> dict:
    import django

    django.setup()
    from members.models import SurveyAnswer, SurveyResponse

    return {
        "responses": SurveyResponse.objects.count(),
        "held": SurveyResponse.objects.filter(held=True).count(),
        "answers": SurveyAnswer.objects.count(),
    }


def _percentiles(values: list[float]) -> dict:
    ordered = sorted(values)

    def at(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    return {
        "p50": at(50),
        "p95": at(95),
        "p99": at(99),
        "max": ordered[-1] * 1000,
        "mean": statistics.mean(ordered) * 1000,
    }


class Client:
    """One customer's browser, reduced to what the form needs: the CSRF cookie and token."""

    def __init__(self, port: int, path: str, items: int):
        self.port, self.path, self.items = port, path, items
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        started = time.perf_counter()
        self.conn.request("GET", path)
        response = self.conn.getresponse()
        body = response.read().decode()
        self.get_seconds = time.perf_counter() - started
        cookie = next(
            v for k, v in response.getheaders() if k.lower() == "set-cookie" and v.startswith("csrftoken=")
        )
        self.cookie = cookie.split(";", 1)[0]
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)

    def submit(self, i: int) -> tuple[int, float]:
        data = {"csrfmiddlewaretoken": self.token, "csat": str(1 + i % 5), "nps": str(i % 11), "fcr": "yes"}
        for n in range(1, self.items + 1):
            data[f"e{n}"], data[f"p{n}"] = str(1 + (i + n) % 7), str(1 + (i * n) % 7)
        body = urllib.parse.urlencode(data)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": self.cookie}
        started = time.perf_counter()
        self.conn.request("POST", self.path, body=body, headers=headers)
        response = self.conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - started


def run() -> int:
    total = int(os.environ.get("BENCH_N", "1000"))
    connections = int(os.environ.get("BENCH_CONNECTIONS", "6"))
    workers = int(os.environ.get("BENCH_WORKERS", "3"))
    work = Path(tempfile.mkdtemp(prefix="bench-survey-"))
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url:
        print("DATABASE_URL is not set: a throw-away SQLite database (not for figures).")
    url = (
        _demo_url(base_url, work).replace("_demo", "_survey")
        if base_url
        else f"sqlite:///{work / 's.sqlite3'}"
    )
    if base_url:
        from bench.bench_pages import _recreate_postgres_database

        _recreate_postgres_database(url)
    base = _env(os.environ, DJANGO_SETTINGS_MODULE="bench.settings", LOG_LEVEL="WARNING", DATABASE_URL=url)
    production = _env(
        base,
        DEBUG=0,
        SECRET_KEY=SECRET_KEY,
        SECURE_SSL_REDIRECT=0,
        SURVEY_SUBMISSIONS_PER_ADDRESS=10**9,
        SURVEY_SUBMISSIONS_PER_BUSINESS=10**9,
    )
    _run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], _env(base, DEBUG=1))
    setup = json.loads(_run([PY, __file__, "--child", "setup"], _env(base, DEBUG=1)).splitlines()[-1])
    _run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], production)
    server = Server(production, work, workers)
    try:
        server.wait_ready()
        path = f"/s/{setup['token']}/"
        clients = [Client(server.port, path, setup["items"]) for _ in range(connections)]
        gets = [c.get_seconds for c in clients]
        # The page alone, 200 GETs on one connection (no cookie: a first visit).
        page = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        for _ in range(200):
            started = time.perf_counter()
            page.request("GET", path)
            page.getresponse().read()
            gets.append(time.perf_counter() - started)
        counter = iter(range(total))
        lock = threading.Lock()

        def work_for(client: Client) -> list[tuple[int, float]]:
            done = []
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return done
                done.append(client.submit(i))

        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(connections) as pool:
            results = [r for rs in pool.map(work_for, clients) for r in rs]
        wall = time.perf_counter() - started
    finally:
        server.stop()
    statuses = {}
    for status, _s in results:
        statuses[status] = statuses.get(status, 0) + 1
    posts = _percentiles([s for _status, s in results])
    page_times = _percentiles(gets)
    counts = json.loads(_run([PY, __file__, "--child", "counts"], base).splitlines()[-1])
    print(
        f"{total} submissions, {connections} clients, {workers} gunicorn workers, "
        f"{os.cpu_count()} CPUs shared"
    )
    print(
        f"  POST: {total / wall:.1f} req/s; p50 {posts['p50']:.1f} ms, p95 {posts['p95']:.1f} ms, "
        f"p99 {posts['p99']:.1f} ms, max {posts['max']:.1f} ms; statuses {statuses}"
    )
    print(f"  GET (the page, {len(gets)}): p50 {page_times['p50']:.1f} ms, p95 {page_times['p95']:.1f} ms")
    print(
        f"  stored: {counts['responses']} responses ({counts['held']} held as a burst), "
        f"{counts['answers']} answers"
    )
    ok = statuses.get(302, 0) == total and counts["responses"] == total
    print("OK" if ok else "FAILED: not every submission was recorded")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--child":
        print(json.dumps(_setup() if sys.argv[2] == "setup" else _counts()))
        raise SystemExit(0)
    raise SystemExit(run())
