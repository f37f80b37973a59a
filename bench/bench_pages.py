"""Every page of issue 10, measured: its query count on the small demo and
at scale, and under gunicorn (3 sync workers, DEBUG=0) and wrk its requests
per second and p50/p95/p99 latency, next to a trivial view (a bare
HttpResponse mounted only by bench/urls.py) measured in the same run.

    DATABASE_URL=postgres://.../cert_bench python bench/bench_pages.py

The scale data: the database in DATABASE_URL, seeded by bench/seed_scale.py
when it is empty (a database with other data is refused). The demo:
`seed_demo` into a database of its own, made afresh each run
(<name>_demo on PostgreSQL). Without DATABASE_URL both are throw-away SQLite
files and the scale data is small (BENCH_SCALE, default 0.02): fine to try
the bench, not for figures.

Environment: BENCH_DURATION (seconds per page, default 10), BENCH_CONNECTIONS
(default 3, one per worker), BENCH_WORKERS (default 3), BENCH_SCALE, BENCH_PAGES
(comma-separated page keys to measure, default all). wrk comes from Debian
(`apt-get install wrk`; the bench installs it when run as root on Debian);
without it only the query counts are printed.

"1 req ms" in the table is one request through the Django test client at
scale, with no HTTP and no concurrency: what the page costs on its own.

For finding out why a page is slow, against the database in DATABASE_URL:

    python bench/bench_pages.py --queries admin_certificates   # the query log, slowest first
    python bench/bench_pages.py --explain admin_certificates   # plus EXPLAIN ANALYZE of the slowest
    python bench/bench_pages.py --profile admin_certificates   # cProfile of one request
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable
SECRET_KEY = "bench-pages-only-not-a-production-secret-0123456789"


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    kind: str  # detail / list / admin-detail / admin-list
    who: str  # owner / auditor / admin / anonymous
    expect: int = 200
    # The public certificate pages must keep up with at least this share of the trivial view.
    min_ratio: float = 0.0


PAGES = [
    Page("portal_dashboard", "portal dashboard", "list", "owner"),
    Page("kpi", "KPI page", "list", "owner"),
    Page("application", "application page", "detail", "owner"),
    Page("audit_queue", "auditor queue", "list", "auditor"),
    Page("score_form", "scoring form", "detail", "auditor"),
    Page("admin_applications", "admin: applications", "admin-list", "admin"),
    Page("admin_application", "admin: application", "admin-detail", "admin"),
    Page("admin_certificates", "admin: certificates", "admin-list", "admin"),
    Page("admin_certificate", "admin: certificate", "admin-detail", "admin"),
    Page("admin_businesses", "admin: businesses", "admin-list", "admin"),
    Page("admin_business", "admin: business", "admin-detail", "admin"),
    Page("admin_metric_reports", "admin: metric reports", "admin-list", "admin"),
    Page("admin_metric_report", "admin: metric report", "admin-detail", "admin"),
    Page("admin_history", "admin: history", "admin-list", "admin"),
    Page("admin_history_entry", "admin: history entry", "admin-detail", "admin"),
    Page("verify_number", "/verify/ by number", "detail", "anonymous", expect=302),
    Page("certificate_page", "certificate page", "detail", "anonymous", min_ratio=0.5),
    Page("open_badge", "Open Badges JSON", "detail", "anonymous", min_ratio=0.5),
    Page("seal", "live seal (SVG)", "detail", "anonymous", min_ratio=0.5),
    Page("directory", "/directory/", "list", "anonymous"),
    Page("directory_search", "/directory/ search", "list", "anonymous"),
    Page("directory_page_200", "/directory/ page 200", "list", "anonymous"),
    Page("healthz", "/healthz", "detail", "anonymous"),
]
PAGES_BY_KEY = {page.key: page for page in PAGES}
P95_BUDGET_MS = {"detail": 100, "admin-detail": 100, "list": 150, "admin-list": 150}
ADMIN_QUERY_BUDGET = 20
SEARCH = "courier"


# --- inside Django: targets, query counts, query logs ----------------------------------------


def pick_targets() -> dict:
    """The URL of every page and who asks for it, chosen the same way in the
    demo and at scale: the first staff admin's association, a business of
    it with an application under way, an auditor cleared on an application
    in review."""
    from django.db.models import Exists, OuterRef

    from associations.models import ActionLog, StaffMembership
    from audits.models import Assignment
    from certification.models import Application, Certificate
    from members.models import BusinessUser, MetricReport

    staff = (
        StaffMembership.objects.filter(role="admin").select_related("user").order_by("association_id", "pk")
    )
    admin = staff.first()
    association_id = admin.association_id
    under_way = Application.objects.filter(
        association_id=association_id, status__in=["submitted", "in_review", "changes_requested"]
    ).order_by("pk")
    # The business of the portal pages has the same shape at both sizes (the
    # dashboard's queries depend on it, not on the size): a certificate, metric
    # reports, an application submitted (not yet in review), and no draft or change
    # request waiting (each kind adds its query). prepare_demo makes one.
    application = (
        under_way.filter(
            Exists(Certificate.objects.filter(business=OuterRef("business"))),
            Exists(MetricReport.objects.filter(business=OuterRef("business"))),
            ~Exists(
                Application.objects.filter(
                    business=OuterRef("business"), status__in=["draft", "changes_requested"]
                )
            ),
            status="submitted",
        ).first()
        or under_way.first()
    )
    owner = (
        BusinessUser.objects.filter(business_id=application.business_id, role="owner").order_by("pk").first()
    )
    cleared = Assignment.objects.filter(
        declaration="no_conflict",
        application__status="in_review",
        application__association_id=association_id,
        auditor__is_active=True,
    ).order_by("pk")
    assignment = (
        cleared.filter(scorecard__isnull=False, scorecard__submitted_at__isnull=True).first()
        or cleared.first()
    )
    audited = Application.objects.filter(association_id=association_id, assignments__isnull=False)
    decided = audited.filter(status__in=["scored", "approved"]).order_by("status", "pk").first()
    certificate = (
        Certificate.objects.filter(association_id=association_id, status="active").order_by("pk").first()
    )
    report = (
        MetricReport.objects.filter(business_id=application.business_id, association_id=association_id)
        .order_by("-period")
        .first()
    )
    entry = ActionLog.objects.filter(association_id=association_id).order_by("-created_at", "-pk").first()
    token = certificate.verification_token
    urls = {
        "portal_dashboard": "/portal/",
        "kpi": f"/portal/b/{application.business_id}/metrics/",
        "application": f"/portal/applications/{application.pk}/",
        "audit_queue": "/audit/",
        "score_form": f"/audit/applications/{assignment.application_id}/score/",
        "admin_applications": "/admin/certification/application/",
        "admin_application": f"/admin/certification/application/{(decided or application).pk}/change/",
        "admin_certificates": "/admin/certification/certificate/",
        "admin_certificate": f"/admin/certification/certificate/{certificate.pk}/change/",
        "admin_businesses": "/admin/members/business/",
        "admin_business": f"/admin/members/business/{application.business_id}/change/",
        "admin_metric_reports": "/admin/members/metricreport/",
        "admin_metric_report": f"/admin/members/metricreport/{report.pk}/change/",
        "admin_history": "/admin/associations/actionlog/",
        "admin_history_entry": f"/admin/associations/actionlog/{entry.pk}/change/",
        "verify_number": f"/verify/?number={certificate.number}",
        "certificate_page": f"/verify/{token}/",
        "open_badge": f"/verify/{token}.json",
        "seal": f"/seal/{token}.svg",
        "directory": "/directory/",
        "directory_search": f"/directory/?q={SEARCH}",
        "directory_page_200": "/directory/?page=200",
        "healthz": "/healthz",
    }
    users = {"owner": owner.user, "auditor": assignment.auditor.user, "admin": admin.user, "anonymous": None}
    return {"urls": urls, "users": users}


def _clients(users: dict) -> dict:
    from django.test import Client

    clients = {}
    for who, user in users.items():
        clients[who] = Client()
        if user is not None:
            clients[who].force_login(user)
    return clients


def count_queries(keys: list[str]) -> dict:
    """{page: {url, status, queries, ms}} and a session cookie per person:
    each page is asked twice and the second request counted (the first
    fills per-session caches)."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    targets = pick_targets()
    clients = _clients(targets["users"])
    pages = {}
    for key in keys:
        page = PAGES_BY_KEY[key]
        client, url = clients[page.who], targets["urls"][key]
        client.get(url, secure=True)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, secure=True)
            ms = (time.perf_counter() - started) * 1000
        pages[key] = {"url": url, "status": response.status_code, "queries": len(queries), "ms": round(ms, 1)}
    cookies = {
        who: client.cookies[settings.SESSION_COOKIE_NAME].value
        for who, client in clients.items()
        if settings.SESSION_COOKIE_NAME in client.cookies
    }
    users = {who: (user.email if user else None) for who, user in targets["users"].items()}
    return {"pages": pages, "cookies": cookies, "users": users}


