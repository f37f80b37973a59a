"""Settings for the Celery worker subprocesses of the worker tests: the
shipped settings, plus what only a test needs, from the environment the
test gives the worker.

- TEST_RENDER_DELAY: seconds each certificate render sleeps first, so a
  test can kill a worker while it renders (no such hook in production code).
- TEST_EMAIL_DIR: emails are written there, one file per connection, so the
  test can count what was sent.
"""

import os

from config.settings import *  # noqa: F403

if os.environ.get("TEST_EMAIL_DIR"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["TEST_EMAIL_DIR"]

RENDER_DELAY = float(os.environ.get("TEST_RENDER_DELAY", "0"))

if RENDER_DELAY:
    import time

    from celery.signals import task_prerun

    def _slow_down_rendering(sender=None, **kwargs):
        # Runs in the process that executes tasks, once Django is set up (this
        # settings module loads before it, so the import cannot be at the top).
        # Issuance calls the renderer it imported, so that is the one to slow.
        from certification import issuance  # noqa: PLC0415

        if getattr(issuance.render_certificate_pdf, "slowed", False):
            return
        render = issuance.render_certificate_pdf

        def slow_render(certificate):
            time.sleep(RENDER_DELAY)
            return render(certificate)

        slow_render.slowed = True
        issuance.render_certificate_pdf = slow_render

    task_prerun.connect(_slow_down_rendering, weak=False)
