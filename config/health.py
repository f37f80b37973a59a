"""/healthz: the database, the broker and a live worker, each reported.

Public and hit by load balancers, so the report is computed at most once per
REPORT_SECONDS (a ping task and up to WORKER_TIMEOUT_SECONDS of waiting) and
cached; the error text (hosts, exception messages) is only for a superuser or
a caller with settings.HEALTHZ_TOKEN."""

import secrets
import time

from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .celery import app as celery_app

WORKER_TIMEOUT_SECONDS = 3.0
REPORT_SECONDS = 10
REPORT_KEY = "healthz:report"
LOCK_KEY = "healthz:computing"
# A stale report is still served while another request computes the next one.
STALE_SECONDS = 300
COMPONENTS = ("database", "broker", "worker")


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _check_broker() -> str:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def _check_worker() -> str:
    result = celery_app.send_task("config.tasks.ping")
    try:
        # A web request is never inside a task, whatever Celery's process-wide
        # flag says (an eager task cut short in another thread can leave it set).
        answer = result.get(timeout=WORKER_TIMEOUT_SECONDS, disable_sync_subtasks=False)
    except CeleryTimeoutError:
        # Left for the result expiry: a worker that comes back stores it later.
        return f"error: no worker answered within {WORKER_TIMEOUT_SECONDS:g} s"
    result.forget()
    return "ok" if answer == "pong" else f"error: unexpected answer {answer!r}"


CHECKS = {"database": _check_database, "broker": _check_broker, "worker": _check_worker}


def _compute_report() -> dict:
    report = {}
    for name in COMPONENTS:
        try:
            report[name] = CHECKS[name]()
        except Exception as exc:  # a health probe reports every failure, whatever its kind
            report[name] = f"error: {exc.__class__.__name__}: {exc}"[:200]
    return report


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
        deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS + 3
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
