"""Per-address limits on the public verification pages (no login, so the
client's address is all there is). Counted in the cache, which is Redis in
production, so every web process shares one count per address."""

import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from config.cache import REDIS_DOWN
from members.adapters import client_address

WINDOW_SECONDS = 60


# The check and the count in one round trip, atomically: the limit reached
# (the previous minute weighted by its overlap, plus this one) refuses without
# counting; else this minute's count goes up, expiring after two windows.
COUNT_UNDER_LIMIT = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
if previous * tonumber(ARGV[1]) + current >= tonumber(ARGV[2]) then return 0 end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
return 1
"""


def allow(request: HttpRequest, scope: str, *, per_minute: int) -> bool:
    """Counts this request against the address's limit for scope; False when
    the limit is reached (a refused request is not counted).

    A sliding window estimated from two fixed ones (the previous minute's
    count, weighted by how much of it still overlaps the last 60 s, plus this
    minute's), so a burst across a minute boundary cannot get twice the limit."""
    now = time.time()
    minute = int(now // WINDOW_SECONDS)
    prefix = f"throttle:{scope}:{client_address(request)}"
    current, previous = f"{prefix}:{minute}", f"{prefix}:{minute - 1}"
    overlap = 1 - (now % WINDOW_SECONDS) / WINDOW_SECONDS
    script_client = getattr(cache, "script_client", None)
    client = script_client() if script_client else None
    if client is not None:
        try:
            counted = client.register_script(COUNT_UNDER_LIMIT)(
                keys=[cache.make_key(current), cache.make_key(previous)],
                args=[repr(overlap), per_minute, 2 * WINDOW_SECONDS],
            )
            return bool(counted)
        except REDIS_DOWN:
            pass  # the cache's own methods note the outage and fall back
    counts = cache.get_many([current, previous])
    if counts.get(previous, 0) * overlap + counts.get(current, 0) >= per_minute:
        return False
    # add-then-incr is atomic in Redis; incr fails only if the key just expired.
    if not cache.add(current, 1, timeout=2 * WINDOW_SECONDS):
        try:
            cache.incr(current)
        except ValueError:
            cache.add(current, 1, timeout=2 * WINDOW_SECONDS)
    return True


def too_many_requests(request: HttpRequest) -> HttpResponse:
    response = render(request, "429.html", status=429)
    response["Retry-After"] = str(WINDOW_SECONDS)
    return response


def throttled(scope: str, *, setting: str):
    """A view limited per address to settings.<setting> requests a minute."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not allow(request, scope, per_minute=getattr(settings, setting)):
                return too_many_requests(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
