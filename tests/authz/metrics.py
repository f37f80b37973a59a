"""Service metrics and API tokens: portal pages carry the business in the
URL, so every role but that business's own users gets 404 (and an editor
403 on the owners' token pages); the token API answers 401 to any session
(it accepts business tokens only)."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members.api.auth import create_api_token
from members.metrics.csv_import import start_metric_import
from tests import factories as f

from . import LOGIN, Row, statuses, users_of_a

USERS_ONLY = statuses(404, anonymous=LOGIN, **users_of_a(200))
USERS_POST = statuses(404, anonymous=LOGIN, **users_of_a(302))
# API tokens are the owners' to manage: an editor may look at nothing there.
OWNER_ONLY = statuses(404, anonymous=LOGIN, **users_of_a(200, editor_a=403))
OWNER_POST = statuses(404, anonymous=LOGIN, **users_of_a(302, editor_a=403))
TOKEN_ONLY = statuses(401)
PUBLIC = statuses(200)


def _report(w):
    kpi = f.KpiFactory(association=w.a, code="csat")
    report = f.MetricReportFactory(business=w.business_a, association=w.a, period=datetime.date(2026, 1, 1))
    f.MetricValueFactory(report=report, kpi=kpi, value=80)
    return report


def _job(w):
    _report(w)
    upload = SimpleUploadedFile("m.csv", b"month,kpi_code,value,sample_size\n2026-01,csat,81,\n")
    return start_metric_import(w.business_a, association=w.a, upload=upload, actor=w.business_user_a)


def _token(w):
    return create_api_token(w.business_a, name="CRM", actor=w.business_user_a)[0]


def _portal(name, *extra):
    return lambda w, obj=None: reverse(f"portal:{name}", args=[w.business_a.pk, *[x(obj) for x in extra]])


ROWS = [
    Row("portal:metrics", _portal("metrics"), USERS_ONLY),
    Row("portal:metrics_reports", _portal("metrics_reports"), USERS_ONLY),
    Row("portal:metrics_report", _portal("metrics_report", lambda r: r.pk), USERS_ONLY, setup=_report),
    Row("portal:metrics_report_form", _portal("metrics_report_form"), USERS_ONLY),
    Row("portal:metrics_import", _portal("metrics_import"), USERS_ONLY),
    Row("portal:metrics_import_template", _portal("metrics_import_template"), USERS_ONLY),
    Row("portal:metrics_import_job", _portal("metrics_import_job", lambda j: j.pk), USERS_ONLY, setup=_job),
    Row(
        "portal:metrics_import_status",
        _portal("metrics_import_status", lambda j: j.pk),
        USERS_ONLY,
        setup=_job,
    ),
    Row(
        "portal:metrics_import_confirm",
        _portal("metrics_import_confirm", lambda j: j.pk),
        USERS_POST,
        method="post",
        data={"confirm": "1"},
        setup=_job,
    ),
    Row("portal:api_tokens", _portal("api_tokens"), OWNER_ONLY),
    Row(
        "portal:api_token_revoke",
        _portal("api_token_revoke", lambda t: t.pk),
        OWNER_POST,
        method="post",
        setup=_token,
    ),
    Row("api:kpis", lambda w: reverse("api:kpis"), TOKEN_ONLY),
    Row("api:metric_reports", lambda w: reverse("api:metric_reports"), TOKEN_ONLY),
    Row(
        "api:metric_report", lambda w, r: reverse("api:metric_report", args=[r.pk]), TOKEN_ONLY, setup=_report
    ),
    Row("api:schema", lambda w: reverse("api:schema"), PUBLIC),
    Row("api:docs", lambda w: reverse("api:docs"), PUBLIC),
]
