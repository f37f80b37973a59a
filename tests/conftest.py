import os
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from config.celery import app

from . import factories as f
from .faults import PrivateRedis, redis_server_missing
from .s3 import S3Server

# The suite runs with no environment set; the database is whatever
# DATABASE_URL says (SQLite by default, PostgreSQL in CI).


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A test that leaves a language active (a request's or a notice's) must
    not change what the next one reads."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


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
def two_associations(db):
    """Associations A and B, a member business in each, and one person in
    each role: a user of each business, an auditor of A, A's admin and
    viewer, B's admin, a superuser (and `anonymous`, nobody)."""
    a = f.AssociationFactory(name="Pakistan Service Association", slug="psa", certificate_prefix="PSA")
    b = f.AssociationFactory(name="Bangladesh Service Council", slug="bsc", certificate_prefix="BSC")
    business_a = f.BusinessFactory(name="Alpha Traders")
    business_b = f.BusinessFactory(name="Bengal Couriers", city="Dhaka", country="BD")
    f.MembershipFactory(association=a, business=business_a)
    f.MembershipFactory(association=b, business=business_b)
    return SimpleNamespace(
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
        anonymous=None,
    )


@pytest.fixture
def matrix_roles(two_associations):
    """`two_associations` with the authorization matrix's other people:
    business_a's editor and a second owner, both granted by A, and a second
    auditor of A, never assigned to anything. (Not in `two_associations`
    itself: every business email would go to them too.)"""
    people, business = two_associations, two_associations.business_a
    people.editor_a = f.BusinessUserFactory(business=business, association=people.a, role="editor").user
    people.shared_owner_a = f.BusinessUserFactory(business=business, association=people.a, role="owner").user
    people.unassigned_auditor_a = f.AuditorFactory(associations=[people.a]).user
    return people


@pytest.fixture
def client_for(client, two_associations):
    """A logged-in test client for a role of the `two_associations`."""

    def make(role: str):
        user = getattr(two_associations, role)
        if user is not None:
            client.force_login(user)
        else:
            client.logout()
        return client

    return make


@pytest.fixture(scope="session")
def s3_server():
    """An S3-compatible server (moto) for the whole run, started on first use."""
    server = S3Server()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def s3_storage(s3_server, settings):
    """The default storage on a fresh private bucket of `s3_server`."""
    bucket = s3_server.new_bucket()
    settings.STORAGES = {**settings.STORAGES, "default": s3_server.storage_settings(bucket)}
    yield SimpleNamespace(server=s3_server, bucket=bucket, client=s3_server.client)
    s3_server.drop_bucket(bucket)


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def file_storage(request):
    """Runs a test twice: files on local disk, then on S3 (`-m "not s3"` skips
    the second). A module opts in with `pytestmark = pytest.mark.usefixtures("file_storage")`."""
    return request.getfixturevalue("s3_storage") if request.param == "s3" else None


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
