"""The demo's customer voice: the classic survey on the published standard,
a few hundred responses over 12 months for Indus Courier and Shalimar
Telecom (enough for every score, with a weak spot each), 35 each for four
more members (so the peers' quartiles show), and the KPIs computed from
them. Runs only when the association has no responses yet."""

import datetime
import random

from django.utils import timezone

from associations.models import Association, PublicationStatus, Standard
from members.models import Business, Instrument, SurveyAnswer, SurveyLink, SurveyResponse
from members.surveys.instruments import classic_items
from members.surveys.kpis import compute_customer_kpis
from members.surveys.screening import mask_contacts

# business name -> (responses, mean perception per dimension, mean expectation)
PROFILES = {
    "Indus Courier Company": (260, {"reliability": 6.2, "responsiveness": 4.6, "assurance": 5.8}, 6.0),
    "Shalimar Telecom Services": (220, {"reliability": 4.9, "empathy": 4.4, "tangibles": 6.1}, 5.9),
}
PEER_RESPONSES = 35
COMMENTS = [
    "Delivered on time, and the rider was polite.",
    "I waited a long time on the phone before anyone answered.",
    "بہت اچھی سروس، عملہ مددگار تھا۔",
    "Please call me back on 0300-1234567, nobody replied to my complaint.",
    "সেবা ভালো, তবে অপেক্ষার সময় বেশি।",
    "The office was clean and the staff explained everything.",
]


def seed_voice(association: Association) -> None:
    if SurveyResponse.objects.filter(association=association).exists():
        return
    standard = Standard.objects.filter(association=association, status=PublicationStatus.PUBLISHED).first()
    if standard is None:
        return
    # Set up as staff would have before publishing (a published survey is frozen).
    instrument, created = Instrument.objects.get_or_create(standard=standard, defaults={"minimum_sample": 30})
    if created:
        instrument.items.bulk_create(classic_items(instrument))
    items = list(instrument.items.order_by("number"))
    businesses = list(Business.objects.filter(memberships__association=association).order_by("name"))
    rng = random.Random(11)
    for business in businesses:
        count, perceived, expected = PROFILES.get(business.name, (PEER_RESPONSES, {}, 5.8))
        SurveyLink.objects.get_or_create(business=business, association=association, kind="open")
        _responses(rng, instrument, items, business, association, count, perceived, expected)
    today = timezone.localdate().replace(day=1)
    for back in range(12):
        compute_customer_kpis((today - datetime.timedelta(days=31 * back)).replace(day=1))


def _rating(rng: random.Random, mean: float) -> int:
    return max(1, min(7, round(rng.gauss(mean, 0.9))))


def _responses(rng, instrument, items, business, association, count, perceived, expected) -> None:
    now = timezone.now()
    rows = []
    for i in range(count):
        moment = now - datetime.timedelta(days=rng.uniform(0, 360), hours=rng.uniform(0, 8))
        comment = COMMENTS[i % len(COMMENTS)] if i % 9 == 0 else ""
        satisfied = rng.random() < 0.78
        rows.append(
            SurveyResponse(
                instrument=instrument,
                business=business,
                association=association,
                submitted_at=moment,
                language=rng.choice(["en", "en", "ur", "bn"]),
                csat=rng.choice([4, 5]) if satisfied else rng.choice([1, 2, 3]),
                nps=rng.choice([9, 10, 8]) if satisfied else rng.randint(2, 7),
                fcr=rng.random() < 0.7,
                comment=comment,
                comment_screened=mask_contacts(comment).text if comment else "",
            )
        )
    responses = SurveyResponse.objects.bulk_create(rows)
    SurveyAnswer.objects.bulk_create(
        [
            SurveyAnswer(
                response=response,
                item=item,
                perceived=_rating(rng, perceived.get(item.dimension, 5.6)),
                expected=_rating(rng, expected),
            )
            for response in responses
            for item in items
        ],
        batch_size=5000,
    )
