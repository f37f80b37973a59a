"""A real Celery worker, not eager: it runs in a subprocess against Redis
when REDIS_URL is set, else against the filesystem broker in a temporary
folder, and answers the ping task that /healthz relies on."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.signals import before_task_publish
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from config import cache as fallback_cache
from config import health
from config.celery import app as celery_app
from tests import factories as f

BASE_DIR = Path(settings.BASE_DIR)


def _reset_connections() -> None:
    # Forget (without closing: kombu shares them process-wide, keyed by broker
    # and options) the pools and the result backend, so the next call uses
    # the configuration just set.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app._backend_cache = None
    celery_app._local.__dict__.pop("backend", None)


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    """Points this process's Celery app at a broker no other worker uses;
    returns the environment a worker needs to use the same one."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    saved = {key: celery_app.conf[key] for key in ("broker_transport_options", "result_backend")}
    if not settings.REDIS_URL:
        celery_dir = tmp_path_factory.mktemp("var") / "celery"
        env["VAR_DIR"] = str(celery_dir.parent)
        for folder in ("queue", "processed", "results", "control"):
            (celery_dir / folder).mkdir(parents=True)
        celery_app.conf.broker_transport_options = {
            **saved["broker_transport_options"],
            "data_folder_in": str(celery_dir / "queue"),
            "data_folder_out": str(celery_dir / "queue"),
            "processed_folder": str(celery_dir / "processed"),
            "control_folder": str(celery_dir / "control"),
        }
        celery_app.conf.result_backend = f"file://{celery_dir / 'results'}"
    _reset_connections()
    yield env
    celery_app.conf.update(saved)
    _reset_connections()


@pytest.fixture(scope="module")
def worker(broker):
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool=solo",
        "--loglevel=WARNING",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--hostname=pytest@%h",
    ]
    process = subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env=broker,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        # The worker and anything it started, however the tests ended.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        process.stdout.close()


@pytest.fixture
def not_eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.task_always_eager = False


# First in the module: the module's worker starts with the next test.
@pytest.mark.worker
def test_healthz_without_worker_is_503(broker, not_eager, client, db, settings):
    settings.HEALTHZ_TOKEN = "probe-secret"

    response = client.get(reverse("healthz"), {"token": "probe-secret"})

    assert response.status_code == 503
    report = json.loads(response.content)
    assert (report["status"], report["database"], report["broker"]) == ("error", "ok", "ok")
    assert report["worker"] == "error: no worker answered within 1 s"


@pytest.mark.worker
def test_worker_runs_ping_task(worker, not_eager):
    result = celery_app.send_task("config.tasks.ping")

    # Generous: the first answer includes the worker's start-up.
    answer = result.get(timeout=30, disable_sync_subtasks=False)

    assert answer == "pong"
    assert worker.poll() is None


@pytest.mark.worker
def test_healthz_with_worker_is_ok(worker, not_eager, client, db):
    celery_app.send_task("config.tasks.ping").get(timeout=30, disable_sync_subtasks=False)  # the worker is up

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "broker": "ok", "worker": "ok"}


# --- the cached, redacted report -----------------------------------------------


@pytest.fixture
def broker_down():
    """A broker nobody listens on: every check fails fast."""
    saved = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    _reset_connections()
    yield
    celery_app.conf.broker_url = saved
    _reset_connections()


@pytest.fixture
def pings():
    """The ping tasks sent, counted as Celery publishes them."""
    sent = []

    def count(sender=None, **kwargs):
        if sender == "config.tasks.ping":
            sent.append(sender)

    before_task_publish.connect(count, weak=False)
    yield sent
    before_task_publish.disconnect(count)


def test_healthz_second_call_is_served_from_the_cache(worker, not_eager, pings, client, db):
    first = client.get(reverse("healthz"))
    started = time.monotonic()

    second = client.get(reverse("healthz"))

    assert time.monotonic() - started < 0.5
    assert len(pings) == 1
    assert second.status_code == first.status_code
    assert json.loads(second.content) == json.loads(first.content)


def test_healthz_report_is_recomputed_after_ten_seconds(worker, not_eager, pings, client, db):
    client.get(reverse("healthz"))
    cached = cache.get(health.REPORT_KEY)
    cache.set(health.REPORT_KEY, {**cached, "at": cached["at"] - health.REPORT_SECONDS})
    cache.delete(health.LOCK_KEY)

    client.get(reverse("healthz"))

    assert len(pings) == 2


def test_healthz_gives_the_error_text_only_with_the_token(broker_down, not_eager, client, db, settings):
    settings.HEALTHZ_TOKEN = "probe-secret"

    public = json.loads(client.get(reverse("healthz")).content)
    guessed = json.loads(client.get(reverse("healthz"), {"token": "guess"}).content)
    full = json.loads(client.get(reverse("healthz"), {"token": "probe-secret"}).content)

    assert public == {"status": "error", "database": "ok", "broker": "error", "worker": "error"}
    assert guessed == public
    assert full["broker"].startswith("error: OperationalError")
    assert full["worker"].startswith("error: ")


def test_healthz_superuser_sees_the_error_text(broker_down, not_eager, client, db):
    client.force_login(f.UserFactory(is_superuser=True, is_staff=True))

    response = client.get(reverse("healthz"))

    assert json.loads(response.content)["broker"].startswith("error: OperationalError")


def test_healthz_reports_even_when_the_cache_is_down(broker_down, not_eager, client, db, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert json.loads(response.content)["database"] == "ok"


# --- Redis down: bounded probes, the failure cached too ------------------------


@pytest.fixture
def redis_everywhere(private_redis, settings):
    """The cache, the broker and the result backend on a private redis-server."""
    settings.CACHES = {
        "default": {"BACKEND": "config.cache.FallbackRedisCache", "LOCATION": private_redis.url}
    }
    saved = {
        key: celery_app.conf[key] for key in ("broker_url", "result_backend", "broker_transport_options")
    }
    celery_app.conf.update(
        broker_url=private_redis.url, result_backend=private_redis.url, broker_transport_options={}
    )
    _reset_connections()
    yield private_redis
    celery_app.conf.update(saved)
    _reset_connections()
    fallback_cache._down_until.clear()


def test_healthz_answers_within_three_seconds_while_redis_is_down(
    redis_everywhere, not_eager, client, db, settings
):
    settings.HEALTHZ_TOKEN = "probe-secret"
    redis_everywhere.stop()

    started = time.monotonic()
    first = client.get(reverse("healthz"), {"token": "probe-secret"})
    first_took = time.monotonic() - started
    started = time.monotonic()
    second = client.get(reverse("healthz"), {"token": "probe-secret"})
    second_took = time.monotonic() - started

    assert (first.status_code, second.status_code) == (503, 503)
    report = json.loads(first.content)
    assert (report["status"], report["database"]) == ("error", "ok")
    assert report["broker"].startswith("error: ")
    assert report["worker"].startswith("error: ")
    assert first_took < 3
    assert second_took < 0.5  # the failed report is cached like a good one
    assert json.loads(second.content) == report


def test_healthz_answers_within_three_seconds_while_redis_hangs(redis_everywhere, not_eager, client, db):
    # A stopped redis-server accepts connections and never answers: every
    # client-side wait is bounded by a timeout, not by a refusal.
    os.kill(redis_everywhere.process.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        response = client.get(reverse("healthz"))
        took = time.monotonic() - started
    finally:
        os.kill(redis_everywhere.process.pid, signal.SIGCONT)

    assert response.status_code == 503
    assert json.loads(response.content) == {
        "status": "error",
        "database": "ok",
        "broker": "error",
        "worker": "error",
    }
    assert took < 3
