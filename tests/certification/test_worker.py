"""Real Celery workers against Redis and the test database.

- A worker killed in the middle of issuance leaves the message
  unacknowledged (acks_late); the redelivery takes its own rendering claim
  back, and there is still exactly one certificate.
- A prefork worker whose pool child, then whole self, is killed during a
  batch of issuances, with the shipped timeouts (visibility timeout, leases,
  the sweep every 60 s from a real beat): every application ends with one
  certificate and one email within two minutes of the kill (the test
  takes one to 2.5 minutes).
- The database refusing connections for a few seconds only delays an email.

Workers run with tests/worker_settings.py: the shipped settings, plus a
render delay and a file email backend the test asks for."""

import email
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection
from django.urls import reverse

from certification import services
from certification.models import Certificate
from certification.tasks import issue_certificates
from config.celery import app
from members.models import OutboundEmail
from members.tasks import send_emails
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


def _env(tmp_path, *, render_delay: float = 0, **extra) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "SIGNING_KEY_DIR": str(settings.SIGNING_KEY_DIR),
        "SIGNING_KEY_AUTOCREATE": "1",
        "VAR_DIR": str(tmp_path / "var"),
        "TEST_RENDER_DELAY": str(render_delay),
        "TEST_EMAIL_DIR": str(tmp_path / "mail"),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CONN_MAX_AGE": "0",
        **extra,
    }


def _start(tmp_path, name: str, *command: str, env: dict) -> subprocess.Popen:
    log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", *command, "--loglevel=INFO"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _start_worker(tmp_path, name: str, *, pool: str = "solo", env: dict) -> subprocess.Popen:
    options = ["--pool=solo"] if pool == "solo" else ["--pool=prefork", "--concurrency=2"]
    return _start(
        tmp_path,
        name,
        "worker",
        *options,
        "-n",
        f"{name}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        env=env,
    )


