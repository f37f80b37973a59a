"""Collecting responses: the business's links, and recording one customer's
answers with the abuse rules.

Bursts (the rule, live; screening.py explains the statistics): when a
response arrives we count the business's responses in the hour up to it,
itself included, and compare that count with the business's busy rate (the
90th percentile of its responses per clock hour over the 28 days before,
held ones left out, at least 3 an hour). A count a Poisson process at that
rate would reach with probability under one in a million is a burst: the
response and the others of that hour are held (`held`), and so is any
response arriving while a held one is under an hour old. Held responses
count nowhere (no score, no KPI) until staff release them in the admin."""

import csv
import io
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncHour
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import Association, PublicationStatus
from associations.services import log_action

from ..models import (
    Business,
    Instrument,
    LinkKind,
    SurveyAnswer,
    SurveyItem,
    SurveyLink,
    SurveyResponse,
)
from .answers import Answers
from .instruments import SurveyError
from .screening import BURST_BASELINE, BURST_WINDOW, check_burst, mask_contacts

MAX_INVITATIONS = 5000


def current_instrument(association_id: int) -> Instrument | None:
    """The survey customers answer now: the association's latest published standard that has one."""
    return (
        Instrument.objects.filter(
            standard__association_id=association_id, standard__status=PublicationStatus.PUBLISHED
        )
        .select_related("standard")
        .order_by("-standard__published_at", "-pk")
        .first()
    )


def open_link(business: Business, association: Association, *, actor=None) -> SurveyLink:
    """The business's one open link in the association, made on first use."""
    link, _created = SurveyLink.objects.get_or_create(
        business=business, association=association, kind=LinkKind.OPEN, defaults={"created_by": actor}
    )
    return link


@transaction.atomic
def create_invitations(
    business: Business, association: Association, *, count: int, actor
) -> list[SurveyLink]:
    """`count` single-use links, for the business to hand out on receipts, SMS or e-mail."""
    if not 1 <= count <= MAX_INVITATIONS:
        raise SurveyError(_("Ask for 1 to %(max)d invitations at a time.") % {"max": MAX_INVITATIONS})
    links = SurveyLink.objects.bulk_create(
        [
            SurveyLink(business=business, association=association, kind=LinkKind.INVITATION, created_by=actor)
            for _i in range(count)
        ]
    )
    log_action(business, "survey.invitations_created", actor=actor, data={"count": count})
    return links


def invitations_csv(links: Sequence[SurveyLink], url_of) -> str:
    """token,link per invitation; `url_of(token)` is the absolute survey URL."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["token", "link"])
    for link in links:
        writer.writerow([link.token, url_of(link.token)])
    return out.getvalue()


def _burst_hold(business_id: int, association_id: int, now) -> bool:
    """Whether a response arriving now is held (see the module's docstring);
    when it starts a burst, the hour's earlier responses are held with it."""
    mine = SurveyResponse.objects.filter(business_id=business_id, association_id=association_id)
    window_start = now - BURST_WINDOW
    recent = mine.filter(submitted_at__gt=window_start).aggregate(
        count=Count("pk"), held=Count("pk", filter=Q(held=True))
    )
    if recent["held"]:
        return True
    hourly = (
        mine.filter(
            submitted_at__gt=window_start - BURST_BASELINE, submitted_at__lte=window_start, held=False
        )
        .annotate(hour=TruncHour("submitted_at"))
        .values("hour")
        .annotate(n=Count("pk"))
        .values_list("hour", "n")
    )
    history = [hour for hour, n in hourly for _i in range(n)]
    if not check_burst(recent["count"] + 1, history).is_burst:
        return False
    mine.filter(submitted_at__gt=window_start, held=False).update(held=True)
    return True


@transaction.atomic
def submit_response(
    link: SurveyLink,
    *,
    instrument: Instrument,
    items: Sequence[SurveyItem],
    answers: Answers,
    language: str,
) -> SurveyResponse:
    """Record one complete response (read_answers checked it) through `link`."""
    now = timezone.now()
    if link.kind == LinkKind.INVITATION:
        # The claim and the check in one statement: two submissions of one
        # token cannot both see it unused.
        claimed = SurveyLink.objects.filter(pk=link.pk, used_at=None).update(used_at=now)
        if not claimed:
            raise SurveyError(_("This invitation has already been used. Thank you!"))
    held = _burst_hold(link.business_id, link.association_id, now)
    screened = mask_contacts(answers.comment).text if answers.comment else ""
    response = SurveyResponse.objects.create(
        instrument=instrument,
        business_id=link.business_id,
        association_id=link.association_id,
        link=link,
        submitted_at=now,
        language=language,
        importance=answers.importance,
        csat=answers.csat,
        nps=answers.nps,
        fcr=answers.fcr,
        comment=answers.comment,
        comment_screened=screened,
        held=held,
    )
    ratings = answers.ratings
    three = instrument.three_column
    SurveyAnswer.objects.bulk_create(
        [
            SurveyAnswer(
                response=response,
                item=item,
                perceived=ratings["p"][item.number],
                expected=None if three else ratings["e"][item.number],
                minimum=ratings["a"][item.number] if three else None,
                desired=ratings["d"][item.number] if three else None,
            )
            for item in items
        ]
    )
    return response


@transaction.atomic
def release_responses(responses, *, actor) -> int:
    """Staff: count held responses after all (they were genuine)."""
    ids = list(responses.filter(held=True).select_for_update().values_list("pk", flat=True))
    released = SurveyResponse.objects.filter(pk__in=ids).update(
        held=False, released_at=timezone.now(), released_by=actor
    )
    for association_id in set(
        SurveyResponse.objects.filter(pk__in=ids).values_list("association_id", flat=True)
    ):
        association = Association.objects.get(pk=association_id)
        log_action(association, "survey.responses_released", actor=actor, data={"count": released})
    return released
