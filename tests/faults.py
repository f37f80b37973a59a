"""Real outages for the fault tests, never the shared services: a private
redis-server on a spare port that a test stops and starts, the Celery app
pointed at it, and a loop that runs what reached the broker in this process
(a stand-in for the worker when the database is not shared, e.g. SQLite)."""

import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from kombu import Connection

from config.celery import app


def redis_server_missing() -> bool:
    return shutil.which("redis-server") is None


needs_redis_server = pytest.mark.skipif(
    redis_server_missing(), reason="needs the redis-server binary for a private broker"
)


def spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server of our own on a spare port: stopping it is an outage
    nobody else sees. Started again, it answers on the same port."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = spare_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", str(self.folder)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not self._answers():
            assert time.monotonic() < deadline, f"the private redis-server did not start on port {self.port}"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False


@contextmanager
def celery_broker(url: str):
    """The Celery app publishes to `url` (not eagerly) with the shipped
    Redis transport options, as a web process configured with REDIS_URL=url."""
    conf = app.conf
    saved = (conf.broker_url, conf.broker_transport_options, conf.task_always_eager)
    conf.broker_url = url
    conf.broker_transport_options = settings.REDIS_BROKER_OPTIONS
    conf.task_always_eager = False
    _forget_pools()
    try:
        yield
    finally:
        # kombu keeps one pool per broker address for the whole process:
        # close only ours (its port is this test's), never the usual one.
        if app._pool is not None:
            app._pool.force_close_all()
        _forget_pools()
        conf.broker_url, conf.broker_transport_options, conf.task_always_eager = saved


def _forget_pools() -> None:
    app._pool = None
    app.amqp._producer_pool = None


def drain(url: str, *, quiet_for: float = 1.0) -> list[str]:
    """Run, in this process, every task message that reaches the default
    queue, until none arrives for `quiet_for` seconds; the tasks' own
    messages are published to the broker and run in turn. Returns the task
    names in the order they ran."""
    ran = []
    with Connection(url, transport_options=settings.REDIS_BROKER_OPTIONS) as connection:
        queue = connection.SimpleQueue("celery")
        try:
            while True:
                try:
                    message = queue.get(timeout=quiet_for)
                except queue.Empty:
                    return ran
                name, (args, kwargs, _embed) = message.headers["task"], message.payload
                message.ack()
                app.tasks[name].apply(args=args, kwargs=kwargs, task_id=message.headers["id"], throw=True)
                ran.append(name)
        finally:
            queue.close()


def mail_server_down(settings) -> None:
    """SMTP to a port nobody listens on: every send is refused (an OSError)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", spare_port(), 1
