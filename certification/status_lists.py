"""Each association's published W3C Bitstring Status Lists (status_list.py
has the format): one for revocation and one for suspension, each
certificate at a random index given once (`allocate_status_index`).

A status change marks the association's lists stale in its own transaction
(`mark_status_lists_stale`) and queues one regeneration a few seconds later
(debounced: the changes of those seconds share it). The regeneration clears
the mark only when nothing changed meanwhile, and the sweep queues a list
still stale, so a lost message delays a list and never leaves it wrong."""

import datetime
import hashlib
import json
import random

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from config.celery import REQUEUE_AFTER, stamp_queued

from . import status_list
from .badges import issuer_id, sign_for_association
from .models import Certificate, CertificateStatus, StatusList, StatusPurpose

# The changes of these seconds share one regeneration.
DEBOUNCE_SECONDS = 5
# How long a verifier may keep a list (Cache-Control max-age and the list's ttl).
LIST_MAX_AGE = 300

PURPOSE_STATUS = {
    StatusPurpose.REVOCATION: CertificateStatus.REVOKED,
    StatusPurpose.SUSPENSION: CertificateStatus.SUSPENDED,
}


def allocate_status_index(certificate: Certificate, *, rng: random.Random | None = None) -> int:
    """The certificate's index in its association's lists: chosen at random
    among the free ones and stored once (a unique constraint per association
    settles two certificates drawing the same one: the loser draws again)."""
    if certificate.status_index is not None:
        return certificate.status_index
    for _attempt in range(20):
        taken = Certificate.objects.filter(
            association_id=certificate.association_id, status_index__isnull=False
        ).values_list("status_index", flat=True)
        index = status_list.choose_index(list(taken), rng=rng)
        try:
            with transaction.atomic():
                updated = Certificate.objects.filter(pk=certificate.pk, status_index=None).update(
                    status_index=index
                )
        except IntegrityError:
            continue
        if not updated:  # another process gave it one first
            index = Certificate.objects.values_list("status_index", flat=True).get(pk=certificate.pk)
        certificate.status_index = index
        return index
    raise status_list.StatusListFull("No free status list index found.")


def list_url(association_slug: str, purpose: str) -> str:
    return settings.SITE_URL + reverse("certification:status_list", args=[association_slug, purpose])


def status_entries(certificate: Certificate, association_slug: str) -> list[dict]:
    """The certificate's two BitstringStatusListEntry (revocation, suspension)."""
    return [
        status_list.status_list_entry(
            list_url=list_url(association_slug, purpose), index=certificate.status_index, purpose=purpose
        )
        for purpose in StatusPurpose.values
    ]


def mark_status_lists_stale(association_id: int) -> None:
    """Record that the association's lists need regenerating (in the
    caller's transaction), and queue the regeneration after it commits,
    unless one was queued within DEBOUNCE_SECONDS (it will read this change)."""
    now = timezone.now()
    for purpose in StatusPurpose.values:
        StatusList.objects.get_or_create(association_id=association_id, purpose=purpose)
    StatusList.objects.filter(association_id=association_id).update(stale_since=now)
    queue = StatusList.objects.filter(association_id=association_id).filter(
        Q(queued_at=None) | Q(queued_at__lt=now - datetime.timedelta(seconds=DEBOUNCE_SECONDS))
    )
    if queue.update(queued_at=now):
        from .tasks import regenerate_status_lists_task  # noqa: PLC0415  (tasks -> certificates -> here)

        transaction.on_commit(
            lambda: regenerate_status_lists_task.apply_async(
                kwargs={"association_id": association_id}, countdown=DEBOUNCE_SECONDS
            )
        )


def build_status_list(association, purpose: str, *, now: datetime.datetime) -> dict:
    """The signed BitstringStatusListCredential of the association's certificates."""
    indexes = Certificate.objects.filter(
        association=association, status=PURPOSE_STATUS[purpose], status_index__isnull=False
    ).values_list("status_index", flat=True)
    credential = status_list.status_list_credential(
        url=list_url(association.slug, purpose),
        issuer=issuer_id(association.slug),
        purpose=purpose,
        encoded_list=status_list.encode_list(indexes),
        valid_from=now,
        ttl_ms=LIST_MAX_AGE * 1000,
    )
    return sign_for_association(credential, association, created=now)


def regenerate_status_lists(association) -> int:
    """Build both lists from the certificates now; clear the stale mark of
    each unless a change came after the build began. Returns lists written."""
    started = timezone.now()
    written = 0
    for purpose in StatusPurpose.values:
        row, _created = StatusList.objects.get_or_create(association=association, purpose=purpose)
        credential = build_status_list(association, purpose, now=started)
        subject = credential["credentialSubject"]["encodedList"]
        # The ETag is the list's content, so an unchanged list answers 304.
        etag = '"' + hashlib.sha256(json.dumps(subject).encode()).hexdigest()[:32] + '"'
        StatusList.objects.filter(pk=row.pk).update(credential=credential, etag=etag, generated_at=started)
        StatusList.objects.filter(pk=row.pk, stale_since__lte=started).update(
            stale_since=None, queued_at=None
        )
        written += 1
    return written


def claim_stale_status_lists(*, limit: int = 1000) -> list[int]:
    """The associations whose lists are stale and not queued recently (the sweep)."""
    now = timezone.now()
    ids = stamp_queued(
        StatusList.objects.filter(stale_since__isnull=False).filter(
            Q(queued_at=None) | Q(queued_at__lt=now - REQUEUE_AFTER)
        ),
        now=now,
        limit=limit,
    )
    return sorted(set(StatusList.objects.filter(pk__in=ids).values_list("association_id", flat=True)))
