"""Confirming or rejecting evidence carried forward by a renewal: only the
auditor cleared on the application."""

from django.urls import reverse

from tests.audits.scenario import build, carry_evidence

from . import LOGIN, Row, statuses


def _pending(w):
    s = build(w, declared=False)
    s.carried = carry_evidence(w, s)
    return s


def _cleared(w):
    s = build(w)
    s.carried = carry_evidence(w, s)
    return s


def _url(w, s):
    return reverse("audits:carried_evidence", args=[s.application.pk, s.carried.pk])


ROWS = [
    Row(
        "audits:carried_evidence",
        _url,
        statuses(404, anonymous=LOGIN),
        method="post",
        data={"decision": "confirm"},
        setup=_pending,
    ),
    Row(
        "audits:carried_evidence",
        _url,
        statuses(404, anonymous=LOGIN, auditor=302),
        method="post",
        data={"decision": "confirm"},
        setup=_cleared,
    ),
    Row("audits:carried_evidence", _url, statuses(405), setup=_cleared),
]
