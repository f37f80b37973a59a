from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import label_for_field
from django.db.models import Q
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from associations.admin_buttons import unfold_widgets
from associations.admin_scoping import (
    ScopedAdmin,
    ScopedTabularInline,
    access,
    computed_once,
    editable_associations,
    run_service_on,
    scope,
)
from associations.exports import ExportOnlyMixin
from associations.models import CertificationLevel
from certification.exports import ApplicationResource
from certification.models import Application
from certification.queries import FULL, application_history
from members.models import AuditorMembership, AuditorProfile, ConflictOfInterest

from . import queries, services
from .admin_buttons import ApplicationButtonsMixin
from .dashboard import QueueFilter

# The findings list (its own module, as this one is long) registers on import.
from .finding_admin import FindingAdmin  # noqa: F401
from .forms import AssignForm, DecisionForm
from .models import Assignment


class AuditorMembershipForm(forms.ModelForm):
    """A membership row: staff tick `active` off to remove the auditor from
    their association, on to re-add them (services do the work)."""

    active = forms.BooleanField(label=_("active"), required=False, initial=True)

    class Meta:
        model = AuditorMembership
        fields = ["association"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["active"].initial = self.instance.ended_at is None
            self.fields["association"].disabled = True


class AuditorMembershipInline(ScopedTabularInline):
    model = AuditorMembership
    form = AuditorMembershipForm
    fields = ["association", "active", "started_at", "ended_at", "ended_by"]
    readonly_fields = ["started_at", "ended_at", "ended_by"]
    verbose_name_plural = _("audits for")

    def get_queryset(self, request):
        # Staff see and change their own association's membership only.
        return scope(super().get_queryset(request), request).select_related("association", "ended_by")

    def association_ids_of(self, obj):
        return obj.memberships.values_list("association_id", flat=True)

    def has_delete_permission(self, request, obj=None):
        return False  # removing ends the membership; the row stays for the record


class AuditorAssignmentsInline(ScopedTabularInline):
    """The auditor's assignments in the staff's associations, in force or
    ended: read only (assignments are made on the application)."""

    model = Assignment
    fields = ["application", "assigned_at", "due_date", "declaration", "ended_at"]
    readonly_fields = fields
    verbose_name_plural = _("assignments in your associations")
    per_page = 20  # a long-serving auditor has hundreds

    def get_queryset(self, request):
        # Each row prints the assignment (its auditor) and the application.
        return scope(super().get_queryset(request), request).select_related(
            "auditor__user", "application__business", "application__standard"
        )

    def association_ids_of(self, obj):
        return obj.memberships.values_list("association_id", flat=True)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditorProfile)
class AuditorProfileAdmin(ScopedAdmin):
    list_display = ["user", "is_active", "created_at"]
    search_fields = ["user__email", "user__name"]
    ordering = ["user__email"]
    readonly_fields = ["user"]
    fields = ["user", "expertise", "is_active"]
    inlines = [AuditorMembershipInline, AuditorAssignmentsInline]

    def get_queryset(self, request):
        # Every row, and every autocomplete answer, prints the auditor's name.
        return super().get_queryset(request).select_related("user")

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser  # auditors join through an invitation

    def get_readonly_fields(self, request, obj=None):
        # The profile is shared by every association the auditor works for:
        # only a superuser changes what all of them rely on.
        if request.user.is_superuser:
            return self.readonly_fields
        return [*self.readonly_fields, "is_active", "expertise"]

    def association_ids_of(self, obj):
        # Ended memberships too: staff still manage an auditor they removed.
        return obj.memberships.values_list("association_id", flat=True)

    def has_delete_permission(self, request, obj=None):
        # Other associations rely on the same profile.
        return request.user.is_superuser

    def save_formset(self, request, form, formset, change):
        if formset.model is not AuditorMembership:
            return super().save_formset(request, form, formset, change)
        # Memberships change through the services (permission, history, ending assignments).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            if not row.has_changed() or not row.is_valid():
                continue
            membership, active = row.instance, row.cleaned_data.get("active")
            try:
                if membership.pk is None:
                    services.add_auditor_membership(
                        form.instance, association=row.cleaned_data["association"], actor=request.user
                    )
                elif active and membership.ended_at is not None:
                    services.add_auditor_membership(
                        form.instance, association=membership.association, actor=request.user
                    )
                elif not active and membership.ended_at is None:
                    services.end_auditor_membership(membership, actor=request.user)
            except services.AuditError as error:
                messages.error(request, str(error))
        return None


