"""A real Celery worker against Redis and the test database: a worker killed
in the middle of issuance leaves the message unacknowledged (acks_late), the
next worker finishes it, and there is still exactly one certificate."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from certification.models import Certificate
from certification.tasks import issue_certificate_task
from config.celery import app
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (set REDIS_URL)"),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the worker process needs a shared server database (PostgreSQL)",
    ),
]


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _start_worker(tmp_path, name: str, *, render_delay: float) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "SIGNING_KEY_DIR": str(settings.SIGNING_KEY_DIR),
        "SIGNING_KEY_AUTOCREATE": "1",
        "CERTIFICATE_TEST_RENDER_DELAY": str(render_delay),
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "CONN_MAX_AGE": "0",
    }
    log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-n",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def _stop(worker: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, sig)
        worker.wait(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_issuance_still_ends_with_one_certificate(tmp_path):
    application = f.ApprovedApplicationFactory()
    app.control.purge()
    app.conf.task_always_eager = False
    try:
        issue_certificate_task.apply_async(kwargs={"application_id": application.pk})
    finally:
        app.conf.task_always_eager = True
    first = _start_worker(tmp_path, "first", render_delay=60)
    try:
        created = _wait(lambda: Certificate.objects.filter(application=application).exists(), 60)
        assert created, (tmp_path / "first.log").read_text()
        _stop(first, signal.SIGKILL)  # kill -9 while it renders
    finally:
        _stop(first, signal.SIGKILL)
    assert Certificate.objects.get(application=application).pdf_sha256 == ""

    second = _start_worker(tmp_path, "second", render_delay=0)
    try:
        finished = _wait(
            lambda: Certificate.objects.filter(application=application).exclude(pdf_sha256="").exists(), 90
        )
    finally:
        _stop(second)

    assert finished, (tmp_path / "second.log").read_text()
    assert Certificate.objects.filter(application=application).count() == 1
