"""Per-address limits on the public verification pages (no login, so the
client's address is all there is). Counted in the cache, which is Redis in
production, so every web process shares one count per address."""

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from config.cache import REDIS_DOWN
from members.adapters import client_address

WINDOW_SECONDS = 60


# The check and the count in one round trip, atomically: the limit reached
# (the previous minute weighted by its overlap, plus this one) refuses without
# counting (returns 0); else this minute's count goes up, expiring after two
# windows. KEYS[1..2] and ARGV[1..3] as Limit.script_keys/script_args; a
# caller may append its own work (public_cache does).
UNDER_LIMIT = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
if previous * tonumber(ARGV[1]) + current >= tonumber(ARGV[2]) then return 0 end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
"""
COUNT_UNDER_LIMIT = UNDER_LIMIT + "return 1\n"


class Limit:
    """This request's place in the address's limit for scope.

    A sliding window estimated from two fixed ones (the previous minute's
    count, weighted by how much of it still overlaps the last 60 s, plus this
    minute's), so a burst across a minute boundary cannot get twice the limit."""

    def __init__(self, request: HttpRequest, scope: str, *, per_minute: int, key: str | None = None) -> None:
        now = time.time()
        minute = int(now // WINDOW_SECONDS)
        prefix = f"throttle:{scope}:{client_address(request) if key is None else key}"
        self.current, self.previous = f"{prefix}:{minute}", f"{prefix}:{minute - 1}"
        self.overlap = 1 - (now % WINDOW_SECONDS) / WINDOW_SECONDS
        self.per_minute = per_minute

    def script_keys(self) -> list[str]:
        return [cache.make_key(self.current), cache.make_key(self.previous)]

    def script_args(self) -> list:
        return [repr(self.overlap), self.per_minute, 2 * WINDOW_SECONDS]

    def allow_in_cache(self) -> bool:
        """The check and count through the cache's own methods (which fall
        back to the process while Redis is down)."""
        counts = cache.get_many([self.current, self.previous])
        if counts.get(self.previous, 0) * self.overlap + counts.get(self.current, 0) >= self.per_minute:
            return False
        # add-then-incr is atomic in Redis; incr fails only if the key just expired.
        if not cache.add(self.current, 1, timeout=2 * WINDOW_SECONDS):
            try:
                cache.incr(self.current)
            except ValueError:
                cache.add(self.current, 1, timeout=2 * WINDOW_SECONDS)
        return True


def shared_redis():
    """The cache's redis-py client when the cache is the Redis in REDIS_URL
    and reachable, for a caller combining its own keys with a limit's in one
    script; else None."""
    script_client = getattr(cache, "script_client", None)
    if script_client is None or getattr(cache, "location", None) != settings.REDIS_URL:
        return None
    return script_client()


def allow(request: HttpRequest, scope: str, *, per_minute: int, key: str | None = None) -> bool:
    """Counts this request against the address's limit for scope (or the
    limit of `key`, e.g. a business, when given); False when the limit is
    reached (a refused request is not counted)."""
    limit = Limit(request, scope, per_minute=per_minute, key=key)
    script_client = getattr(cache, "script_client", None)
    client = script_client() if script_client else None
    if client is not None:
        try:
            script = client.register_script(COUNT_UNDER_LIMIT)
            return bool(script(keys=limit.script_keys(), args=limit.script_args()))
        except REDIS_DOWN:
            pass  # the cache's own methods note the outage and fall back
    return limit.allow_in_cache()


def too_many_requests(request: HttpRequest) -> HttpResponse:
    response = render(request, "429.html", status=429)
    response["Retry-After"] = str(WINDOW_SECONDS)
    return response
