"""business_a's affairs in association B, once business_a is a member of both
A and B: business_user_a holds roles granted by both associations and sees
them; editor_a and shared_owner_a, granted by A only, get 404 like any
outsider; B's staff read them in the admin and through the file views."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certification.issuance import issue_certificate
from members.metrics.csv_import import start_metric_import
from tests import factories as f

from . import LOGIN, Row, statuses

OWNER_IN_B = statuses(404, anonymous=LOGIN, business_user_a=200)
FILE_IN_B = statuses(404, anonymous=LOGIN, business_user_a=200, staff_b=200, superuser=200)


def _shared(w):
    """business_a joins B, and B grants business_user_a a role there too."""
    f.MembershipFactory(association=w.b, business=w.business_a)
    f.BusinessUserFactory(business=w.business_a, user=w.business_user_a, association=w.b, role="owner")


def _application_in_b(w):
    _shared(w)
    standard = f.PublishedStandardFactory(association=w.b)
    criterion = f.CriterionFactory(standard=standard)
    application = f.ApplicationFactory(business=w.business_a, standard=standard)
    evidence = f.EvidenceFactory(application=application, criterion=criterion)
    return {"application": application, "evidence": evidence}


def _certificate_in_b(w):
    _shared(w)
    return issue_certificate(f.ApprovedApplicationFactory(association=w.b, business=w.business_a))


def _metrics_in_b(w):
    _shared(w)
    kpi = f.KpiFactory(association=w.b, code="nps", min_value=-100)
    report = f.MetricReportFactory(business=w.business_a, association=w.b, period=datetime.date(2026, 1, 1))
    f.MetricValueFactory(report=report, kpi=kpi, value=42)
    upload = SimpleUploadedFile("m.csv", b"month,kpi_code,value,sample_size\n2025-12,nps,40,\n")
    job = start_metric_import(w.business_a, association=w.b, upload=upload, actor=w.business_user_a)
    return {"report": report, "job": job}


def _in_b(w, _context=None):
    return f"?association={w.b.pk}"


ROWS = [
    Row(
        "applications:detail",
        lambda w, c: reverse("applications:detail", args=[c["application"].pk]),
        OWNER_IN_B,
        setup=_application_in_b,
    ),
    Row(
        "certification:evidence_download",
        lambda w, c: reverse("certification:evidence_download", args=[c["evidence"].pk]),
        FILE_IN_B,
        setup=_application_in_b,
    ),
    Row(
        "certification:download",
        lambda w, c: reverse("certification:download", args=[c.pk]),
        FILE_IN_B,
        setup=_certificate_in_b,
    ),
    Row(
        "certification:renew",
        lambda w, c: reverse("certification:renew", args=[c.pk]),
        statuses(404, anonymous=LOGIN, business_user_a=200, staff_b=403, superuser=403),
        setup=_certificate_in_b,
    ),
    Row(
        "portal:metrics",
        lambda w, c: reverse("portal:metrics", args=[w.business_a.pk]) + _in_b(w),
        OWNER_IN_B,
        setup=_metrics_in_b,
    ),
    Row(
        "portal:metrics_report",
        lambda w, c: reverse("portal:metrics_report", args=[w.business_a.pk, c["report"].pk]),
        OWNER_IN_B,
        setup=_metrics_in_b,
    ),
    Row(
        "portal:metrics_report_form",
        lambda w, c: reverse("portal:metrics_report_form", args=[w.business_a.pk]) + _in_b(w),
        statuses(404, anonymous=LOGIN, business_user_a=302),
        method="post",
        data={"month": "2025-11", "value_nps": "12"},
        setup=_metrics_in_b,
    ),
    Row(
        "portal:metrics_import_template",
        lambda w, c: reverse("portal:metrics_import_template", args=[w.business_a.pk]) + _in_b(w),
        OWNER_IN_B,
        setup=_metrics_in_b,
    ),
    Row(
        "portal:metrics_import_job",
        lambda w, c: reverse("portal:metrics_import_job", args=[w.business_a.pk, c["job"].pk]),
        OWNER_IN_B,
        setup=_metrics_in_b,
    ),
    Row(
        "portal:metrics_import_status",
        lambda w, c: reverse("portal:metrics_import_status", args=[w.business_a.pk, c["job"].pk]),
        OWNER_IN_B,
        setup=_metrics_in_b,
    ),
]
