"""The member portal (/portal/): pages for the users of a business."""

from collections.abc import Callable

from django.shortcuts import render

from .models import Business, Membership
from .roles import role_required

# Higher apps (certification, metrics) add sections to the dashboard without
# members importing them: each takes the request and returns
# (template name, context) or None. They are registered in AppConfig.ready().
DASHBOARD_SECTIONS: list[Callable] = []


def _is_business_user(request) -> bool:
    return request.user.business_roles.exists()


# Portal pages answer 404 to anyone who is not a user of some business.
business_user_required = role_required(_is_business_user)


@business_user_required
def dashboard(request):
    businesses = Business.objects.of_business_user(request.user).order_by("name")
    # Only the memberships the person's roles were granted for.
    memberships = (
        Membership.objects.of_business_user(request.user)
        .select_related("association", "business")
        .order_by("business__name", "association__name")
    )
    sections = [
        {"template": found[0], "context": found[1]}
        for found in (section(request) for section in DASHBOARD_SECTIONS)
        if found
    ]
    return render(
        request,
        "members/dashboard.html",
        {"businesses": businesses, "memberships": memberships, "sections": sections},
    )