class ConflictOfInterestForm(forms.ModelForm):
    class Meta:
        model = ConflictOfInterest
        fields = ["auditor", "business", "association", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "association" in self.fields:
            self.fields["association"].required = True  # null only for old, unplaceable rows


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(ScopedAdmin):
    """Staff see every conflict that refuses their assignments; only the
    association that recorded one reads, changes or deletes it."""

    form = ConflictOfInterestForm
    list_display = ["auditor", "business", "association", "shown_reason", "declared_at"]
    list_select_related = ["auditor__user", "business", "association"]
    readonly_fields = ["declared_at"]
    autocomplete_fields = ["auditor", "business"]

    def get_queryset(self, request):
        if request.user.is_superuser:
            return super().get_queryset(request).with_reason_shown_to(request.user)
        return super().get_queryset(request).with_reason_shown_for(access(request).association_ids)

    def association_ids_of(self, obj):
        return [obj.association_id]

    def get_fields(self, request, obj=None):
        if obj is not None and not obj.reason_shown:
            return ["auditor", "business", "association", "shown_reason", "declared_at"]
        return ["auditor", "business", "association", "reason", "declared_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.reason_shown:
            return ["auditor", "business", "association", "shown_reason", "declared_at"]
        return self.readonly_fields

    @admin.display(description=_("reason"))
    def shown_reason(self, obj):
        if getattr(obj, "reason_shown", False):
            return obj.reason
        return _("Recorded by another association; the reason is not shared.")


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["auditor", "due_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and "auditor" in self.fields:
            # Reassigning is a new assignment (with its independence checks), not an edit.
            self.fields["auditor"].disabled = True

    def clean(self):
        data = super().clean()
        application, auditor = self.instance.application, data.get("auditor")
        if self.instance.pk is None and auditor is not None and application is not None:
            refusal = services.assignment_refusal(application, auditor)
            if refusal:
                raise forms.ValidationError(refusal)
        return data


class AssignmentInline(ScopedTabularInline):
    model = Assignment
    form = AssignmentForm
    fields = [
        "auditor",
        "due_date",
        "declaration",
        "conflict_reason",
        "declared_at",
        "assigned_by",
        "ended_at",
    ]
    readonly_fields = ["declaration", "conflict_reason", "declared_at", "assigned_by", "ended_at"]
    # One compact row per assignment and one blank row to assign another
    # (see the template for why not unfold's tabular inline).
    template = "admin/audits/assignment_inline.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("auditor__user", "assigned_by")

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if self.has_add_permission(request, obj) else 0

    def column_labels(self) -> list[str]:
        return [capfirst(label_for_field(name, self.model, self)) for name in self.fields]

    def _can_edit(self, request, obj=None) -> bool:
        # Assignments change only while auditors can still be assigned.
        if obj is not None and obj.status not in services.ASSIGNABLE:
            return False
        return super()._can_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_formset(self, request, obj=None, **kwargs):
        request._assignment_application = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "auditor":
            # Active auditors of the application's own association, with their
            # names in the same query. The auditors already assigned stay valid
            # choices: their rows' (disabled) field is validated against them.
            associations = editable_associations(request)
            application = getattr(request, "_assignment_application", None)
            if application is not None:
                associations = associations.filter(pk=application.association_id)
            offered = Q(pk__in=AuditorProfile.objects.auditing_for(associations).values("pk"))
            if application is not None:
                offered |= Q(pk__in=application.assignments.values("auditor_id"))
            kwargs["queryset"] = AuditorProfile.objects.filter(offered).select_related("user")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields


# How the change page's computed tables and links look (unfold's own classes).
LINK = "text-primary-600 underline dark:text-primary-500"
TABLE = "w-full border-collapse text-sm"
TH = "text-left font-semibold px-3 py-2 border-b border-base-200 dark:border-base-800"
TD = "px-3 py-2 border-b border-base-200 align-top dark:border-base-800"


# Staff assign and decide a few applications at a time, each with its
# result in view on the confirmation page: the selection is capped.
MAX_DECISIONS = 20


def _too_many(request, queryset) -> bool:
    if queryset.count() <= MAX_DECISIONS:
        return False
    messages.error(request, _("Select at most %(max)s applications at a time.") % {"max": MAX_DECISIONS})
    return True


def _level_reached_by_all(queryset) -> CertificationLevel | None:
    """The level to preselect: the one every selected application reached."""
    reached = {obj.level_reached for obj in queryset.select_related("level_reached")}
    return reached.pop() if len(reached) == 1 else None


def _decision_page(modeladmin, request, queryset, *, action, title, form, show_results=False):
    """The confirmation page; with `show_results`, each application's stored
    result (the one the decision is checked against)."""
    return render(
        request,
        "admin/audits/decision.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "queryset": queryset,
            "applications": queryset.select_related("level_reached"),
            "show_results": show_results,
            "form": unfold_widgets(form),
            "action": action,
            "opts": modeladmin.model._meta,
        },
    )


@admin.register(Application)
class ApplicationAdmin(ApplicationButtonsMixin, ExportOnlyMixin, ScopedAdmin):
    list_display = ["__str__", "business", "standard", "status", "submitted_at", "decided_at"]
    list_filter = [QueueFilter, "status"]
    resource_classes = [ApplicationResource]
    search_fields = ["business__name"]
    inlines = [AssignmentInline]
    actions = ["assign", "approve", "reject"]
    fields = [
        "business",
        "standard",
        "status",
        "submitted_at",
        "level",
        "decided_by",
        "decided_at",
        "decision_reason",
        "result",
        "evidence",
        "change_requests",
        "scorecards",
        "history",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False  # businesses apply from the portal

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # The change page prints the decided level and who decided (empty
        # until then): followed here, not by one query each once decided.
        return (
            super()
            .get_queryset(request)
            .select_related("business", "standard", "association", "level", "level_reached", "decided_by")
        )

    @admin.display(description=_("Result"))
    def result(self, obj):
        return format_html(
            '<a class="{}" href="{}">{}</a>',
            LINK,
            reverse("audits:result", args=[obj.pk]),
            _("Scores per dimension and the arithmetic"),
        )

    @admin.display(description=_("Evidence"))
    @computed_once
    def evidence(self, obj):
        rows = queries.evidence_of(obj)
        if not rows:
            return _("No evidence.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li>{}: <a class="{}" href="{}" target="_blank" rel="noopener">{}</a> · {}</li>',
                (
                    (
                        e.criterion.code,
                        LINK,
                        reverse("admin:certification_application_evidence", args=[obj.pk, e.pk]),
                        e.original_name,
                        e.uploaded_at.strftime("%Y-%m-%d %H:%M"),
                    )
                    for e in rows
                ),
            ),
        )

    @admin.display(description=_("Change requests"))
    @computed_once
    def change_requests(self, obj):
        rows = list(obj.change_requests.select_related("criterion").order_by("requested_at", "pk"))
        if not rows:
            return "—"
        return format_html(
            '<table class="{}"><thead><tr><th class="{}">{}</th><th class="{}">{}</th>'
            '<th class="{}">{}</th></tr></thead><tbody>{}</tbody></table>',
            TABLE,
            TH,
            _("Criterion"),
            TH,
            _("Asked"),
            TH,
            _("Answer"),
            format_html_join(
                "",
                '<tr><td class="{0}">{1}</td><td class="{0}">{2} ({3})</td><td class="{0}">{4}</td></tr>',
                (
                    (
                        TD,
                        cr.criterion.code,
                        cr.message,
                        cr.requested_at.strftime("%Y-%m-%d"),
                        cr.response or "—",
                    )
                    for cr in rows
                ),
            ),
        )

    @admin.display(description=_("Scorecards"))
    @computed_once
    def scorecards(self, obj):
        """Each auditor's score and comment per criterion, once all have submitted."""
        assignments, rows = queries.score_table(obj)
        if not queries.all_submitted(assignments):
            return _("Shown once every assigned auditor has submitted.")
        return format_html(
            '<table class="{}" data-testid="scorecards"><thead><tr><th class="{}">{}</th>{}</tr></thead>'
            "<tbody>{}</tbody></table>",
            TABLE,
            TH,
            _("Criterion"),
            format_html_join("", '<th class="{}">{}</th>', ((TH, a.auditor) for a in assignments)),
            format_html_join(
                "",
                '<tr><td class="{}">{}</td>{}</tr>',
                (
                    (
                        TD,
                        criterion.code,
                        format_html_join(
                            "",
                            '<td class="{}"><strong>{}</strong> {}</td>',
                            (
                                (
                                    TD,
                                    "—" if score is None or score.score is None else score.score,
                                    score.comment if score else "",
                                )
                                for score in scores
                            ),
                        ),
                    )
                    for criterion, scores in rows
                ),
            ),
        )

    @admin.display(description=_("History"))
    @computed_once
    def history(self, obj):
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} · {} · {} {}</li>",
                (
                    (e.at.strftime("%Y-%m-%d %H:%M"), e.actor or "—", e.label, e.reason or e.detail)
                    for e in application_history(obj, audience=FULL)
                ),
            ),
        )

    def save_formset(self, request, form, formset, change):
        # New assignments go through the service (independence checks, history, email).
        instances = formset.save(commit=False)
        for instance in instances:
            if instance.pk is None:
                try:
                    services.assign_auditor(
                        form.instance,
                        auditor=instance.auditor,
                        due_date=instance.due_date,
                        actor=request.user,
                    )
                except services.AuditError as error:
                    messages.error(request, str(error))
            else:
                try:
                    services.change_due_date(instance, due_date=instance.due_date, actor=request.user)
                except services.AuditError as error:
                    messages.error(request, str(error))

    @admin.action(description=_("Assign an auditor"), permissions=["change"])
    def assign(self, request, queryset):
        if _too_many(request, queryset):
            return None
        auditors = AuditorProfile.objects.auditing_for(editable_associations(request)).select_related("user")
        form = AssignForm(request.POST if "apply" in request.POST else None, auditors=auditors)
        if not form.is_valid():
            return _decision_page(
                self, request, queryset, action="assign", title=_("Assign an auditor"), form=form
            )
        run_service_on(
            request,
            queryset,
            services.assign_auditor,
            _("auditor assigned"),
            refused=services.AuditError,
            **form.cleaned_data,
        )
        return None

    @admin.action(description=_("Approve"), permissions=["change"])
    def approve(self, request, queryset):
        if _too_many(request, queryset):
            return None
        levels = CertificationLevel.objects.filter(association__in=editable_associations(request))
        form = DecisionForm(
            request.POST if "apply" in request.POST else None,
            action=DecisionForm.APPROVE,
            levels=levels,
            initial={"level": _level_reached_by_all(queryset)},
        )
        if not form.is_valid():
            return _decision_page(
                self, request, queryset, action="approve", title=_("Approve"), form=form, show_results=True
            )
        run_service_on(
            request,
            queryset,
            services.approve,
            _("approved"),
            refused=services.AuditError,
            level=form.cleaned_data["level"],
            reason=form.cleaned_data["reason"],
            with_conditions=form.cleaned_data["with_conditions"],
        )
        return None

    @admin.action(description=_("Reject"), permissions=["change"])
    def reject(self, request, queryset):
        if _too_many(request, queryset):
            return None
        form = DecisionForm(request.POST if "apply" in request.POST else None, action=DecisionForm.REJECT)
        if not form.is_valid():
            return _decision_page(
                self,
                request,
                queryset,
                action="reject",
                title=_("Reject"),
                form=form,
                show_results=True,
            )
        run_service_on(
            request,
            queryset,
            services.reject,
            _("rejected"),
            refused=services.AuditError,
            reason=form.cleaned_data["reason"],
        )
        return None
