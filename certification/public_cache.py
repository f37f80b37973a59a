"""The public certificate page and its Open Badges JSON without a database
write per view, and mostly without a read.

What a public page shows (the printed fields) is kept in Redis per token,
stamped with the certificate's version there. Every status change bumps the
version after its transaction commits (`forget_public_pages`): a reader that
took its version before the change and its row after refills under the old
version, which nobody reads again, so a revoked certificate is never shown as
valid once the revoke has returned. Views are counted with HINCRBY (per token) and added
to the rows in batches by `flush_verification_counts` (a periodic task),
exactly once however often it runs or wherever it stopped.

Without Redis (REDIS_URL unset, or unreachable) each view reads its row and
counts itself with an UPDATE, as before."""

import contextlib
import datetime
import logging
import pickle
import uuid
from collections.abc import Iterable
from types import SimpleNamespace

import redis
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.shortcuts import get_object_or_404
from django.utils import timezone

from . import throttles
from .models import Certificate, CertificateQuerySet, VerificationCountBatch

logger = logging.getLogger(__name__)

PREFIX = "certification:public:"
# A status change bumps the version, so this only bounds how long an entry
# could outlive a bump that failed (Redis unreachable from the writer just
# then, reachable again for readers): a database read per certificate page
# every five minutes at most.
CACHE_SECONDS = 300
VIEWS_KEY = PREFIX + "views"
BATCH_PREFIX = PREFIX + "views-batch:"
KEEP_BATCH_ROWS = datetime.timedelta(days=1)

_clients: dict[str, redis.Redis] = {}


def _redis() -> redis.Redis | None:
    url = settings.REDIS_URL
    if not url:
        return None
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_timeout=0.25, socket_connect_timeout=0.25)
    return _clients[url]


def _data_key(token: str) -> str:
    return f"{PREFIX}certificate:{token}"


def _version_key(token: str) -> str:
    return f"{PREFIX}version:{token}"


def _load(token: str) -> Certificate:
    return get_object_or_404(Certificate.objects.public(), verification_token=token)


# One round trip for a page view: the cached fields and the version, and the
# view counted when the token is known (its fields are cached).
READ_AND_COUNT = """
local fields = redis.call('GET', KEYS[1])
if fields then redis.call('HINCRBY', KEYS[3], ARGV[1], 1) end
return {fields, redis.call('GET', KEYS[2])}
"""

# The same after the address's limit is checked and counted (throttles.py):
# 0 when refused, nothing read or counted.
WITHIN_LIMIT_READ_AND_COUNT = (
    throttles.UNDER_LIMIT
    + """
local fields = redis.call('GET', KEYS[3])
if fields then redis.call('HINCRBY', KEYS[5], ARGV[4], 1) end
return {fields, redis.call('GET', KEYS[4])}
"""
)


# What the public pages print (pk and CertificateQuerySet.PRINTED_FIELDS), as attributes.
Printed = Certificate | SimpleNamespace


def view_certificate_within(token: str, *, limit: throttles.Limit) -> Printed | None:
    """view_certificate, after counting this request against the address's
    limit, in the same round trip when the cache is this Redis; None when the
    limit is reached (nothing counted)."""
    client = throttles.shared_redis()
    if client is not None:
        try:
            answer = client.register_script(WITHIN_LIMIT_READ_AND_COUNT)(
                keys=[*limit.script_keys(), _data_key(token), _version_key(token), VIEWS_KEY],
                args=[*limit.script_args(), token],
            )
        except redis.RedisError:
            pass  # counted through the cache's methods below, which fall back
        else:
            if answer == 0:
                return None
            return _cached_or_loaded(client, token, *answer)
    if not limit.allow_in_cache():
        return None
    return view_certificate(token)


def view_certificate(token: str) -> Printed:
    """The certificate's printed fields (and pk), its view counted; 404 when
    no certificate has the token."""
    client = _redis()
    if client is None:
        return _counted(_load(token))
    try:
        cached, version = client.eval(
            READ_AND_COUNT, 3, _data_key(token), _version_key(token), VIEWS_KEY, token
        )
    except redis.RedisError:
        return _counted(_load(token))
    return _cached_or_loaded(client, token, cached, version)


