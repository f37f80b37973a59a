from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.db.models import OuterRef, Q, Subquery
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from unfold.decorators import action
from unfold.enums import ActionVariant

from associations.admin_buttons import RecordButtonsMixin, button_page, posted, unfold_widgets
from associations.admin_scoping import ScopedAdmin, access, run_service_on
from associations.exports import ExportOnlyMixin
from associations.models import CertificationLevel
from audits.dashboard import QueueFilter

from . import certificates as service
from .exports import CertificateResource
from .models import Certificate, CertificateStatus, SurveillanceEvent, WatchedCertificate
from .services import CertificationError


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


def _with_reason(modeladmin, request, queryset, change, *, title, submit, done):
    """An action with an intermediate page asking for the reason; the
    business is emailed with it."""
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        run_service_on(
            request, queryset, change, done, refused=CertificationError, reason=form.cleaned_data["reason"]
        )
        return None
    unfold_widgets(form)
    return TemplateResponse(
        request,
        "admin/certification/certificate_reason.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "submit_label": submit,
            "danger": change is service.revoke_certificate,
            "form": form,
            "queryset": queryset,
            "action": request.POST.get("action"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "opts": modeladmin.model._meta,
        },
    )


class LevelNameFilter(admin.SimpleListFilter):
    """By the level printed on the certificate, offering the names of the
    user's associations' levels (a few rows), not a DISTINCT over every
    certificate."""

    title = _("level")
    parameter_name = "level_name"

    def lookups(self, request, model_admin):
        levels = CertificationLevel.objects.all()
        if not request.user.is_superuser:
            levels = levels.filter(association__in=access(request).association_ids)
        names = sorted(set(levels.values_list("name", flat=True)))
        return [(name, name) for name in names]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(level_name=self.value())
        return queryset


# What each button on a certificate's page does, to whom it is shown (the
# states it starts from, certificates.TRANSITIONS) and what it says.
CERTIFICATE_BUTTONS = {
    "suspend_button": (
        service.suspend_certificate,
        _("Suspend"),
        _(
            "The certificate stops being valid until it is reinstated: the public verification page says "
            "it is suspended, with your reason, and the business is emailed the reason."
        ),
        _("Certificate suspended."),
    ),
    "reinstate_button": (
        service.reinstate_certificate,
        _("Reinstate"),
        _(
            "The certificate is valid again (or expired, if its date has passed): the public verification "
            "page shows it as before, and the business is emailed your reason."
        ),
        _("Certificate reinstated."),
    ),
    "revoke_button": (
        service.revoke_certificate,
        _("Revoke"),
        _(
            "The certificate is withdrawn for good and cannot be reinstated: the public verification page "
            "says it is revoked, with your reason, and the business is emailed the reason."
        ),
        _("Certificate revoked."),
    ),
}
CERTIFICATE_BUTTON_STATES = {
    "suspend_button": (CertificateStatus.ACTIVE,),
    "reinstate_button": (CertificateStatus.SUSPENDED,),
    "revoke_button": (CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED),
}


