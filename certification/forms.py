from django import forms
from django.utils.translation import gettext_lazy as _

from associations.models import Association

MAX_PDF_BYTES = 10 * 1024 * 1024


class VerifyNumberForm(forms.Form):
    number = forms.CharField(label=_("Certificate number"), max_length=40,
                             widget=forms.TextInput(attrs={"placeholder": "PSA-2026-000123"}))


class VerifyUploadForm(forms.Form):
    pdf = forms.FileField(label=_("Certificate PDF"))

    def clean_pdf(self):
        pdf = self.cleaned_data["pdf"]
        if pdf.size > MAX_PDF_BYTES:
            raise forms.ValidationError(_("This file is too large to be one of our certificates."))
        return pdf


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label=_("Name or city"), required=False, max_length=100)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    association = forms.ModelChoiceField(
        label=_("Association"), required=False, queryset=Association.objects.only("pk", "name"),
        empty_label=_("All associations"),
    )
    level = forms.CharField(label=_("Level"), required=False, max_length=60)
