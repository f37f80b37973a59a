"""/healthz: the database, the broker and a live worker, each reported."""

from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .celery import app as celery_app

WORKER_TIMEOUT_SECONDS = 3.0


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


@never_cache
def healthz(request):
    report = {}
    for name, check in (("database", _check_database), ("broker", _check_broker), ("worker", _check_worker)):
        try:
            report[name] = check()
        except Exception as exc:  # a health probe reports every failure, whatever its kind
            report[name] = f"error: {exc.__class__.__name__}: {exc}"[:200]
    healthy = all(value == "ok" for value in report.values())
    return JsonResponse({"status": "ok" if healthy else "error", **report}, status=200 if healthy else 503)
