"""The buttons on an application's admin page: assign an auditor, request
changes, approve (at the level reached, preselected) and reject. Each is a
page saying what will happen that calls the audits service; a refusal is
shown at the top of the page. (The list's bulk actions are in admin.py.)"""

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from unfold.decorators import action
from unfold.enums import ActionVariant

from associations.admin_buttons import RecordButtonsMixin, button_page, posted
from associations.models import Association, CertificationLevel
from certification.files import preview_evidence
from certification.models import ApplicationStatus, Evidence
from members.models import AuditorProfile

from . import services
from .forms import AssignForm, ChangeRequestForm, DecisionForm

S = ApplicationStatus

# button -> the application states it is shown in (the services' own rules)
APPLICATION_BUTTON_STATES = {
    "assign_button": services.ASSIGNABLE,
    "request_changes_button": (S.IN_REVIEW,),
    "approve_button": (S.SCORED,),
    "reject_button": (S.SCORED,),
}


class ApplicationButtonsMixin(RecordButtonsMixin):
    actions_detail = list(APPLICATION_BUTTON_STATES)

    def buttons_for(self, request, obj) -> set[str]:
        return {name for name, states in APPLICATION_BUTTON_STATES.items() if obj.status in states}

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        # The application itself is read only: Save is there only while its
        # assignments table can still be changed (due dates, new auditors).
        editable = obj is not None and obj.status in services.ASSIGNABLE
        context.update(
            show_save=editable,
            show_save_and_continue=False,
            show_save_and_add_another=False,
            show_delete=False,
        )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def get_urls(self):
        preview = path(
            "<int:pk>/evidence/<int:evidence_pk>/",
            self.admin_site.admin_view(self.evidence_view),
            name="certification_application_evidence",
        )
        return [preview, *super().get_urls()]

    @method_decorator(xframe_options_sameorigin)
    def evidence_view(self, request, pk, evidence_pk):
        """A piece of the application's evidence, shown in the browser to the
        association's staff (viewers too); the same preview the auditors have."""
        application = get_object_or_404(self.get_queryset(request), pk=pk)
        return preview_evidence(get_object_or_404(Evidence, application=application, pk=evidence_pk))

    def _result_summary(self, application) -> list:
        summary = [(_("Status"), application.get_status_display())]
        if application.overall_score is not None:
            summary.append((_("Overall score"), application.overall_score))
            summary.append((_("Level reached"), application.level_reached or _("no level reached")))
        return summary

    @action(description=_("Assign an auditor"), permissions=["act"], icon="person_add", url_path="assign")
    def assign_button(self, request, object_id):
        application = self.button_object(request, object_id)
        auditors = AuditorProfile.objects.auditing_for(
            Association.objects.filter(pk=application.association_id)
        ).select_related("user")
        return button_page(
            self,
            request,
            application,
            form=AssignForm(posted(request), auditors=auditors),
            title=_("Assign an auditor"),
            explanation=_(
                "The auditor is emailed and must declare any conflict of interest with the business "
                "before seeing the application; the audit is due on the date you choose."
            ),
            submit=_("Assign"),
            summary=self._result_summary(application),
            run=lambda data: services.assign_auditor(application, actor=request.user, **data),
            refused=services.AuditError,
            done=_("Auditor assigned."),
        )

    @action(
        description=_("Request changes"), permissions=["act"], icon="edit_note", url_path="request-changes"
    )
    def request_changes_button(self, request, object_id):
        application = self.button_object(request, object_id)
        criteria = list(application.standard.criteria.order_by("order", "code"))
        form = ChangeRequestForm(posted(request), criteria=criteria)
        return button_page(
            self,
            request,
            application,
            form=form,
            title=_("Request changes"),
            explanation=_(
                "The application goes back to the business, which is emailed what you ask for under each "
                "criterion you fill in; it returns to review when the business resubmits."
            ),
            submit=_("Send back for changes"),
            summary=self._result_summary(application),
            run=lambda data: services.request_changes(application, actor=request.user, items=form.items()),
            refused=services.AuditError,
            done=_("Sent back to the business for changes."),
        )

    @action(description=_("Approve"), permissions=["act"], icon="verified", url_path="approve")
    def approve_button(self, request, object_id):
        application = self.button_object(request, object_id)
        form = DecisionForm(
            posted(request),
            action=DecisionForm.APPROVE,
            levels=CertificationLevel.objects.filter(association=application.association_id),
            initial={"level": application.level_reached_id},
        )
        return button_page(
            self,
            request,
            application,
            form=form,
            title=_("Approve"),
            explanation=_(
                "The application is approved at the level you choose (the level the scores reached is "
                "preselected; a lower one needs a reason). The certificate is issued and emailed to the "
                "business, and the auditors are told the decision."
            ),
            submit=_("Approve"),
            summary=self._result_summary(application),
            run=lambda data: services.approve(
                application, actor=request.user, level=data["level"], reason=data["reason"]
            ),
            refused=services.AuditError,
            done=_("Approved: the certificate is being issued."),
        )

    @action(
        description=_("Reject"),
        permissions=["act"],
        icon="cancel",
        url_path="reject",
        variant=ActionVariant.DANGER,
    )
    def reject_button(self, request, object_id):
        application = self.button_object(request, object_id)
        return button_page(
            self,
            request,
            application,
            form=DecisionForm(posted(request), action=DecisionForm.REJECT),
            title=_("Reject"),
            explanation=_(
                "The application is rejected and the business is emailed the decision with your rationale; "
                "the auditors are told the decision. This cannot be undone."
            ),
            submit=_("Reject"),
            danger=True,
            summary=self._result_summary(application),
            run=lambda data: services.reject(application, actor=request.user, reason=data["reason"]),
            refused=services.AuditError,
            done=_("Rejected: the business is emailed the decision."),
        )
