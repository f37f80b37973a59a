"""The portal's seal page: the sites a business registers for its seal
(every URL carries the business; one the user does not work for is 404)."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from members.models import Business, SealDomain
from members.roles import business_user_required

from .models import Certificate, CertificateStatus
from .seal import SealDomainError, add_seal_domain, remove_seal_domain, seal_snippet


class SealDomainForm(forms.Form):
    domain = forms.CharField(label=gettext_lazy("Website domain"), max_length=300)


def _business(request, business_id: int) -> Business:
    return get_object_or_404(Business.objects.of_business_user(request.user), pk=business_id)


@business_user_required
def seal_domains(request, business_id: int):
    business = _business(request, business_id)
    form = SealDomainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            add_seal_domain(business, domain=form.cleaned_data["domain"], actor=request.user)
        except SealDomainError as error:
            form.add_error("domain", str(error))
        else:
            messages.success(request, _("Domain registered: your seal shows as verified there."))
            return redirect("portal:seal_domains", business_id=business.pk)
    certificates = Certificate.objects.of_business_user(request.user).filter(
        business=business, status=CertificateStatus.ACTIVE
    )
    return render(
        request,
        "certification/portal/seal.html",
        {
            "business": business,
            "form": form,
            "domains": list(SealDomain.objects.filter(business=business)),
            "seals": [(c, seal_snippet(c)) for c in certificates.order_by("valid_until", "pk")],
        },
    )


@require_POST
@business_user_required
def seal_domain_remove(request, business_id: int, domain_id: int):
    business = _business(request, business_id)
    registered = get_object_or_404(SealDomain.objects.filter(business=business), pk=domain_id)
    remove_seal_domain(registered, actor=request.user)
    messages.success(request, _("Domain removed."))
    return redirect("portal:seal_domains", business_id=business.pk)
