import logging
import os
from pathlib import Path
from urllib.parse import urlparse

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

logger = logging.getLogger(__name__)

app = Celery("config")
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
