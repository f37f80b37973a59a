from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views import i18n as i18n_views
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .forms import InvitedAccountForm
from .middleware import remember_mfa_decision
from .models import User
from .roles import roles_for


@csrf_exempt
@require_POST
def set_language(request):
    """Django's language switcher. An anonymous visitor's choice is only a
    cookie in their own browser (the worst a forged request can do is show
    them another language), so their switcher carries no CSRF token: the
    public pages are then the same bytes for every visitor, rendered once
    (certification.public_render). A signed-in person's choice is saved on
    their account, so it is checked."""
    if request.user.is_authenticated:
        return _save_language(request)
    return i18n_views.set_language(request)


@csrf_protect
def _save_language(request):
    """The switcher for a signed-in person, which also remembers the choice as
    their preference (the language of their emails too)."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        User.objects.filter(pk=request.user.pk).update(language=language)
    return response


def home(request):
    """Anonymous visitors get the public front page; people with one role
    land on it; people with several choose."""
    if not request.user.is_authenticated:
        return render(request, "home.html")
    destinations = roles_for(request.user).destinations
    if len(destinations) == 1:
        return redirect(destinations[0].url)
    return redirect("choose_role")


@login_required
def choose_role(request):
    return render(request, "members/choose_role.html", {"destinations": roles_for(request.user).destinations})


@require_http_methods(["GET", "POST"])
def accept_invitation(request, signed):
    try:
        invitation = services.read_invitation(signed)
    except services.MembersError as error:
        return render(request, "members/invitation_invalid.html", {"error": error}, status=410)
    user = request.user
    form = InvitedAccountForm(request.POST or None) if not user.is_authenticated else None
    if request.method == "POST":
        try:
            if form is not None:
                if not form.is_valid():
                    raise services.MembersError("")
                user = services.create_invited_user(invitation, **form.cleaned_data)
            services.accept_invitation(invitation, user=user)
        except services.MembersError as error:
            if str(error):
                messages.error(request, error)
        else:
            if not request.user.is_authenticated:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            # A new role may bring the association's two-factor requirement.
            remember_mfa_decision(request, user)
            messages.success(request, services.accepted_message(invitation))
            return redirect("home")
    login_url = f"{reverse('account_login')}?{urlencode({'next': request.path})}"
    return render(
        request,
        "members/invitation_accept.html",
        {"invitation": invitation, "form": form, "login_url": login_url},
    )
