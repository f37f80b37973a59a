import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["config"])


@app.on_after_configure.connect
def _make_filesystem_broker_dirs(sender, **kwargs):
    # The serverless default (filesystem broker and result files) needs its
    # folders to exist before the first task, even an eager one.
    from django.conf import settings

    if not settings.REDIS_URL:
        for sub in ("queue", "processed", "results"):
            (settings.CELERY_DIR / sub).mkdir(parents=True, exist_ok=True)
