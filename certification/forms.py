from django import forms
from django.db.models import Exists, OuterRef
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from associations.models import Association, PublicationStatus, Standard
from members.models import BusinessUser, MembershipStatus

from .queries import own_businesses

# Our certificates are a few hundred kilobytes; the verify form is public, so
# anything much larger is refused while it streams in.
MAX_PDF_BYTES = 10 * 1024 * 1024


def pdf_too_large_message() -> str:
    return _("This file is larger than %(size)s: no certificate of ours is that large.") % {
        "size": filesizeformat(MAX_PDF_BYTES)
    }


class VerifyNumberForm(forms.Form):
    number = forms.CharField(
        label=_("Certificate number"),
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": "PSA-2026-000123"}),
    )


class VerifyUploadForm(forms.Form):
    pdf = forms.FileField(label=_("Certificate PDF"))

    def clean_pdf(self):
        pdf = self.cleaned_data["pdf"]
        if pdf.size > MAX_PDF_BYTES:
            raise forms.ValidationError(pdf_too_large_message())
        return pdf


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label=_("Name or city"), required=False, max_length=100)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    association = forms.ModelChoiceField(
        label=_("Association"),
        required=False,
        queryset=Association.objects.only("pk", "name"),
        empty_label=_("All associations"),
    )
    level = forms.CharField(label=_("Level"), required=False, max_length=60)


class StandardChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.association.name}: {obj.name} v{obj.version}"


class StartApplicationForm(forms.Form):
    business = forms.ModelChoiceField(label=_("Business"), queryset=None)
    standard = StandardChoiceField(label=_("Standard"), queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        businesses = own_businesses(user).order_by("name")
        self.fields["business"].queryset = businesses
        # Standards of the associations where one of the user's businesses is
        # an active member and that association granted the user's role.
        covered = BusinessUser.objects.filter(
            user=user,
            association=OuterRef("association"),
            business__memberships__association=OuterRef("association"),
            business__memberships__status=MembershipStatus.ACTIVE,
        )
        self.fields["standard"].queryset = (
            Standard.objects.filter(Exists(covered), status=PublicationStatus.PUBLISHED)
            .select_related("association")
            .order_by("association__name", "name", "-version")
        )
        only = list(businesses[:2])
        if len(only) == 1:
            self.fields["business"].initial = only[0].pk
            self.fields["business"].widget = forms.HiddenInput()


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("PDF, PNG, JPEG, Word (DOCX), Excel (XLSX) or CSV"))
    description = forms.CharField(
        label=_("Description"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    effective_from = forms.DateField(
        label=_("Effective from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    effective_to = forms.DateField(
        label=_("Effective to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("effective_from"), cleaned.get("effective_to")
        if start and end and start > end:
            self.add_error("effective_to", _("The evidence cannot stop being effective before it starts."))
        return cleaned


class AnswerForm(forms.Form):
    response = forms.CharField(label=_("What you changed"), widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (optional)"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
