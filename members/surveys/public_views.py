"""The public survey: no account, no JavaScript needed. The page names only
the business the link belongs to; an unknown or used token answers 404."""

from django.conf import settings
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from associations.models import Dimension
from certification.throttles import allow, too_many_requests

from ..models import LinkKind, SurveyLink
from ..roles import is_business_user
from . import battery
from .answers import HONEYPOT, Problems, columns, read_answers
from .collect import current_instrument, submit_response
from .instruments import SurveyError

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def _languages(association) -> list[str]:
    """Every language the survey is written in, the association's own first."""
    own = [code for code in association.languages or () if code in LANGUAGE_CODES]
    return own + [code for code in LANGUAGE_CODES if code not in own]


def _language(request, association) -> str:
    """?lang= (or the form's), else the request's language, else the association's first."""
    wanted = request.POST.get("lang") or request.GET.get("lang") or translation.get_language()
    allowed = _languages(association)
    return wanted if wanted in allowed else allowed[0]


def _link(token: str) -> SurveyLink:
    link = get_object_or_404(SurveyLink.objects.select_related("business", "association"), token=token)
    if link.kind == LinkKind.INVITATION and link.used_at is not None:
        raise Http404
    return link


@require_http_methods(["GET", "POST"])
def survey(request, token: str):
    link = _link(token)
    if is_business_user(request.user, link.business_id, association_id=None):
        return HttpResponseForbidden(
            _("You work for this business: its customers answer this survey, not you.")
        )
    instrument = current_instrument(link.association_id)
    if instrument is None:
        raise Http404
    items = list(instrument.items.order_by("number"))
    language = _language(request, link.association)
    problems = Problems()
    with translation.override(language):
        if request.method == "POST":
            if not _under_limits(request, link):
                return too_many_requests(request)
            if request.POST.get(HONEYPOT):
                return redirect("survey_thanks", token=token)
            answers, problems = read_answers(instrument, items, request.POST)
            if not problems:
                try:
                    submit_response(
                        link, instrument=instrument, items=items, answers=answers, language=language
                    )
                except SurveyError as error:
                    problems.errors["link"] = str(error)
                else:
                    return redirect(f"{_thanks_url(token)}?lang={language}")
        return render(
            request,
            "members/surveys/survey.html",
            _context(link, instrument, items, language, request.POST if problems else {}, problems),
            status=400 if problems else 200,
        )


def _thanks_url(token: str) -> str:
    return reverse("survey_thanks", args=[token])


def _under_limits(request, link: SurveyLink) -> bool:
    return allow(request, "survey", per_minute=settings.SURVEY_SUBMISSIONS_PER_ADDRESS) and allow(
        request,
        "survey-business",
        per_minute=settings.SURVEY_SUBMISSIONS_PER_BUSINESS,
        key=str(link.business_id),
    )


def thanks(request, token: str):
    link = get_object_or_404(SurveyLink.objects.select_related("business", "association"), token=token)
    with translation.override(_language(request, link.association)):
        return render(request, "members/surveys/thanks.html", {"business": link.business})


def _radios(name: str, values, chosen: str) -> str:
    """One scale's radio buttons, built here: 300-odd of them through the
    template language would cost most of the page's time."""
    return mark_safe(  # noqa: S308 (name and values are ours; escaped below all the same)
        "".join(
            f'<label><input type="radio" name="{escape(name)}" value="{value}"'
            f"{' checked' if chosen == str(value) else ''} required><span>{value}</span></label>"
            for value in values
        )
    )


def _context(link, instrument, items, language, posted, problems) -> dict:
    scale = list(range(1, 8))

    def rows(column: str) -> list[dict]:
        return [
            {
                "item": item,
                "name": f"{column}{item.number}",
                "text": item.expectation(language) if column == "e" else item.text(language),
                "feature": item.feature(language),
                "radios": _radios(f"{column}{item.number}", scale, posted.get(f"{column}{item.number}", "")),
                "missing": item.code in problems.missing,
            }
            for item in items
        ]

    three = instrument.three_column
    sections = (
        [
            {
                "intro": battery.THREE_COLUMN_INTRO.get(language),
                "three": True,
                "items": _three(items, language, posted, problems),
            }
        ]
        if three
        else [
            {"intro": battery.EXPECTATIONS_INTRO.get(language), "rows": rows("e")},
            {"intro": battery.PERCEPTIONS_INTRO.get(language), "rows": rows("p")},
        ]
    )
    agree = battery.AGREEMENT_SCALE.labels
    return {
        "link": link,
        "business": link.business,
        "instrument": instrument,
        "language": language,
        "survey_languages": _languages(link.association),
        "sections": sections,
        "scale": scale,
        "scale_low": agree[0][1].get(language),
        "scale_high": agree[-1][1].get(language),
        "columns": columns(instrument),
        "csat": battery.CSAT,
        "csat_text": battery.CSAT.text.get(language),
        "csat_options": [(v, label.get(language)) for v, label in battery.CSAT.scale.labels],
        "nps_text": battery.NPS.text.get(language),
        "nps_radios": _radios("nps", range(0, 11), posted.get("nps", "")),
        "nps_low": battery.NPS.scale.labels[0][1].get(language),
        "nps_high": battery.NPS.scale.labels[-1][1].get(language),
        "fcr_text": battery.FCR.text.get(language),
        "fcr_yes": battery.FCR.scale.labels[0][1].get(language),
        "fcr_no": battery.FCR.scale.labels[1][1].get(language),
        "comment_text": battery.COMMENT_PROMPT.get(language),
        "importance_intro": battery.IMPORTANCE_INTRO.get(language),
        "dimensions": [
            (
                value,
                label,
                battery.DIMENSION_DESCRIPTIONS[value].get(language),
                posted.get(f"imp_{value}", ""),
            )
            for value, label in Dimension.choices
        ],
        "posted": posted,
        "problems": problems,
        "honeypot": HONEYPOT,
    }


def _three(items, language, posted, problems) -> list[dict]:
    names = (("a", battery.MINIMUM_COLUMN), ("d", battery.DESIRED_COLUMN), ("p", battery.PERCEIVED_COLUMN))
    return [
        {
            "item": item,
            "feature": item.feature(language) or item.text(language),
            "missing": item.code in problems.missing,
            "columns": [
                {
                    "label": label.get(language),
                    "radios": _radios(f"{c}{item.number}", range(1, 8), posted.get(f"{c}{item.number}", "")),
                }
                for c, label in names
            ],
        }
        for item in items
    ]
