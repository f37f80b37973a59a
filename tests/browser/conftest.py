"""Minimal Playwright settings for the browser tests (the foundation branch
may replace this with its own): Debian's Chromium, headless."""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; the test's own
# ORM calls (arranging data) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "headless": True}


@pytest.fixture(scope="session", autouse=True)
def _live_server_media_url():
    # LiveServerThread wraps the app in a media-files handler that parses
    # MEDIA_URL when the server starts; ours is None (media is never public),
    # which breaks every request. Autouse, so it runs before live_server.
    from django.conf import settings

    original = settings.MEDIA_URL
    settings.MEDIA_URL = "/__media_not_served__/"
    yield
    settings.MEDIA_URL = original