def _wait(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def _stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        process.wait(timeout=30)


def _log(tmp_path, *names: str) -> str:
    return "\n".join(f"== {n}\n" + (tmp_path / f"{n}.log").read_text(errors="replace")[-4000:] for n in names)


@pytest.fixture
def broker():
    """Our Redis database number, empty, including messages a killed worker
    of an earlier run left unacknowledged; the app publishes for real."""
    client = redis.Redis.from_url(os.environ["REDIS_URL"])

    def empty():
        app.control.purge()
        client.delete("unacked", "unacked_index", "unacked_mutex")

    empty()
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True
    empty()


def _emails_sent(folder: Path) -> list[email.message.Message]:
    separator = "-" * 79
    messages = []
    for path in sorted(folder.glob("*.log")) if folder.exists() else []:
        for chunk in path.read_text().split(f"\n{separator}\n"):
            if chunk.strip():
                messages.append(email.message_from_string(chunk))
    return messages


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_issuance_still_ends_with_one_certificate(tmp_path, broker):
    application = f.ApprovedApplicationFactory()
    issue_certificates.apply_async(kwargs={"application_ids": [application.pk]})
    fast_redelivery = {
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
    }
    first = _start_worker(tmp_path, "first", env=_env(tmp_path, render_delay=60, **fast_redelivery))
    try:
        created = _wait(lambda: Certificate.objects.filter(application=application).exists(), 60)
        assert created, _log(tmp_path, "first")
    finally:
        _stop(first, signal.SIGKILL)  # kill -9 while it renders
    assert Certificate.objects.get(application=application).pdf_sha256 == ""

    second = _start_worker(tmp_path, "second", env=_env(tmp_path, **fast_redelivery))
    try:
        finished = _wait(
            lambda: Certificate.objects.filter(application=application).exclude(pdf_sha256="").exists(), 90
        )
    finally:
        _stop(second)

    assert finished, _log(tmp_path, "second")
    assert Certificate.objects.filter(application=application).count() == 1


def _pool_children(worker: subprocess.Popen) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True).stdout.split()
    return [int(pid) for pid in found]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_prefork_worker_killed_during_a_batch_recovers_within_two_minutes(tmp_path, broker, two_associations):
    """Shipped timeouts throughout: the Redis visibility timeout (an hour),
    the rendering lease, the send lease and the sweep every 60 s from a
    real beat. Takes one to two and a half minutes."""
    level = f.LevelFactory(association=two_associations.a)
    applications = [
        f.ApprovedApplicationFactory(
            association=two_associations.a, business=two_associations.business_a, status="scored", level=level
        )
        for _ in range(10)
    ]
    env = _env(tmp_path, render_delay=3)
    beat = _start(tmp_path, "beat", "beat", "--schedule", str(tmp_path / "beat-schedule"), env=env)
    first = _start_worker(tmp_path, "first", pool="prefork", env=env)
    workers = [beat, first]
    try:
        for application in applications:
            services.approve_application(application, actor=two_associations.staff_admin_a, level=level)

        def issued() -> int:
            return Certificate.objects.exclude(pdf_sha256="").count()

        assert _wait(lambda: issued() >= 1, 90), _log(tmp_path, "first")
        children = _pool_children(first)
        assert children, _log(tmp_path, "first")
        os.kill(children[0], signal.SIGKILL)  # a pool child dies mid-render
        assert _wait(lambda: issued() >= 3, 60), _log(tmp_path, "first")
        assert issued() < len(applications), "the batch finished before the worker could be killed"
        _stop(first, signal.SIGKILL)  # then the whole worker
        killed_at = time.monotonic()
        unfinished_at_kill = len(applications) - issued()

        second = _start_worker(tmp_path, "second", pool="prefork", env=_env(tmp_path))
        workers.append(second)

        def all_done() -> bool:
            sent = [
                m["To"] for m in _emails_sent(tmp_path / "mail") if "is certified" in (m.get_payload() or "")
            ]
            return issued() == len(applications) and len(sent) >= len(applications)

        done = _wait(all_done, 150)
        recovered_in = time.monotonic() - killed_at
    finally:
        for process in workers:
            _stop(process, signal.SIGKILL)

    assert done, _log(tmp_path, "beat", "first", "second")
    assert unfinished_at_kill > 0
    assert recovered_in < 120, recovered_in
    certificates = list(Certificate.objects.order_by("application_id"))
    assert [c.application_id for c in certificates] == sorted(a.pk for a in applications)
    assert all(len(c.pdf_sha256) == 64 and c.issued_email_recorded_at for c in certificates)
    issued_mail = [
        m.get_payload() for m in _emails_sent(tmp_path / "mail") if "is certified" in m.get_payload()
    ]
    links = {reverse("certification:download", args=[c.pk]) + "\n": c.pk for c in certificates}
    emailed = sorted(pk for body in issued_mail for link, pk in links.items() if link in body)
    assert emailed == sorted(links.values())  # one email each, none twice
    assert OutboundEmail.objects.filter(key__startswith="certificate-issued:", sent_at=None).count() == 0


def _maintenance():
    """A connection to the server's maintenance database: a database cannot
    refuse connections from within itself."""
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"],
        password=s["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


@pytest.mark.django_db(transaction=True)
def test_email_waits_out_a_database_outage_and_goes_once(tmp_path, broker, two_associations):
    """The database refuses new connections for a few seconds (our own test
    database, nobody else's); the send task retries with backoff."""
    recorded = OutboundEmail.objects.create(
        key="outage:1", to="owner@example.org", language="en", subject="Hello", body="During an outage"
    )
    database = connection.settings_dict["NAME"]
    worker = _start_worker(tmp_path, "worker", env=_env(tmp_path))
    try:
        assert _wait(lambda: (tmp_path / "worker.log").read_text().find("ready.") >= 0, 60), _log(
            tmp_path, "worker"
        )
        own = connection.cursor().connection.info.backend_pid
        with _maintenance() as admin:
            admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> %s",
                [database, own],
            )
        try:
            send_emails.apply_async(kwargs={"email_ids": [recorded.pk]})
            refused = _wait(lambda: "retry" in (tmp_path / "worker.log").read_text().lower(), 30)
            time.sleep(3)
        finally:
            with _maintenance() as admin:
                admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
        sent = _wait(lambda: OutboundEmail.objects.get(pk=recorded.pk).sent_at is not None, 90)
    finally:
        _stop(worker)

    assert refused, _log(tmp_path, "worker")
    assert sent, _log(tmp_path, "worker")
    assert [m["To"] for m in _emails_sent(tmp_path / "mail")] == ["owner@example.org"]