@admin.register(Certificate)
class CertificateAdmin(RecordButtonsMixin, ExportOnlyMixin, ScopedAdmin):
    list_display = [
        "number",
        "holder_name",
        "level_name",
        "status",
        "valid_from",
        "valid_until",
        "verification_count",
    ]
    list_filter = [QueueFilter, "status", LevelNameFilter]
    resource_classes = [CertificateResource]
    search_fields = ["number", "holder_name", "holder_city"]
    actions = ["suspend", "reinstate", "revoke"]
    actions_detail = ["suspend_button", "reinstate_button", "revoke_button"]
    # The PDF is served only through the scoped download view (there is no
    # media URL): a link to it replaces the file field.
    exclude = ["pdf"]
    readonly_fields = [f.name for f in Certificate._meta.fields if f.name not in ("id", "pdf")] + ["pdf_link"]
    list_select_related = False

    @admin.display(description=_("PDF"))
    def pdf_link(self, obj) -> str:
        if not obj.pdf_sha256:
            return _("Not rendered yet")
        return format_html(
            '<a href="{}">{}.pdf</a>', reverse("certification:download", args=[obj.pk]), obj.number
        )

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # issued by the platform after approval

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def render_change_form(self, request, context, *args, **kwargs):
        # Every field is read only: the record changes through its buttons.
        context.update(show_save=False, show_save_and_continue=False, show_save_and_add_another=False)
        return super().render_change_form(request, context, *args, **kwargs)

    @admin.action(description=_("Suspend (with a reason)"), permissions=["change"])
    def suspend(self, request, queryset):
        return _with_reason(
            self,
            request,
            queryset,
            service.suspend_certificate,
            title=_("Suspend certificates"),
            submit=_("Suspend"),
            done=_("suspended"),
        )

    @admin.action(description=_("Reinstate (with a reason)"), permissions=["change"])
    def reinstate(self, request, queryset):
        return _with_reason(
            self,
            request,
            queryset,
            service.reinstate_certificate,
            title=_("Reinstate certificates"),
            submit=_("Reinstate"),
            done=_("reinstated"),
        )

    @admin.action(description=_("Revoke (with a reason)"), permissions=["change"])
    def revoke(self, request, queryset):
        return _with_reason(
            self,
            request,
            queryset,
            service.revoke_certificate,
            title=_("Revoke certificates"),
            submit=_("Revoke"),
            done=_("revoked"),
        )

    # --- buttons on a certificate's page ---------------------------------------

    def buttons_for(self, request, obj) -> set[str]:
        return {name for name, states in CERTIFICATE_BUTTON_STATES.items() if obj.status in states}

    def _certificate_button(self, request, object_id, name):
        certificate = self.button_object(request, object_id)
        change, title, explanation, done = CERTIFICATE_BUTTONS[name]
        return button_page(
            self,
            request,
            certificate,
            form=ReasonForm(posted(request)),
            title=title,
            explanation=explanation,
            submit=title,
            danger=name == "revoke_button",
            summary=[
                (_("Holder"), certificate.holder_name),
                (_("Level"), certificate.level_name),
                (_("Status"), certificate.get_status_display()),
                (_("Valid until"), certificate.valid_until),
            ],
            run=lambda data: change(certificate, actor=request.user, reason=data["reason"]),
            refused=CertificationError,
            done=done,
        )

    @action(description=_("Suspend"), permissions=["act"], icon="pause_circle", url_path="suspend")
    def suspend_button(self, request, object_id):
        return self._certificate_button(request, object_id, "suspend_button")

    @action(description=_("Reinstate"), permissions=["act"], icon="play_circle", url_path="reinstate")
    def reinstate_button(self, request, object_id):
        return self._certificate_button(request, object_id, "reinstate_button")

    @action(
        description=_("Revoke"),
        permissions=["act"],
        icon="block",
        url_path="revoke",
        variant=ActionVariant.DANGER,
    )
    def revoke_button(self, request, object_id):
        return self._certificate_button(request, object_id, "revoke_button")


@admin.register(WatchedCertificate)
class WatchListAdmin(ScopedAdmin):
    """Certificates under watch or suspended by surveillance, the longest
    watched first, with the KPI months behind the latest change (one query
    for the page: the latest event is a subquery)."""

    list_display = [
        "number",
        "holder_name",
        "surveillance_status",
        "watch_since",
        "cure_ends",
        "latest_reasons",
    ]
    list_display_links = ["number"]
    search_fields = ["number", "holder_name"]
    ordering = ["watch_since", "number"]
    list_select_related = False

    def get_queryset(self, request):
        latest = SurveillanceEvent.objects.filter(certificate=OuterRef("pk")).order_by("-created_at", "-id")
        return (
            super()
            .get_queryset(request)
            .filter(
                Q(status=CertificateStatus.ACTIVE, watch_since__isnull=False)
                | Q(status=CertificateStatus.SUSPENDED, suspended_by_surveillance=True)
            )
            .annotate(latest_reasons_data=Subquery(latest.values("reasons")[:1]))
        )

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("state"))
    def surveillance_status(self, obj) -> str:
        return _("Under watch") if obj.under_watch else _("Suspended by surveillance")

    @admin.display(description=_("cure period ends"))
    def cure_ends(self, obj) -> str:
        ends = [r.get("cure_ends") for r in obj.latest_reasons_data or [] if r.get("cure_ends")]
        return min(ends) if ends else "–"

    @admin.display(description=_("KPI months behind it"))
    def latest_reasons(self, obj) -> str:
        return format_html_join(
            "; ",
            "{} ({}): {}",
            (
                (
                    r["kpi_name"],
                    r["threshold"],
                    ", ".join(
                        f"{month} {value if value is not None else '–'}" for month, value, _s in r["months"]
                    ),
                )
                for r in obj.latest_reasons_data or []
            ),
        )


# Complaints' admin lives with them; importing it registers it.
from .complaints import admin as complaints_admin  # noqa: E402, F401