def prepare_demo() -> None:
    """The demo's auditor declares no conflict on the application waiting
    for it and saves draft scores, so the demo has an application in review
    with a draft scorecard, as the scale data does. Through the services."""
    from associations.models import Criterion
    from audits import services
    from audits.models import Assignment
    from certification import services as certification
    from certification.issuance import issue_certificate
    from certification.models import Application, Certificate
    from config.demo_activity import _evidence_for_every_criterion

    # The demo's approved application gets its certificate now (the worker
    # would), and its business applies again: the portal pages' business then
    # has a certificate, metric reports and an application under way, as the
    # one picked at scale does.
    # (Indus Courier's: the other approved demo applications, of the findings
    # and surveillance demos, belong to businesses with no portal login.)
    for approved in Application.objects.filter(status="approved", business__name="Indus Courier Company"):
        if not Certificate.objects.filter(application=approved).exists():
            issue_certificate(approved)
        if Application.objects.filter(business=approved.business, status="submitted").exists():
            continue
        again = certification.create_application(
            approved.business, standard=approved.standard, actor=approved.created_by
        )
        _evidence_for_every_criterion(again, approved.created_by)
        certification.submit_application(again, actor=approved.created_by)

    assignment = (
        Assignment.objects.filter(declaration="pending", application__status="submitted")
        .select_related("auditor__user", "application")
        .order_by("pk")
        .first()
    )
    if assignment is None:
        return
    user = assignment.auditor.user
    services.declare_no_conflict(assignment, actor=user)
    criteria = Criterion.objects.filter(standard_id=assignment.application.standard_id).order_by("order")[:10]
    services.save_scores(assignment, actor=user, entries={c.pk: (4, "Seen on site.") for c in criteria})


