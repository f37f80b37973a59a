"""The auditor pages: an auditor sees only applications assigned to them,
and nothing of one before declaring no conflict; a business never sees the
scores before the decision."""

from django.urls import reverse

from audits import services
from tests.audits.scenario import build, full_scores

from . import LOGIN, Row, statuses, users_of_a

ONLY_AUDITOR = statuses(404, anonymous=LOGIN, auditor=200)
NOBODY = statuses(404, anonymous=LOGIN)


def _pending(w):
    return build(w, declared=False)


def _cleared(w):
    return build(w)


def _scored(w):
    s = build(w)
    services.save_scores(s.assignment, actor=w.auditor, entries=full_scores(s.criteria, 5), submit=True)
    return s


def _approved(w):
    s = _scored(w)
    services.approve(s.application, actor=w.staff_admin_a, level=s.levels[2])
    return s


def _app_url(name):
    return lambda w, s: reverse(name, args=[s.application.pk])


RESULT_BEFORE = statuses(
    404,
    anonymous=LOGIN,
    **users_of_a(403),
    auditor=403,
    staff_admin_a=200,
    staff_viewer_a=200,
    superuser=200,
)

ROWS = [
    Row(
        "audits:assignment",
        lambda w, s: reverse("audits:assignment", args=[s.assignment.pk]),
        ONLY_AUDITOR,
        setup=_pending,
    ),
    Row("audits:application", _app_url("audits:application"), NOBODY, setup=_pending),
    Row("audits:application", _app_url("audits:application"), ONLY_AUDITOR, setup=_cleared),
    Row("audits:score", _app_url("audits:score"), NOBODY, setup=_pending),
    Row("audits:score", _app_url("audits:score"), ONLY_AUDITOR, setup=_cleared),
    Row("audits:request_changes", _app_url("audits:request_changes"), NOBODY, setup=_pending),
    Row("audits:request_changes", _app_url("audits:request_changes"), ONLY_AUDITOR, setup=_cleared),
    Row(
        "audits:consensus",
        lambda w, s: reverse("audits:consensus", args=[s.application.pk, s.criteria[0].pk]),
        statuses(404, anonymous=LOGIN),
        method="post",
        setup=_pending,
    ),
    Row(
        "audits:consensus",
        lambda w, s: reverse("audits:consensus", args=[s.application.pk, s.criteria[0].pk]),
        statuses(404, anonymous=LOGIN, auditor=302),
        method="post",
        setup=_cleared,
    ),
    Row(
        "audits:evidence",
        lambda w, s: reverse("audits:evidence", args=[s.evidence.pk]),
        NOBODY,
        setup=_pending,
    ),
    Row(
        "audits:evidence",
        lambda w, s: reverse("audits:evidence", args=[s.evidence.pk]),
        ONLY_AUDITOR,
        setup=_cleared,
    ),
    Row(
        "audits:result",
        _app_url("audits:result"),
        statuses(
            404, anonymous=LOGIN, **users_of_a(403), staff_admin_a=200, staff_viewer_a=200, superuser=200
        ),
        setup=_pending,
    ),
    Row("audits:result", _app_url("audits:result"), RESULT_BEFORE, setup=_cleared),
    Row("audits:result", _app_url("audits:result"), {**RESULT_BEFORE, "auditor": 200}, setup=_scored),
    Row(
        "audits:result",
        _app_url("audits:result"),
        {**RESULT_BEFORE, "auditor": 200, **users_of_a(200)},
        setup=_approved,
    ),
    Row(
        "admin:certification_application_changelist",
        lambda w, s: reverse("admin:certification_application_changelist"),
        statuses(302, staff_admin_a=200, staff_viewer_a=200, staff_b=200, superuser=200),
        setup=_cleared,
    ),
    Row(
        "admin:certification_application_change",
        lambda w, s: reverse("admin:certification_application_change", args=[s.application.pk]),
        statuses(302, staff_admin_a=200, staff_viewer_a=200, staff_b=404, superuser=200),
        setup=_cleared,
    ),
]
