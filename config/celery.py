"""The Celery app, and the base class of every task of the project.

Two rules hold for every task through the base class, so a new task cannot
forget them:

- it retries transient errors (the database, the broker, the mail server or
  the disk hiccups) with exponential backoff, capped so a retry never waits
  longer than the sweep would (see certification.tasks.sweep);
- `delay_on_commit` never fails the request that committed: a broker that is
  down is logged, and the sweep queues the work again from the row the
  service recorded before queueing it.
"""

import datetime
import logging
import os
import time
from functools import partial
from pathlib import Path
from urllib.parse import urlparse

import kombu.exceptions
from celery import Celery
from celery.contrib.django.task import DjangoTask
from celery.signals import after_task_publish
from django.db import InterfaceError, OperationalError, connections, transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

logger = logging.getLogger(__name__)

# Transient: a retry later may succeed. OSError covers the mail server
# (smtplib's errors), the disk and sockets; a broken rule is none of these.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    kombu.exceptions.OperationalError,
    OSError,
)


# A message queued longer ago than this, for work still not done, is taken
# as lost (a broker restart, a worker killed while holding it) and queued
# again by the sweep. With the sweep every 60 s, lost work resumes within
# REQUEUE_AFTER + 60 s; work still waiting in a long queue gets one more
# message per chunk and window, which finds the work done or claimed.
REQUEUE_AFTER = datetime.timedelta(seconds=45)


def stamp_queued(queryset, *, now: datetime.datetime, limit: int, field: str = "queued_at") -> list[int]:
    """Claim up to `limit` rows of `queryset` for queueing: set `field` to
    `now` and return their ids (ascending), set-based. Rows another sweep is
    stamping at the same moment are skipped, so two sweeps never queue the
    same row. On PostgreSQL one UPDATE ... RETURNING (the ids never go
    back to the database as a list); elsewhere a locking read, then an update."""
    locked = (
        queryset.select_for_update(skip_locked=True, of=("self",)).order_by("pk").values_list("pk", flat=True)
    )[:limit]
    model = queryset.model
    connection = connections[queryset.db]
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        column = quote(model._meta.get_field(field).column)
        with transaction.atomic(using=queryset.db), connection.cursor() as cursor:
            # Compiled inside the transaction: Django refuses FOR UPDATE outside one.
            select, params = locked.query.sql_with_params()
            # Names from the model, the SELECT compiled by Django, values as parameters.
            sql = f"UPDATE {table} SET {column} = %s WHERE {pk} IN ({select}) RETURNING {pk}"  # noqa: S608
            cursor.execute(sql, [now, *params])
            return sorted(row[0] for row in cursor.fetchall())
    with transaction.atomic(using=queryset.db):
        ids = list(locked)
        if ids:
            model.objects.filter(pk__in=ids).update(**{field: now})
    return ids


def chunks(ids: list[int], size: int) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


# After a publish fails, the process does not try again for this long (or
# until a publish succeeds, e.g. the sweep's).
BROKER_DOWN_PAUSE = 5.0
_broker_down_until = 0.0


@after_task_publish.connect
def _broker_is_up(**kwargs) -> None:
    global _broker_down_until
    _broker_down_until = 0.0


class Task(DjangoTask):
    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = True
    # Shorter than the sweep's re-queue window, so a retry comes before the
    # sweep would queue the same work again.
    retry_backoff_max = 30
    retry_jitter = True
    max_retries = 10

    def delay_on_commit(self, *args, **kwargs) -> None:
        """`delay` once the transaction commits; a failure to queue is logged,
        never raised into the request (the work is already recorded)."""
        if self.app.conf.task_always_eager:
            # Tests: an eager task's own error must surface, not be logged away.
            transaction.on_commit(partial(self.delay, *args, **kwargs))
            return
        transaction.on_commit(partial(self._delay_or_log, args, kwargs), robust=True)

    def _delay_or_log(self, args: tuple, kwargs: dict) -> None:
        global _broker_down_until
        if time.monotonic() < _broker_down_until:
            logger.warning("broker down: %s %s not queued; the sweep will queue it", self.name, kwargs)
            return
        try:
            self.delay(*args, **kwargs)
        except Exception:
            # One failed publish per process and BROKER_DOWN_PAUSE, not one
            # per task: a request (or admin action) that queues ten tasks
            # pays for a dead broker once.
            _broker_down_until = time.monotonic() + BROKER_DOWN_PAUSE
            logger.exception("could not queue %s %s; the sweep will queue it again", self.name, kwargs)


app = Celery("config", task_cls="config.celery:Task")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["config"])


@app.on_after_configure.connect
def create_local_folders(sender: Celery, **kwargs) -> None:
    """The filesystem broker, the file result backend and beat's schedule file
    need their folders, and create none themselves. Made here, when the app
    first reads its configuration (worker, beat, or a web process queueing a
    task), not when settings are imported: a read-only checkout can still load
    the settings and run with Redis."""
    conf = sender.conf
    folders = [Path(conf.beat_schedule_filename).parent]
    if str(conf.broker_url).startswith("filesystem://"):
        options = conf.broker_transport_options or {}
        keys = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")
        folders += [Path(options[key]) for key in keys if options.get(key)]
    if str(conf.result_backend or "").startswith("file://"):
        folders.append(Path(urlparse(conf.result_backend).path))
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            # Celery names the folder when it is actually used; the web server
            # must not fail to start because of it.
            logger.warning("Could not create %s: %s", folder, error)
