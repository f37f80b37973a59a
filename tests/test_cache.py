"""The production cache (config.cache.FallbackRedisCache) against a private
redis-server that the tests stop, hang and restart: logins keep working and
keep their rate limits while Redis is down."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache, caches
from django.urls import reverse

from config import cache as backend
from tests import factories as f
from tests.factories import PASSWORD


@pytest.fixture
def redis_cache(private_redis, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.FallbackRedisCache",
            "LOCATION": private_redis.url,
            "OPTIONS": {"OUTAGE_SECONDS": 0.5},
        }
    }
    yield private_redis
    backend._down_until.clear()


def _log_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_login_works_while_redis_is_down(redis_cache, client, db):
    user = f.UserFactory()
    redis_cache.stop()

    response = _log_in(client, user.email)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_failures_are_still_limited_while_redis_is_down(redis_cache, client, db):
    user = f.UserFactory()
    redis_cache.stop()

    # allauth: 5 failed attempts per address in 5 minutes, then refused.
    refused = [_log_in(client, user.email, "wrong-password") for _ in range(6)]
    after = _log_in(client, user.email)

    assert [r.status_code for r in refused] == [200] * 6
    assert b"Too many failed login attempts" in refused[-1].content
    assert b"Too many failed login attempts" in after.content
    assert "_auth_user_id" not in client.session


def test_cache_falls_back_within_half_a_second_when_redis_hangs(redis_cache):
    cache.set("k", "in redis")
    # A stopped process still accepts connections (the kernel's backlog) and
    # never answers: the socket timeout is what bounds the wait.
    os.kill(redis_cache.process.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        first = cache.get("k", "fallback default")
        first_took = time.monotonic() - started
        started = time.monotonic()
        cache.set("k", "in process")
        second = cache.get("k")
        later_took = time.monotonic() - started
    finally:
        os.kill(redis_cache.process.pid, signal.SIGCONT)

    assert first == "fallback default"
    assert first_took < 0.5
    assert second == "in process"
    assert later_took < 0.05  # the outage is remembered: no second wait


def test_cache_goes_back_to_redis_when_it_answers_again(redis_cache):
    redis_cache.stop()
    cache.set("during", 1)
    redis_cache.start()
    time.sleep(0.6)  # OUTAGE_SECONDS

    cache.set("after", 2)

    direct = redis.Redis.from_url(redis_cache.url)
    assert [key.decode().split(":")[-1] for key in direct.keys("*")] == ["after"]
    assert (cache.get("after"), cache.get("during")) == (2, None)


def test_cache_incr_and_add_fall_back_with_the_same_rules(redis_cache):
    redis_cache.stop()

    added = [cache.add("hits", 1, timeout=60), cache.add("hits", 1, timeout=60)]
    total = cache.incr("hits", 2)

    assert added == [True, False]
    assert total == 3
    with pytest.raises(ValueError, match="not found"):
        cache.incr("missing")


def test_production_settings_use_the_fallback_cache_with_redis():
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:1/0", "DJANGO_SETTINGS_MODULE": "config.settings"}

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        ],
        cwd=Path(django_settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert result.stdout.strip() == "config.cache.FallbackRedisCache"


def test_every_cache_operation_and_thread_shares_one_redis_client(redis_cache):
    cache.set("a", 1)
    seen = []
    other = threading.Thread(target=lambda: seen.append(caches["default"]._cache.get_client(write=True)))
    other.start()
    other.join()

    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    assert seen == [cache.script_client()]
    assert cache.get("a") == 1