def _cached_or_loaded(client: redis.Redis, token: str, cached: bytes | None, version) -> Printed:
    """The certificate from what the script read; loaded and cached again
    when missing or stale (and counted, when the script did not count it)."""
    version = int(version or 0)
    if cached is not None:
        # Our own Redis, as Django's RedisCache (which pickles too) trusts it.
        cached_version, fields = pickle.loads(cached)  # noqa: S301
        if cached_version == version:
            # Not a model instance: building one costs more than the round trip's parsing.
            return SimpleNamespace(**fields)
    certificate = _load(token)
    fields = {name: getattr(certificate, name) for name in ("pk", *CertificateQuerySet.PRINTED_FIELDS)}
    try:
        pipe = client.pipeline(transaction=False)
        pipe.set(_data_key(token), pickle.dumps((version, fields)), ex=CACHE_SECONDS)
        if cached is None:
            pipe.hincrby(VIEWS_KEY, token, 1)
        pipe.execute()
    except redis.RedisError:
        if cached is None:
            _counted(certificate)
    return certificate


def _counted(certificate: Certificate) -> Certificate:
    Certificate.objects.filter(pk=certificate.pk).update(verification_count=F("verification_count") + 1)
    return certificate


def forget_public_pages(tokens: Iterable[str]) -> None:
    """After the status change being made commits, readers load the rows
    afresh. Call it inside the transaction that changes the status."""
    tokens = list(tokens)
    if tokens and settings.REDIS_URL:
        transaction.on_commit(lambda: _bump(tokens))


def _bump(tokens: list[str]) -> None:
    client = _redis()
    try:
        pipe = client.pipeline(transaction=False)
        for token in tokens:
            pipe.incr(_version_key(token))
            pipe.delete(_data_key(token))
        pipe.execute()
    except redis.RedisError:
        # Readers fall back to the database while Redis is unreachable; what
        # it held before expires within CACHE_SECONDS.
        logger.exception("Could not forget the cached public pages of %d certificates", len(tokens))


def flush_verification_counts() -> int:
    """Add the views counted in Redis to the rows; the number of views added.

    The counts are renamed to a batch of their own (views counted meanwhile
    start a new hash), added in one UPDATE in the same transaction as the
    batch's row, and the batch is deleted after the commit. A batch left by a
    run that stopped is finished by the next: added if its row is missing,
    only deleted if its row is there."""
    client = _redis()
    if client is None:
        return 0
    batch = f"{BATCH_PREFIX}{uuid.uuid4().hex}"
    with contextlib.suppress(redis.ResponseError):  # no views counted since the last flush
        client.renamenx(VIEWS_KEY, batch)
    added = 0
    for key in client.scan_iter(match=BATCH_PREFIX + "*", count=100):
        added += _flush_batch(client, key.decode())
    return added


def _flush_batch(client: redis.Redis, key: str) -> int:
    batch = key.removeprefix(BATCH_PREFIX)
    counts = {token.decode(): int(n) for token, n in client.hgetall(key).items()}
    try:
        with transaction.atomic():
            # The batch's row is kept a day: a run that read the batch before
            # another finished it finds the row and adds nothing.
            VerificationCountBatch.objects.create(batch=batch)
            _add_counts(counts)
    except IntegrityError:
        counts = {}
    client.delete(key)
    VerificationCountBatch.objects.filter(created_at__lt=timezone.now() - KEEP_BATCH_ROWS).delete()
    return sum(counts.values())


def _add_counts(counts: dict[str, int]) -> None:
    """One UPDATE per distinct count (a handful: most certificates are seen
    once or twice a minute)."""
    by_count: dict[int, list[str]] = {}
    for token, n in counts.items():
        by_count.setdefault(n, []).append(token)
    for n, tokens in by_count.items():
        Certificate.objects.filter(verification_token__in=tokens).update(
            verification_count=F("verification_count") + n
        )
