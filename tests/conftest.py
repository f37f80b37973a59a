import os
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.cache import cache

from config.celery import app

from . import factories as f
from .faults import PrivateRedis, redis_server_missing

# The suite runs with no environment set; the database is whatever
# DATABASE_URL says (SQLite by default, PostgreSQL in CI).


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SIGNING_KEY_DIR = tmp_path / "keys"
    settings.SIGNING_KEY_AUTOCREATE = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.WHITENOISE_AUTOREFRESH = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # A fresh in-process cache per test: allauth keeps its login rate limits
    # there, and with REDIS_URL set they would carry over between tests and runs.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


@pytest.fixture
def world(db):
    """Two associations and one person in every role the matrix knows."""
    a = f.AssociationFactory(name="Pakistan Service Association", slug="psa", certificate_prefix="PSA")
    b = f.AssociationFactory(name="Bangladesh Service Council", slug="bsc", certificate_prefix="BSC")
    business_a = f.BusinessFactory(name="Alpha Traders")
    business_b = f.BusinessFactory(name="Bengal Couriers", city="Dhaka", country="BD")
    f.MembershipFactory(association=a, business=business_a)
    f.MembershipFactory(association=b, business=business_b)
    w = SimpleNamespace(
        a=a,
        b=b,
        business_a=business_a,
        business_b=business_b,
        business_user_a=f.BusinessUserFactory(business=business_a).user,
        business_user_b=f.BusinessUserFactory(business=business_b).user,
        auditor=f.AuditorFactory(associations=[a]).user,
        staff_admin_a=f.StaffFactory(association=a, role="admin").user,
        staff_viewer_a=f.StaffFactory(association=a, role="viewer").user,
        staff_b=f.StaffFactory(association=b, role="admin").user,
        superuser=f.UserFactory(is_superuser=True, is_staff=True),
    )
    w.anonymous = None
    return w


@pytest.fixture
def matrix_world(world):
    """The `world` with the matrix's other users of business_a: an editor
    and an owner, both granted by association A. (Not in `world` itself:
    every business email would go to them too.)"""
    business, a = world.business_a, world.a
    world.editor_a = f.BusinessUserFactory(business=business, association=a, role="editor").user
    world.shared_owner_a = f.BusinessUserFactory(business=business, association=a, role="owner").user
    return world


@pytest.fixture
def client_for(client, world):
    """A logged-in test client for a role of the `world`."""

    def make(role: str):
        user = getattr(world, role)
        if user is not None:
            client.force_login(user)
        else:
            client.logout()
        return client

    return make


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of this test's own (tests/faults.py), to stop and restart."""
    if redis_server_missing():
        pytest.skip("redis-server is not installed (Debian package redis-server)")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def pytest_report_header(config):
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = "redis" if os.environ.get("REDIS_URL") else "filesystem (no server)"
    return [f"database: {engine}; celery broker for worker tests: {broker}"]