def query_log(key: str, *, explain: bool, top: int = 5) -> None:
    """The page's queries, slowest first, with how often each SQL repeats;
    with `explain`, EXPLAIN (ANALYZE, BUFFERS) of the slowest distinct ones."""
    from collections import Counter

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    targets = pick_targets()
    page = PAGES_BY_KEY[key]
    client = _clients({page.who: targets["users"][page.who]})[page.who]
    url = targets["urls"][key]
    client.get(url, secure=True)
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(url, secure=True)
        total = (time.perf_counter() - started) * 1000
    queries = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
    repeats = Counter(sql for _ms, sql in queries)
    print(f"{page.label}: GET {url} as {page.who} -> {response.status_code}")
    print(
        f"{len(queries)} queries, {sum(ms for ms, _ in queries):.1f} ms in the database, "
        f"{total:.1f} ms in all\n"
    )
    shown = set()
    for ms, sql in sorted(queries, key=lambda q: -q[0]):
        if sql in shown:
            continue
        shown.add(sql)
        times = f" (x{repeats[sql]})" if repeats[sql] > 1 else ""
        print(f"{ms:8.2f} ms{times}  {sql[:600]}{' ...' if len(sql) > 600 else ''}\n")
    if explain:
        if connection.vendor != "postgresql":
            print("EXPLAIN ANALYZE needs PostgreSQL.")
            return
        slowest = []
        for _ms, sql in sorted(queries, key=lambda q: -q[0]):
            if sql not in slowest and sql.lstrip().upper().startswith("SELECT"):
                slowest.append(sql)
        for sql in slowest[:top]:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
            print("=" * 100 + f"\n{sql[:1000]}\n" + "-" * 100 + f"\n{plan}\n")


def profile(key: str, *, top: int = 30) -> None:
    """cProfile of one request of the page (the second: the first fills caches)."""
    import cProfile
    import pstats

    targets = pick_targets()
    page = PAGES_BY_KEY[key]
    client = _clients({page.who: targets["users"][page.who]})[page.who]
    url = targets["urls"][key]
    client.get(url, secure=True)
    profiler = cProfile.Profile()
    profiler.enable()
    response = client.get(url, secure=True)
    profiler.disable()
    print(f"{page.label}: GET {url} as {page.who} -> {response.status_code}")
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


