from django import forms
from django.utils.translation import gettext_lazy as _

from .values import ValueProblem, clean_value, plain_number, reportable_month


class MonthInput(forms.DateInput):
    input_type = "month"

    def format_value(self, value):
        if hasattr(value, "strftime"):
            return value.strftime("%Y-%m")
        return value


class MonthField(forms.Field):
    widget = MonthInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return reportable_month(value)
        except ValueProblem as problem:
            raise forms.ValidationError(str(problem)) from None


class MetricReportForm(forms.Form):
    """One month: a value (and sample size where the KPI has one) per KPI of
    the association. Blank KPIs are left out of the report."""

    month = MonthField(label=_("Month"))
    replace = forms.BooleanField(
        label=_("Replace the values already reported for this month"), required=False
    )

    def __init__(self, *args, kpis, **kwargs):
        super().__init__(*args, **kwargs)
        self.kpis = list(kpis)
        for kpi in self.kpis:
            self.fields[f"value_{kpi.code}"] = forms.CharField(
                label=f"{kpi.name} ({kpi.unit})",
                required=False,
                help_text=_("Between %(min)s and %(max)s")
                % {"min": plain_number(kpi.min_value), "max": plain_number(kpi.max_value)},
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
            if kpi.has_sample_size:
                self.fields[f"sample_{kpi.code}"] = forms.IntegerField(
                    label=_("%(kpi)s: sample size") % {"kpi": kpi.name}, required=False, min_value=1
                )

    def kpi_rows(self):
        for kpi in self.kpis:
            sample = self[f"sample_{kpi.code}"] if kpi.has_sample_size else None
            yield kpi, self[f"value_{kpi.code}"], sample

    def clean(self):
        cleaned = super().clean()
        values = []
        for kpi in self.kpis:
            raw = cleaned.get(f"value_{kpi.code}")
            sample = cleaned.get(f"sample_{kpi.code}")
            if raw in (None, "") and sample in (None, ""):
                continue
            try:
                values.append(clean_value(kpi, raw, sample))
            except ValueProblem as problem:
                self.add_error(f"value_{kpi.code}", str(problem))
        if not values and not self.errors:
            raise forms.ValidationError(_("Enter at least one value."))
        cleaned["values"] = values
        return cleaned


class MetricImportForm(forms.Form):
    association = forms.ModelChoiceField(label=_("Association"), queryset=None, empty_label=None)
    file = forms.FileField(label=_("CSV file"), help_text=_("Columns: month, kpi_code, value, sample_size"))

    def __init__(self, *args, associations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["association"].queryset = associations


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “Call centre system”.")
    )
