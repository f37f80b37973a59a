"""Findings: the business sees only its own, once the audit is scored; an
auditor only those of applications assigned to them (and the others'
findings only after everyone submitted); staff through the admin list."""

from django.urls import reverse

from audits import findings, services
from audits.findings import NewFinding
from audits.models import Finding, FindingGrade
from tests.audits.scenario import build, full_scores

from . import LOGIN, Row, statuses, users_of_a

OWN_ONLY = statuses(404, anonymous=LOGIN, **users_of_a(200))
ONLY_AUDITOR = statuses(404, anonymous=LOGIN, auditor=200)
ONLY_AUDITOR_POST = statuses(404, anonymous=LOGIN, auditor=302)
STAFF_LIST = statuses(302, staff_admin_a=200, staff_viewer_a=200, staff_b=200, superuser=200)
REPORT = statuses(
    404, anonymous=LOGIN, **users_of_a(200), auditor=200, staff_admin_a=200, staff_viewer_a=200, superuser=200
)
STAFF_OF_A = statuses(302, staff_admin_a=200, staff_viewer_a=200, staff_b=404, superuser=200)


def _with_findings(w):
    s = build(w)
    major = NewFinding(
        criterion_id=s.criteria[0].pk, grade=FindingGrade.MAJOR, statement="No log.", requirement="4.2"
    )
    observation = NewFinding(criterion_id=s.criteria[1].pk, grade=FindingGrade.OBSERVATION, statement="Tidy.")
    services.save_scores(
        s.assignment,
        actor=w.auditor,
        entries=full_scores(s.criteria, 4),
        submit=True,
        new_findings=[major, observation],
    )
    s.major, s.observation = Finding.objects.order_by("pk")
    return s


def _answered(w):
    s = _with_findings(w)
    findings.answer_finding(
        s.major,
        actor=w.business_user_a,
        root_cause="r",
        correction="c",
        corrective_action="a",
        due_date=s.major.deadline,
    )
    return s


ROWS = [
    Row(
        "portal_findings:list",
        lambda w, s: reverse("portal_findings:list", args=[s.application.pk]),
        OWN_ONLY,
        setup=_with_findings,
    ),
    Row(
        "portal_findings:detail",
        lambda w, s: reverse("portal_findings:detail", args=[s.major.pk]),
        OWN_ONLY,
        setup=_with_findings,
    ),
    Row(
        "portal_findings:detail",
        lambda w, s: reverse("portal_findings:detail", args=[s.major.pk]),
        # Invalid (no fields): the page again with the errors, for its own users only.
        statuses(404, anonymous=LOGIN, **users_of_a(400)),
        method="post",
        setup=_with_findings,
    ),
    Row(
        "audits:findings",
        lambda w, s: reverse("audits:findings", args=[s.application.pk]),
        ONLY_AUDITOR,
        setup=_with_findings,
    ),
    Row(
        "audits:finding_review",
        lambda w, s: reverse("audits:finding_review", args=[s.application.pk, s.major.pk]),
        ONLY_AUDITOR_POST,
        method="post",
        setup=_answered,
    ),
    Row(
        "audits:finding_merge",
        lambda w, s: reverse("audits:finding_merge", args=[s.application.pk, s.observation.pk]),
        ONLY_AUDITOR_POST,
        method="post",
        setup=_with_findings,
    ),
    Row(
        "audits:report",
        lambda w, s: reverse("audits:report", args=[s.application.pk]),
        statuses(
            404,
            anonymous=LOGIN,
            **users_of_a(200),
            auditor=200,
            staff_admin_a=200,
            staff_viewer_a=200,
            superuser=200,
        ),
        setup=_with_findings,
    ),
    Row(
        "audits:report",
        lambda w, s: reverse("audits:report", args=[s.application.pk]),
        # Before the audit is scored there is no report, for anyone.
        statuses(404, anonymous=LOGIN),
        setup=lambda w: build(w),
    ),
    Row("admin:audits_finding_changelist", lambda w: reverse("admin:audits_finding_changelist"), STAFF_LIST),
    Row(
        "admin:audits_finding_change",
        lambda w, s: reverse("admin:audits_finding_change", args=[s.major.pk]),
        STAFF_OF_A,
        setup=_with_findings,
    ),
]
