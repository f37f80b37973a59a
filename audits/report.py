"""The audit report of an application as a PDF: scope, auditors, the
scores per dimension, the findings with their status and corrective
actions, and the decision, in the association's language and colours.
Rendered on request (it changes as findings close); every rendering's
SHA-256 is recorded on the application's history."""

import hashlib

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from associations.models import Criterion, Dimension
from associations.services import log_action
from certification.models import Application
from certification.pdf import FONTS, _logo_data_uri, html_to_pdf
from members.models import Declaration

from . import finding_queries


def report_html(application: Application, user) -> str:
    association = application.association
    language = association.default_language
    shown = finding_queries.findings_of(application, user)
    with translation.override(language):
        return render_to_string(
            "audits/report_pdf.html",
            {
                "application": application,
                "association": association,
                "language": language,
                "rtl": translation.get_language_bidi(),
                "font_family": FONTS.get(language, FONTS["en"]),
                "brand_colour": association.brand_colour,
                "logo": _logo_data_uri(association),
                "criteria_count": Criterion.objects.filter(standard_id=application.standard_id).count(),
                "auditors": [
                    a.auditor
                    for a in application.assignments.filter(declaration=Declaration.NO_CONFLICT)
                    .select_related("auditor__user")
                    .order_by("pk")
                ],
                "dimension_scores": [
                    (label, application.dimension_scores[value])
                    for value, label in Dimension.choices
                    if value in application.dimension_scores
                ],
                "findings": [f for f in shown if f.status != "draft"],
                "rendered_at": timezone.now(),
                "site": settings.SITE_URL,
            },
        )


def render_report(application: Application, *, user) -> tuple[bytes, str]:
    """The PDF bytes and their SHA-256, recorded on the history."""
    pdf = html_to_pdf(report_html(application, user))
    digest = hashlib.sha256(pdf).hexdigest()
    log_action(application, "audit.report_rendered", actor=user, data={"sha256": digest})
    return pdf, digest
