"""The staff workbench in the admin: the buttons on a record's page (the
association's deciding staff open them; viewers look but do not act, 403;
another association's staff get 404; people without admin access are sent
to log in)."""

from django.urls import reverse

from members import services as members_services
from tests import factories as f
from tests.audits.scenario import build

from . import Row, statuses
from .audits import _scored

# Viewers see the dashboard and the exports; staff of every association see their own.
LOOK = statuses(302, staff_admin_a=200, staff_viewer_a=200, staff_b=200, superuser=200)
BUTTON = statuses(302, staff_admin_a=200, staff_viewer_a=403, staff_b=404, superuser=200)


def _certificate(w):
    return f.CertificateFactory(
        application=f.ApprovedApplicationFactory(association=w.a, business=w.business_a)
    )


def _invitation(w):
    return members_services.invite_person(
        w.a, email="invited@example.org", kind="auditor", invited_by=w.staff_admin_a
    )


def _button(model, name):
    return lambda w, obj: reverse(f"admin:{model}_{name}_button", args=[getattr(obj, "application", obj).pk])


def _record(model, name):
    return lambda w, obj: reverse(f"admin:{model}_{name}_button", args=[obj.pk])


ROWS = [
    *(
        Row(f"admin:{model}_export", lambda w, model=model: reverse(f"admin:{model}_export"), LOOK)
        for model in (
            "certification_application",
            "certification_certificate",
            "members_business",
            "members_metricvalue",
        )
    ),
    Row(
        "admin:members_metricvalue_changelist",
        lambda w: reverse("admin:members_metricvalue_changelist"),
        LOOK,
    ),
    Row("admin:index", lambda w: reverse("admin:index"), LOOK),
    Row(
        "admin:members_metricimportjob_changelist",
        lambda w: reverse("admin:members_metricimportjob_changelist") + "?queue=failed_imports",
        LOOK,
    ),
    Row(
        "admin:certification_application_assign_button",
        _button("certification_application", "assign"),
        BUTTON,
        setup=build,
    ),
    Row(
        "admin:certification_application_request_changes_button",
        _button("certification_application", "request_changes"),
        BUTTON,
        setup=build,
    ),
    Row(
        "admin:certification_application_approve_button",
        _button("certification_application", "approve"),
        BUTTON,
        setup=_scored,
    ),
    Row(
        "admin:certification_application_reject_button",
        _button("certification_application", "reject"),
        BUTTON,
        setup=_scored,
    ),
    *(
        Row(
            f"admin:certification_certificate_{name}_button",
            _record("certification_certificate", name),
            BUTTON,
            setup=_certificate,
        )
        for name in ("suspend", "reinstate", "revoke")
    ),
    *(
        Row(
            f"admin:members_invitation_{name}_button",
            _record("members_invitation", name),
            BUTTON,
            setup=_invitation,
        )
        for name in ("resend", "withdraw")
    ),
]
