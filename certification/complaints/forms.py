from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Complaint, MediationOutcome


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ComplaintForm(forms.ModelForm):
    files = MultipleFileField(label=_("Files (optional: photos, receipts; up to 3)"), required=False)
    # A field people do not see: a bot fills it in.
    website = forms.CharField(required=False, label=_("Leave this empty"))

    class Meta:
        model = Complaint
        fields = [
            "customer_name",
            "customer_email",
            "issue",
            "happened_on",
            "description",
            "wanted",
            "wanted_detail",
        ]
        widgets = {
            "happened_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 6}),
        }

    def clean_happened_on(self):
        happened_on = self.cleaned_data["happened_on"]
        if happened_on > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return happened_on

    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Your reply"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("The resolution you propose"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=MediationOutcome.choices)
    note = forms.CharField(
        label=_("What the business must do"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    honour_by = forms.DateField(
        label=_("To be honoured by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
