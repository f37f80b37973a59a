"""/healthz: the database, the broker and a live worker, each reported.

Public and hit by load balancers, so the report is computed at most once per
REPORT_SECONDS and cached, failures included; the error text (hosts,
exception messages) is only for a superuser or a caller with
settings.HEALTHZ_TOKEN.

Every probe runs in its own thread and is given PROBE_TIMEOUT_SECONDS: a
dead or hung Redis or database must not hold a load balancer's request (or a
web process) for the 20 s that client libraries spend retrying. A probe that
overruns is reported as an error and left to finish in the background."""

import secrets
import threading
import time
from collections.abc import Callable

from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .celery import app as celery_app

PROBE_TIMEOUT_SECONDS = 1.0
REPORT_SECONDS = 10
REPORT_KEY = "healthz:report"
LOCK_KEY = "healthz:computing"
# A stale report is still served while another request computes the next one.
STALE_SECONDS = 300
COMPONENTS = ("database", "broker", "worker")


def _check_database(deadline: float) -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        # The probe's thread opened its own connection; nothing else will close it.
        connections.close_all()
    return "ok"


def _check_broker(deadline: float) -> str:
    seconds = _left(deadline)
    # Redis transport: a hung server must not hold the probe's thread forever.
    options = {"socket_connect_timeout": seconds, "socket_timeout": seconds}
    with celery_app.connection_for_write(transport_options=options) as conn:
        conn.ensure_connection(max_retries=0, timeout=seconds)
    return "ok"


def _check_worker(deadline: float) -> str:
    # No publish retries: the probe's deadline is the only wait.
    result = celery_app.send_task("config.tasks.ping", retry=False)
    try:
        # A web request is never inside a task, whatever Celery's process-wide
        # flag says (an eager task cut short in another thread can leave it set).
        answer = result.get(timeout=_left(deadline), interval=0.05, disable_sync_subtasks=False)
    except CeleryTimeoutError:
        # Left for the result expiry: a worker that comes back stores it later.
        return f"error: no worker answered within {PROBE_TIMEOUT_SECONDS:g} s"
    result.forget()
    return "ok" if answer == "pong" else f"error: unexpected answer {answer!r}"


CHECKS: dict[str, Callable[[float], str]] = {
    "database": _check_database,
    "broker": _check_broker,
    "worker": _check_worker,
}


def _left(deadline: float) -> float:
    return max(0.05, deadline - time.monotonic())


def _probe(name: str) -> Callable[[], str]:
    """Starts CHECKS[name] in a daemon thread with PROBE_TIMEOUT_SECONDS to
    answer; the returned function waits for the answer and never raises."""
    deadline = time.monotonic() + PROBE_TIMEOUT_SECONDS
    answer: list[str] = []

    def run() -> None:
        try:
            answer.append(CHECKS[name](deadline))
        except Exception as exc:  # a health probe reports every failure, whatever its kind
            answer.append(f"error: {exc.__class__.__name__}: {exc}"[:200])

    thread = threading.Thread(target=run, name=f"healthz-{name}", daemon=True)
    thread.start()

    def wait() -> str:
        # A little grace, so a check that gives up at its deadline says why.
        thread.join(max(0.0, deadline + 0.1 - time.monotonic()))
        return answer[0] if answer else f"error: no answer within {PROBE_TIMEOUT_SECONDS:g} s"

    return wait


def _compute_report() -> dict:
    """Database and broker at once; the worker then, only through a broker
    that answered (its ping would wait for nothing). At most two probe
    timeouts in all."""
    database, broker = _probe("database"), _probe("broker")
    report = {"broker": broker()}
    if report["broker"] == "ok":
        report["worker"] = _probe("worker")()
    else:
        report["worker"] = "error: the broker is unreachable"
    report["database"] = database()
    return {name: report[name] for name in COMPONENTS}


def _cached_report() -> dict:
    try:
        return _report_through_cache()
    except Exception:  # the cache (Redis) itself is down: report without it
        return _compute_report()


def _report_through_cache() -> dict:
    """The last report when younger than REPORT_SECONDS; else one request
    (the one that takes the lock) computes it while the others are served the
    stale one, so a flood of requests sends one ping per REPORT_SECONDS."""
    cached = cache.get(REPORT_KEY)
    if cached and time.time() - cached["at"] < REPORT_SECONDS:
        return cached["report"]
    if not cache.add(LOCK_KEY, 1, timeout=REPORT_SECONDS):
        if cached:
            return cached["report"]
        # The very first report is being computed elsewhere: wait for it.
        deadline = time.monotonic() + 2 * PROBE_TIMEOUT_SECONDS + 1
        while time.monotonic() < deadline:
            time.sleep(0.1)
            cached = cache.get(REPORT_KEY)
            if cached:
                return cached["report"]
    report = _compute_report()
    cache.set(REPORT_KEY, {"at": time.time(), "report": report}, timeout=STALE_SECONDS)
    return report


def _may_see_errors(request) -> bool:
    if request.user.is_authenticated and request.user.is_superuser:
        return True
    token = settings.HEALTHZ_TOKEN
    return bool(token) and secrets.compare_digest(request.GET.get("token", "").encode(), token.encode())


@never_cache
def healthz(request):
    report = _cached_report()
    if not _may_see_errors(request):
        report = {name: "ok" if value == "ok" else "error" for name, value in report.items()}
    healthy = all(value == "ok" for value in report.values())
    return JsonResponse({"status": "ok" if healthy else "error", **report}, status=200 if healthy else 503)