# --- outside Django: the run ------------------------------------------------------------------------


def _env(base: dict, **changes) -> dict:
    env = {**base, **{k: str(v) for k, v in changes.items() if v is not None}}
    for k, v in changes.items():
        if v is None:
            env.pop(k, None)
    return env


def _run(args: list, env: dict, *, quiet: bool = True) -> str:
    result = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise SystemExit(f"failed: {' '.join(map(str, args))}")
    if not quiet:
        print(result.stdout, end="")
    return result.stdout


def _child(mode: str, env: dict, keys: list[str]) -> dict:
    out = _run([PY, __file__, "--child", mode, "--pages", ",".join(keys)], env)
    line = next(line for line in out.splitlines() if line.startswith("BENCH_JSON "))
    return json.loads(line.removeprefix("BENCH_JSON "))


def _recreate_postgres_database(url: str) -> None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    with psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        name = config["NAME"]
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _demo_url(scale_url: str, work: Path) -> str:
    if scale_url.startswith(("postgres://", "postgresql://")):
        base, _slash, name = scale_url.rpartition("/")
        name, _q, query = name.partition("?")
        url = f"{base}/{name}_demo" + (f"?{query}" if query else "")
        _recreate_postgres_database(url)
        return url
    return f"sqlite:///{work / 'demo.sqlite3'}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, headers: dict) -> int:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _ensure_wrk() -> str | None:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("Installing wrk (Debian package) ...")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], capture_output=True)
        found = shutil.which("wrk")
        if not found:
            subprocess.run(["apt-get", "update", "-qq"], capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], capture_output=True)
            found = shutil.which("wrk")
    if not found:
        print("wrk is missing: install it (apt-get install wrk) for the load figures.")
    return found


WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bad_status": %d, "errors": %d, '
    .. '"p50": %d, "p95": %d, "p99": %d, "max": %d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def _wrk(wrk: str, script: Path, url: str, headers: dict, *, seconds: int, connections: int) -> dict:
    args = [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-s", str(script)]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    return data


class Server:
    """gunicorn (sync workers) and one Celery worker (for /healthz), both
    started and stopped here."""

    def __init__(self, env: dict, work: Path, workers: int):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(work / "server.log", "w")  # noqa: SIM115 - closed in stop()
        gunicorn = [PY, "-m", "gunicorn", "config.wsgi:application", "--workers", str(workers)]
        gunicorn += ["--bind", f"127.0.0.1:{self.port}", "--timeout", "120", "--log-level", "warning"]
        self.web = subprocess.Popen(gunicorn, env=env, cwd=ROOT, stdout=self.log, stderr=self.log)
        celery = [PY, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING"]
        self.worker = subprocess.Popen(celery, env=env, cwd=ROOT, stdout=self.log, stderr=self.log)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if _get(f"{self.base}/bench/trivial", {}) == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise SystemExit(f"gunicorn did not start; see {self.log.name}")

    def stop(self) -> None:
        for process in (self.web, self.worker):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in (self.web, self.worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        self.log.close()


def _verdict(page: Page, demo: dict | None, scale: dict, load: dict | None, trivial_rps: float | None) -> str:
    problems = []
    if demo and demo["queries"] != scale["queries"]:
        problems.append("queries grow")
    if page.kind.startswith("admin") and scale["queries"] > ADMIN_QUERY_BUDGET:
        problems.append(f"> {ADMIN_QUERY_BUDGET} queries")
    if load and not load["requests"]:
        problems.append("no answer within the run")
    elif load:
        budget = P95_BUDGET_MS[page.kind]
        if load["p95"] / 1000 > budget:
            problems.append(f"p95 > {budget} ms")
        if page.min_ratio and trivial_rps and load["rps"] < page.min_ratio * trivial_rps:
            problems.append(f"< {page.min_ratio:.0%} of trivial")
        if load["bad_status"] or load["errors"]:
            problems.append("errors")
    if scale["status"] != page.expect:
        problems.append(f"HTTP {scale['status']}")
    return "ok" if not problems else "; ".join(problems)


def _print_table(rows: list, trivial: list[dict]) -> None:
    trivial_rps = sum(t["rps"] for t in trivial) / len(trivial) if trivial else None
    header = [
        "page",
        "kind",
        "queries demo/scale",
        "1 req ms",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "x trivial",
        "budget",
    ]
    lines = []
    for t in trivial:
        lines.append(
            [
                f"trivial view ({t['when']})",
                "-",
                "-",
                "-",
                f"{t['rps']:.0f}",
                f"{t['p50'] / 1000:.1f}",
                f"{t['p95'] / 1000:.1f}",
                f"{t['p99'] / 1000:.1f}",
                f"{t['rps'] / trivial_rps:.2f}",
                "",
            ]
        )
    for page, demo, scale, load in rows:
        queries = f"{demo['queries'] if demo else '?'} / {scale['queries']}"
        if load:
            figures = [f"{load['rps']:.1f}", f"{load['p50'] / 1000:.0f}", f"{load['p95'] / 1000:.0f}"]
            figures += [
                f"{load['p99'] / 1000:.0f}",
                f"{load['rps'] / trivial_rps:.3f}" if trivial_rps else "-",
            ]
        else:
            figures = ["-"] * 5
        verdict = _verdict(page, demo, scale, load, trivial_rps)
        lines.append([page.label, page.kind, queries, f"{scale['ms']:.0f}", *figures, verdict])
    widths = [max(len(str(r[i])) for r in [header, *lines]) for i in range(len(header))]
    right = {2, 3, 4, 5, 6, 7, 8}
    for r in [header, ["-" * w for w in widths], *lines]:
        cells = [
            str(c).rjust(w) if i in right else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())


def run(keys: list[str]) -> int:
    duration = int(os.environ.get("BENCH_DURATION", "10"))
    connections = int(os.environ.get("BENCH_CONNECTIONS", "3"))
    workers = int(os.environ.get("BENCH_WORKERS", "3"))
    work = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    scale_url = os.environ.get("DATABASE_URL", "")
    throwaway = not scale_url
    if throwaway:
        scale_url = f"sqlite:///{work / 'scale.sqlite3'}"
        print("DATABASE_URL is not set: throw-away SQLite databases and small scale data (not for figures).")
    scale = os.environ.get("BENCH_SCALE", "0.02" if throwaway or scale_url.startswith("sqlite") else "1.0")
    base = _env(os.environ, DJANGO_SETTINGS_MODULE="bench.settings", LOG_LEVEL="WARNING", PYTHONUNBUFFERED=1)
    scale_env = _env(base, DATABASE_URL=scale_url)

    started = time.perf_counter()
    load_before = os.getloadavg()
    state = _run([PY, "bench/seed_scale.py", "--status"], scale_env).strip()
    if state == "other":
        print(
            "The database in DATABASE_URL has data that bench/seed_scale.py did not make. Point "
            "DATABASE_URL at an empty database (it is seeded, a few minutes) or one seeded by "
            "`python bench/seed_scale.py`, or replace its data with `python bench/seed_scale.py --reset`."
        )
        return 1
    if state == "empty":
        print(f"Seeding the scale data (bench/seed_scale.py --scale {scale}) ...")
        _run([PY, "bench/seed_scale.py", "--scale", scale], _env(scale_env, DEBUG=1), quiet=False)

    print("Seeding the demo into its own database ...")
    demo_url = _demo_url(scale_url, work)
    demo_seed_env = _env(
        base,
        DATABASE_URL=demo_url,
        DEBUG=1,
        CELERY_TASK_ALWAYS_EAGER=1,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        MEDIA_ROOT=work / "demo-media",
        SIGNING_KEY_DIR=work / "demo-keys",
        SIGNING_KEY_AUTOCREATE=1,
    )
    _run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], demo_seed_env)
    _run([PY, "manage.py", "seed_demo"], demo_seed_env)
    _run([PY, __file__, "--child", "prepare-demo"], demo_seed_env)

    # Production mode, as the load test runs: DEBUG off, manifest static files.
    # The verification pages' per-address limits would refuse a load test from one address.
    production = {
        "DEBUG": 0,
        "SECRET_KEY": SECRET_KEY,
        "SECURE_SSL_REDIRECT": 0,
        "VERIFY_LOOKUPS_PER_MINUTE": 10**9,
        "VERIFY_PAGES_PER_MINUTE": 10**9,
    }
    _run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], _env(scale_env, **production))
    server = Server(_env(scale_env, **production), work, workers)
    try:
        print("Counting queries (demo, then scale) ...")
        demo = _child("count", _env(base, DATABASE_URL=demo_url, **production), keys)
        at_scale = _child("count", _env(scale_env, **production), keys)
        print(f"prepared in {time.perf_counter() - started:.0f} s")
        server.wait_ready()
        wrk = _ensure_wrk()
        loads, trivial = {}, []
        if wrk:
            script = work / "report.lua"
            script.write_text(WRK_REPORT)
            proto = {"X-Forwarded-Proto": "https"}

            def measure(path: str, cookie: str | None) -> dict:
                headers = {**proto, **({"Cookie": f"sessionid={cookie}"} if cookie else {})}
                _wrk(wrk, script, server.base + path, headers, seconds=2, connections=connections)  # warm up
                return _wrk(
                    wrk, script, server.base + path, headers, seconds=duration, connections=connections
                )

            print(
                f"Load: wrk, {connections} connections, {duration:g} s per page, "
                f"{workers} gunicorn workers ..."
            )
            trivial.append({**measure("/bench/trivial", None), "when": "first"})
            for key in keys:
                page, figures = PAGES_BY_KEY[key], at_scale["pages"][key]
                cookie = at_scale["cookies"].get(page.who)
                headers = {**proto, **({"Cookie": f"sessionid={cookie}"} if cookie else {})}
                status = _get(server.base + figures["url"], headers)
                if status != page.expect:
                    print(
                        f"  {page.label}: HTTP {status} under gunicorn (expected {page.expect}); not measured"
                    )
                    continue
                loads[key] = measure(figures["url"], cookie)
                print(
                    f"  {page.label:<24} {loads[key]['rps']:7.1f} req/s  "
                    f"p95 {loads[key]['p95'] / 1000:6.0f} ms"
                )
            trivial.append({**measure("/bench/trivial", None), "when": "last"})
    finally:
        server.stop()

    print(f"\nscale data: {scale_url.rsplit('@', 1)[-1]}; demo: {demo_url.rsplit('@', 1)[-1]}")
    print(f"as: {json.dumps(at_scale['users'])}")
    load = ", ".join(f"{x:.1f}" for x in (*load_before, *os.getloadavg()))
    print(
        f"machine: {os.cpu_count()} CPUs shared by wrk, gunicorn, PostgreSQL and anything else running; "
        f"load average (1, 5, 15 min) before and after: {load}\n"
    )
    rows = [(PAGES_BY_KEY[k], demo["pages"].get(k), at_scale["pages"][k], loads.get(k)) for k in keys]
    _print_table(rows, trivial)
    results = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "load_average_before_after": [*load_before, *os.getloadavg()],
        "trivial": trivial,
        "pages": {
            k: {"demo": demo["pages"].get(k), "scale": at_scale["pages"][k], "load": loads.get(k)}
            for k in keys
        },
    }
    out = ROOT / "var" / "bench-pages.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"\nfigures saved in {out.relative_to(ROOT)}")
    # The demo database on PostgreSQL stays for a look; the next run makes it afresh.
    shutil.rmtree(work, ignore_errors=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", choices=["count", "prepare-demo"], help=argparse.SUPPRESS)
    parser.add_argument(
        "--pages", default=os.environ.get("BENCH_PAGES", ""), help="page keys, comma-separated"
    )
    parser.add_argument("--queries", metavar="PAGE", help="print the query log of one page and stop")
    parser.add_argument("--explain", metavar="PAGE", help="--queries plus EXPLAIN ANALYZE of the slowest")
    parser.add_argument(
        "--profile", metavar="PAGE", help="print a cProfile of one request of a page and stop"
    )
    args = parser.parse_args()
    keys = [k for k in args.pages.split(",") if k] or [page.key for page in PAGES]
    unknown = [
        k
        for k in [*keys, args.queries or "", args.explain or "", args.profile or ""]
        if k and k not in PAGES_BY_KEY
    ]
    if unknown:
        parser.error(f"unknown page {unknown[0]!r}; pages: {', '.join(PAGES_BY_KEY)}")

    if args.child or args.queries or args.explain or args.profile:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
        import django

        django.setup()
        if args.child == "prepare-demo":
            prepare_demo()
        elif args.child == "count":
            print("BENCH_JSON " + json.dumps(count_queries(keys)))
        elif args.profile:
            profile(args.profile)
        else:
            query_log(args.queries or args.explain, explain=bool(args.explain))
        return 0
    return run(keys)


if __name__ == "__main__":
    sys.exit(main())
