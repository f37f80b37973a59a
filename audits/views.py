"""The auditor pages (/audit/)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from .models import AuditorProfile


def auditor_required(view):
    """Auditor pages answer 404 to anyone without an active auditor profile."""

    @login_required
    def wrapped(request, *args, **kwargs):
        profile = AuditorProfile.objects.filter(user=request.user, is_active=True).first()
        if profile is None:
            raise Http404
        request.auditor = profile
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@auditor_required
def queue(request):
    associations = request.auditor.associations.order_by("name")
    return render(request, "audits/queue.html", {"associations": associations})
