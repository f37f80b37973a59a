"""The cache backend for production: Django's RedisCache that keeps working,
per process, while Redis is unreachable.

allauth keeps its login rate limits in the cache, and /healthz its report: with
a plain RedisCache a Redis outage turns every login into a 500. Here a
connection or timeout error sends the call to a LocMemCache instead, and the
outage is remembered for OUTAGE_SECONDS so later calls do not wait on Redis
again. While Redis is down, limits count per process (a little looser with
several processes) and what was cached in Redis is not seen; when it answers
again, Redis is used as before (the in-process values are dropped)."""

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)

# Django makes one backend instance per thread: the outage is shared by all
# the threads of a process, keyed by the Redis location.
_down_until: dict[str, float] = {}
_lock = threading.Lock()


class SharedRedisCacheClient(RedisCacheClient):
    """Django's client builds a redis-py client for every operation (about
    0.2 ms, more than the round trip): this one builds one per server and
    keeps it. redis-py clients are thread-safe, and their connection pool
    starts afresh in a process forked after it was made."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


# One per location and options in the process, shared by every thread's
# backend instance (Django makes one per thread).
_clients: dict[tuple[str, str], SharedRedisCacheClient] = {}


class FallbackRedisCache(RedisCache):
    """OPTIONS as for RedisCache (passed to redis-py's connection pool), plus
    OUTAGE_SECONDS (default 5). Socket timeouts default to 0.25 s, so a Redis
    that does not answer costs at most about half a second before the fallback."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        self._outage_seconds = float(options.pop("OUTAGE_SECONDS", 5))
        options.setdefault("socket_connect_timeout", 0.25)
        options.setdefault("socket_timeout", 0.25)
        super().__init__(server, {**params, "OPTIONS": options})
        self.location = server if isinstance(server, str) else ",".join(server)
        # LocMemCache instances with the same name share their data process-wide.
        self._fallback = LocMemCache(
            f"redis-fallback:{self.location}",
            {
                "TIMEOUT": params.get("TIMEOUT", 300),
                "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                "VERSION": params.get("VERSION", 1),
                "OPTIONS": {"MAX_ENTRIES": 10000},
            },
        )

    @cached_property
    def _cache(self) -> SharedRedisCacheClient:
        key = (self.location, repr(sorted(self._options.items())))
        with _lock:
            if key not in _clients:
                _clients[key] = SharedRedisCacheClient(self._servers, **self._options)
            return _clients[key]

    def redis_is_down(self) -> bool:
        return time.monotonic() < _down_until.get(self.location, 0.0)

    def script_client(self):
        """redis-py's client, for a caller that runs a script on keys made
        with make_key; None while Redis is known to be down
        (the caller then uses the cache's own methods, which fall back)."""
        if self.redis_is_down():
            return None
        return self._cache.get_client(write=True)

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if not self.redis_is_down():
            try:
                return getattr(super(), name)(*args, **kwargs)
            except REDIS_DOWN as error:
                with _lock:
                    if not self.redis_is_down():
                        logger.warning(
                            "Redis cache unreachable (%s); using a per-process cache for %g s",
                            error,
                            self._outage_seconds,
                        )
                    _down_until[self.location] = time.monotonic() + self._outage_seconds
        return getattr(self._fallback, name)(*args, **kwargs)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout=timeout, version=version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default=default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout=timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout=timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", key, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version=version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta=delta, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout=timeout, version=version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version=version)

    def clear(self):
        return self._call("clear")
