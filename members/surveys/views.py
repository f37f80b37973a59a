"""The business portal's "Customer voice" pages: aggregates of its customers'
responses, its survey links, invitations in bulk (CSV) and the QR poster.
Every URL carries the business; one the user does not work for answers 404."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..metrics.views import _association, _business
from ..roles import business_user_required
from . import scoring
from .collect import MAX_INVITATIONS, create_invitations, invitations_csv, open_link
from .instruments import SurveyError
from .poster import poster_pdf
from .queries import MIN_PEERS, voice_of

GAP_RANGE = 6  # gaps on a 7-point scale run from -6 to +6


@business_user_required
def voice(request, business_id: int):
    business, scope = _business(request, business_id)
    association, associations = _association(request, business, scope)
    result = voice_of(business, association)
    link = open_link(business, association, actor=request.user) if result.instrument else None
    return render(
        request,
        "members/surveys/voice.html",
        {
            "business": business,
            "association": association,
            "associations": associations,
            "voice": result,
            "bars": _bars(result),
            "link": link,
            "link_url": request.build_absolute_uri(reverse("survey", args=[link.token])) if link else "",
            "min_peers": MIN_PEERS,
            "privacy_floor": scoring.PRIVACY_FLOOR,
            "max_invitations": MAX_INVITATIONS,
        },
    )


def _bars(result) -> list[dict]:
    """One diverging bar per dimension, in SVG units: the centre at 50, each
    point of gap 50 / GAP_RANGE wide (CSS mirrors it for right-to-left)."""
    bars = []
    for value, label, scores in result.dimensions:
        shown = scores.gap or scores.adequacy
        gap = float(shown.mean)
        width = min(abs(gap), GAP_RANGE) * 50 / GAP_RANGE
        bars.append(
            {
                "dimension": value,
                "label": label,
                "scores": scores,
                "gap": shown,
                "x": 50 - width if gap < 0 else 50,
                "width": width,
                "negative": gap < 0,
                "peer": result.peers.get(value),
            }
        )
    return bars


@require_POST
@business_user_required
def invitations(request, business_id: int):
    """`count` new single-use links, downloaded at once as CSV (token, link)."""
    business, scope = _business(request, business_id)
    association, _associations = _association(request, business, scope)
    try:
        count = int(request.POST.get("count") or 0)
        links = create_invitations(business, association, count=count, actor=request.user)
    except (ValueError, SurveyError) as error:
        message = str(error) if isinstance(error, SurveyError) else _("Enter a number of invitations.")
        messages.error(request, message)
        return redirect(f"{reverse('portal:voice', args=[business.pk])}?association={association.pk}")
    body = invitations_csv(links, lambda token: request.build_absolute_uri(reverse("survey", args=[token])))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-invitations-{business.pk}.csv"'
    return response


@business_user_required
def poster(request, business_id: int):
    """The open link's QR poster as PDF, in the association's languages."""
    business, scope = _business(request, business_id)
    association, _associations = _association(request, business, scope)
    link = open_link(business, association, actor=request.user)
    response = HttpResponse(poster_pdf(link), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="survey-poster-{business.pk}.pdf"'
    return response
