"""Minimal launch settings for the portal browser test; the foundation
branch brings the shared version of this file (keep that one on merge)."""

import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ["--no-sandbox"]}


@pytest.fixture(scope="session")
def _media_url_for_live_server():
    # Django's live server wraps a media handler that parses MEDIA_URL, and
    # ours is None (media is never served from a URL): give it a path no page links to.
    from django.conf import settings
    from django.test.utils import override_settings

    with override_settings(MEDIA_URL="/__media_is_not_served__/"):
        yield
    assert settings.MEDIA_URL is None


@pytest.fixture(scope="session")
def live_server(_media_url_for_live_server, live_server):
    return live_server
